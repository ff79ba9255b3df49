package dev.resilientkafka.examples.console;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * Which broker a consumer is fetching a partition from, and that broker's rack. Kafka does not say which
 * broker a given record came from; it does say, per partition, the preferred read replica it fetches
 * from (the {@code preferred-read-replica} metric of {@code consumer-fetch-manager-metrics}, -1 while it
 * reads from the leader), and the leader is in the cluster metadata. Not thread-safe: use it on the
 * polling thread, after {@code poll()}.
 */
final class FetchSource {
  private static final String GROUP = "consumer-fetch-manager-metrics";
  private static final String METRIC = "preferred-read-replica";

  /** The broker a partition is fetched from: {@code id} -1 when unknown; {@code rack} empty when none. */
  record Broker(int id, String rack, boolean leader) {
    /** {@code Broker:<id><sep>Rack:<rack><sep>Replica:leader|follower}. */
    String describe(String separator) {
      return "Broker:" + (id < 0 ? "unknown" : Integer.toString(id)) + separator + "Rack:" + (rack.isEmpty() ? "none" : rack)
          + separator + "Replica:" + (leader ? "leader" : "follower");
    }
  }

  private final Consumer<?, ?> consumer;
  private final Map<TopicPartition, Integer> readReplicas = new HashMap<>();
  private final Map<TopicPartition, PartitionInfo> partitions = new HashMap<>();
  private final Map<Integer, String> racks = new HashMap<>();

  FetchSource(Consumer<?, ?> consumer) {
    this.consumer = consumer;
  }

  /** Re-reads the metrics and the (cached) metadata of {@code topic}; call once after each {@code poll()}. */
  void refresh(String topic, Map<Integer, String> knownRacks) {
    readReplicas.clear();
    for (Map.Entry<MetricName, ? extends Metric> entry : consumer.metrics().entrySet()) {
      MetricName name = entry.getKey();
      if (!GROUP.equals(name.group()) || !METRIC.equals(name.name()) || !topic.equals(name.tags().get("topic"))) {
        continue;
      }
      String partition = name.tags().get("partition");
      if (partition != null && entry.getValue().metricValue() instanceof Number replica) {
        readReplicas.put(new TopicPartition(topic, Integer.parseInt(partition)), replica.intValue());
      }
    }
    racks.putAll(knownRacks);
    List<PartitionInfo> infos = consumer.partitionsFor(topic);
    for (PartitionInfo info : infos) {
      partitions.put(new TopicPartition(topic, info.partition()), info);
      for (Node node : info.replicas()) {
        if (node.hasRack()) {
          racks.putIfAbsent(node.id(), node.rack());
        }
      }
    }
  }

  /** The broker {@code partition} is being fetched from, as of the last {@link #refresh}. */
  Broker of(TopicPartition partition) {
    Integer replica = readReplicas.get(partition);
    if (replica != null && replica >= 0) {
      return new Broker(replica, racks.getOrDefault(replica, ""), leaderId(partition) == replica);
    }
    int leader = leaderId(partition);
    return new Broker(leader, racks.getOrDefault(leader, ""), true);
  }

  private int leaderId(TopicPartition partition) {
    PartitionInfo info = partitions.get(partition);
    @Nullable Node leader = info == null ? null : info.leader();
    return leader == null || leader.isEmpty() ? -1 : leader.id();
  }
}
