package dev.resilientkafka.verify;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jspecify.annotations.Nullable;

/**
 * Reads a topic back from the beginning with a plain {@link KafkaConsumer} without a group (assign,
 * seekToBeginning, up to the end offsets taken first) and checks it against what a {@link
 * VerifyingProducer} was told: the Jepsen Kafka checker's lost writes, duplicates and reordering, plus
 * the consumer position. Values must look like {@code k<n>-<seq>}. Not thread-safe; one check per call.
 */
final class DeliveryChecker {
  private final String bootstrapServers;
  private final Map<String, Object> security;
  private final String idHeader;

  /**
   * @param bootstrapServers a plain bootstrap list (the checker is independent of the library)
   * @param security extra client properties (TLS), may be empty
   * @param idHeader the record-id header the producer stamps
   */
  DeliveryChecker(String bootstrapServers, Map<String, Object> security, String idHeader) {
    this.bootstrapServers = bootstrapServers;
    this.security = security;
    this.idHeader = idHeader;
  }

  /** Checks {@code topic} against the producer's outcomes. */
  DeliveryReport check(String run, String topic, VerifyingProducer producer) {
    return check(run, topic, producer.sent(), producer.acked().keySet(), producer.failed().keySet(),
        producer.callbacksTwice(), producer.longestAckGapMs());
  }

  /** Checks {@code topic} against explicit outcomes: values acked, values failed. */
  DeliveryReport check(String run, String topic, long sent, Set<String> acked, Set<String> failed,
      long callbacksTwice, long longestAckGapMs) {
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    long positionMismatches = readAll(topic, records);
    Map<String, Integer> copies = new HashMap<>();
    Map<String, Set<String>> idsByValue = new HashMap<>();
    Map<String, Integer> idCount = new HashMap<>();
    Map<String, Long> lastSeqByKey = new HashMap<>();
    long reordered = 0;
    long unknown = 0;
    // records come partition by partition in offset order: a key lives in one partition
    for (ConsumerRecord<String, String> record : records) {
      String value = record.value();
      copies.merge(value, 1, Integer::sum);
      String id = id(record);
      idsByValue.computeIfAbsent(value, v -> new HashSet<>()).add(id == null ? "none@" + record.offset() : id);
      if (id != null) {
        idCount.merge(id, 1, Integer::sum);
      }
      if (!acked.contains(value) && !failed.contains(value)) {
        unknown++;
      }
      long seq = sequence(value);
      String key = record.partition() + "/" + record.key();
      Long last = lastSeqByKey.get(key);
      if (last != null && seq < last) {
        reordered++;
      }
      lastSeqByKey.merge(key, seq, Math::max);
    }
    long lost = acked.stream().filter(v -> !copies.containsKey(v)).count();
    long duplicates = copies.values().stream().mapToLong(n -> n - 1).sum();
    long unremovable = idsByValue.values().stream().mapToLong(ids -> ids.size() - 1).sum();
    long duplicateIds = idCount.values().stream().mapToLong(n -> n - 1).sum();
    long failedButWritten = failed.stream().filter(copies::containsKey).count();
    return new DeliveryReport(run, sent, acked.size(), failed.size(), records.size(), lost, duplicates,
        unremovable, duplicateIds, reordered, positionMismatches, unknown, failedButWritten, callbacksTwice,
        longestAckGapMs);
  }

  private @Nullable String id(ConsumerRecord<String, String> record) {
    Header header = record.headers().lastHeader(idHeader);
    return header == null || header.value() == null ? null : HexFormat.of().formatHex(header.value());
  }

  private static long sequence(String value) {
    return Long.parseLong(value.substring(value.lastIndexOf('-') + 1));
  }

  /** Reads every record up to the end offsets into {@code into}; returns the partitions whose position disagrees. */
  long readAll(String topic, List<ConsumerRecord<String, String>> into) {
    Map<String, Object> config = new HashMap<>(security);
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
        partitions.add(new TopicPartition(topic, info.partition()));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, Duration.ofSeconds(30));
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      Map<TopicPartition, List<ConsumerRecord<String, String>>> byPartition = new HashMap<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!caughtUp(consumer, partitions, end)) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("checker could not read " + topic + " up to " + end + " within 60 s");
        }
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          byPartition.computeIfAbsent(new TopicPartition(record.topic(), record.partition()), p -> new ArrayList<>())
              .add(record);
        }
      }
      long mismatches = 0;
      for (TopicPartition partition : partitions) {
        List<ConsumerRecord<String, String>> read = byPartition.getOrDefault(partition, List.of());
        into.addAll(read);
        long position = consumer.position(partition, Duration.ofSeconds(30));
        if (position - begin.get(partition) != read.size()) {
          mismatches++;
        }
      }
      return mismatches;
    }
  }

  private static boolean caughtUp(KafkaConsumer<String, String> consumer, List<TopicPartition> partitions,
      Map<TopicPartition, Long> end) {
    for (TopicPartition partition : partitions) {
      if (consumer.position(partition, Duration.ofSeconds(30)) < end.get(partition)) {
        return false;
      }
    }
    return true;
  }
}
