package dev.resilientkafka.verify;

import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;

/**
 * A topic read back from the beginning without a consumer group (a plain {@link KafkaConsumer}, assign and
 * seek), up to the end offsets taken first: with {@code read_committed} that is the last stable offset, so
 * an open transaction makes the read wait until it ends. The exactly-once checks of the transactional
 * tests. Immutable.
 */
final class CommittedRecords {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  final List<ConsumerRecord<String, String>> records;

  private CommittedRecords(List<ConsumerRecord<String, String>> records) {
    this.records = List.copyOf(records);
  }

  /** What {@code isolation.level=read_committed} consumers see of {@code topic}. */
  static CommittedRecords readCommitted(LocalKafkaCluster cluster, String topic) {
    return read(cluster, topic, IsolationLevel.READ_COMMITTED);
  }

  /** Everything written to {@code topic}, aborted transactions included. */
  static CommittedRecords readUncommitted(LocalKafkaCluster cluster, String topic) {
    return read(cluster, topic, IsolationLevel.READ_UNCOMMITTED);
  }

  private static CommittedRecords read(LocalKafkaCluster cluster, String topic, IsolationLevel isolation) {
    Map<String, Object> config = new HashMap<>(cluster.clientSecurityProperties());
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapFqdns());
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString().toLowerCase(Locale.ROOT));
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo info : consumer.partitionsFor(topic, TIMEOUT)) {
        partitions.add(new TopicPartition(topic, info.partition()));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      if (isolation == IsolationLevel.READ_COMMITTED) {
        awaitNoOpenTransaction(cluster, partitions);
      }
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
      Map<TopicPartition, List<ConsumerRecord<String, String>>> byPartition = new TreeMap<>(
          java.util.Comparator.comparingInt(TopicPartition::partition));
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey(), TIMEOUT) < e.getValue())) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read " + topic + " (" + isolation + ") up to " + end + " within " + TIMEOUT);
        }
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          byPartition.computeIfAbsent(new TopicPartition(topic, record.partition()), p -> new ArrayList<>()).add(record);
        }
      }
      List<ConsumerRecord<String, String>> all = new ArrayList<>();
      byPartition.values().forEach(all::addAll);
      return new CommittedRecords(all);
    }
  }

  /**
   * Waits until the last stable offset of every partition is its end: a commit returns once the
   * coordinator decided, and the markers reach the partitions a moment later.
   */
  private static void awaitNoOpenTransaction(LocalKafkaCluster cluster, List<TopicPartition> partitions) {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
    Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> {
      var stable = cluster.admin().listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
          .get(10, TimeUnit.SECONDS);
      var end = cluster.admin().listOffsets(latest).all().get(10, TimeUnit.SECONDS);
      return partitions.stream().allMatch(p -> stable.get(p).offset() == end.get(p).offset());
    });
  }

  List<String> values() {
    return records.stream().map(ConsumerRecord::value).toList();
  }

  /** How often each value appears. */
  Map<String, Integer> copies() {
    Map<String, Integer> copies = new HashMap<>();
    records.forEach(r -> copies.merge(r.value(), 1, Integer::sum));
    return copies;
  }

  /**
   * Per key, values whose number ({@code <anything>-<n>}) is lower than one before it in the same
   * partition: a key's records out of order.
   */
  List<String> reordered() {
    Map<String, Long> last = new HashMap<>();
    List<String> reordered = new ArrayList<>();
    for (ConsumerRecord<String, String> record : records) {
      long n = Long.parseLong(record.value().substring(record.value().lastIndexOf('-') + 1));
      Long previous = last.put(record.partition() + "/" + record.key(), n);
      if (previous != null && previous > n) {
        reordered.add(record.key() + ": " + previous + " before " + n);
      }
    }
    return reordered;
  }
}
