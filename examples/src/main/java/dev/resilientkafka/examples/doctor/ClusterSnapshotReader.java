package dev.resilientkafka.examples.doctor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * Reads a {@link ClusterSnapshot} through the Admin API: describeCluster (fenced brokers included),
 * describeConfigs of every live broker and every topic, listTopics (internal ones included) and
 * describeTopics. A broker or topic whose details cannot be read is kept with an empty configuration
 * and the checks report what they cannot judge. Not thread-safe; use one per read.
 */
public final class ClusterSnapshotReader {
  private final Admin admin;
  private final String bootstrap;
  private final Duration timeout;

  /**
   * @param admin the client to read with (not closed here)
   * @param bootstrap the bootstrap servers {@code admin} uses, quoted in fixes
   * @param timeout how long the whole read may take
   */
  public ClusterSnapshotReader(Admin admin, String bootstrap, Duration timeout) {
    this.admin = Objects.requireNonNull(admin, "admin");
    this.bootstrap = Objects.requireNonNull(bootstrap, "bootstrap");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  /**
   * Reads the cluster.
   *
   * @throws TimeoutException if the cluster did not describe itself within the timeout (unreachable)
   * @throws ExecutionException with the Kafka error as cause if describeCluster or listTopics failed
   * @throws InterruptedException if interrupted while waiting
   */
  public ClusterSnapshot read() throws ExecutionException, InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Collection<Node> nodes = nodes(deadline);
    Map<Integer, Map<String, String>> brokerConfigs = new HashMap<>();
    List<ConfigResource> brokerResources = new ArrayList<>();
    for (Node node : nodes) {
      if (!node.isFenced()) {
        brokerResources.add(new ConfigResource(ConfigResource.Type.BROKER, node.idString()));
      }
    }
    for (Map.Entry<ConfigResource, Map<String, String>> e : configs(brokerResources, deadline).entrySet()) {
      brokerConfigs.put(Integer.parseInt(e.getKey().name()), e.getValue());
    }
    List<BrokerView> brokers = new ArrayList<>();
    for (Node node : nodes) {
      brokers.add(new BrokerView(node.id(), node.host(), node.port(), node.hasRack() ? node.rack() : null,
          node.isFenced(), brokerConfigs.getOrDefault(node.id(), Map.of())));
    }

    Set<String> names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names()
        .get(remaining(deadline), TimeUnit.NANOSECONDS);
    Map<String, TopicDescription> descriptions = new HashMap<>();
    for (Map.Entry<String, KafkaFuture<TopicDescription>> e :
        admin.describeTopics(names).topicNameValues().entrySet()) {
      try {
        descriptions.put(e.getKey(), e.getValue().get(remaining(deadline), TimeUnit.NANOSECONDS));
      } catch (ExecutionException ex) {
        if (!(ex.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw ex;
        }
        // deleted between listTopics and describeTopics: nothing to judge
      }
    }
    List<ConfigResource> topicResources = descriptions.keySet().stream()
        .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
    Map<ConfigResource, Map<String, String>> topicConfigs = configs(topicResources, deadline);
    List<TopicView> topics = new ArrayList<>();
    for (TopicDescription description : descriptions.values()) {
      List<PartitionView> partitions = new ArrayList<>();
      for (TopicPartitionInfo p : description.partitions()) {
        partitions.add(new PartitionView(p.partition(), p.leader() == null || p.leader().isEmpty() ? -1 : p.leader().id(),
            p.replicas().stream().map(Node::id).toList(), p.isr().stream().map(Node::id).toList()));
      }
      topics.add(new TopicView(description.name(), description.isInternal(), partitions,
          topicConfigs.getOrDefault(new ConfigResource(ConfigResource.Type.TOPIC, description.name()), Map.of())));
    }
    return new ClusterSnapshot(bootstrap, brokers, topics);
  }

  private Collection<Node> nodes(long deadline)
      throws ExecutionException, InterruptedException, TimeoutException {
    try {
      return admin.describeCluster(new DescribeClusterOptions().includeFencedBrokers(true)).nodes()
          .get(remaining(deadline), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof UnsupportedVersionException)) {
        throw e;
      }
      // brokers before Kafka 4.0 cannot list fenced brokers: judge the live ones
      return admin.describeCluster().nodes().get(remaining(deadline), TimeUnit.NANOSECONDS);
    }
  }

  /** Effective configurations; a resource that fails (broker gone, topic deleted) gets none. */
  private Map<ConfigResource, Map<String, String>> configs(List<ConfigResource> resources, long deadline)
      throws InterruptedException {
    Map<ConfigResource, Map<String, String>> result = new HashMap<>();
    if (resources.isEmpty()) {
      return result;
    }
    for (Map.Entry<ConfigResource, KafkaFuture<Config>> e : admin.describeConfigs(resources).values().entrySet()) {
      try {
        Map<String, String> values = new HashMap<>();
        for (ConfigEntry entry : e.getValue().get(remaining(deadline), TimeUnit.NANOSECONDS).entries()) {
          if (entry.value() != null) {
            values.put(entry.name(), entry.value());
          }
        }
        result.put(e.getKey(), values);
      } catch (ExecutionException | TimeoutException ex) {
        result.put(e.getKey(), Map.of());
      }
    }
    return result;
  }

  private static long remaining(long deadline) {
    return Math.max(1, deadline - System.nanoTime());
  }
}
