package dev.resilientkafka.producer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilientkafka.ResilientProducerConfig;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Everything in a topic, read without a consumer group, and the checks the issue asks for. */
final class TopicContents {
  private final List<ConsumerRecord<String, String>> records;

  private TopicContents(List<ConsumerRecord<String, String>> records) {
    this.records = records;
  }

  static TopicContents read(String bootstrap, String topic, Duration timeout) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "reader-" + UUID.randomUUID());
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo info : consumer.partitionsFor(topic, timeout)) {
        partitions.add(new TopicPartition(topic, info.partition()));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      List<ConsumerRecord<String, String>> records = new ArrayList<>();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
        assertThat(System.nanoTime()).as("read %s to its end within %s", topic, timeout).isLessThan(deadline);
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      return new TopicContents(records);
    }
  }

  /** Numbers of the records written by the workload with this prefix, in offset order per partition. */
  List<ConsumerRecord<String, String>> of(String prefix) {
    return records.stream().filter(r -> r.key() != null && r.key().startsWith(prefix + "-")).toList();
  }

  /**
   * Keys whose values (numbered {@code <n>-...}) go backwards in their partition, as "key: a before b".
   */
  List<String> keyOrderViolations(String keyPrefix) {
    Map<String, Integer> last = new HashMap<>();
    List<String> violations = new ArrayList<>();
    for (ConsumerRecord<String, String> record : of(keyPrefix)) {
      int n = Integer.parseInt(record.value().substring(0, record.value().indexOf('-')));
      Integer previous = last.put(record.partition() + "/" + record.key(), n);
      if (previous != null && previous > n) {
        violations.add(record.key() + ": " + previous + " before " + n);
      }
    }
    return violations;
  }

  static int number(ConsumerRecord<String, String> record) {
    return Integer.parseInt(record.value().substring(record.value().lastIndexOf('-') + 1));
  }

  /**
   * Every acknowledged record is there exactly once (by value and by record id), and per key the
   * numbers grow with the offsets. Returns how many records of the workload are in the topic.
   */
  int assertExactlyOnceInKeyOrder(KeyedWorkload workload, boolean hasRecordIds) {
    List<ConsumerRecord<String, String>> mine = of(workload.prefix);
    Set<Integer> numbers = new HashSet<>();
    Set<ByteBuffer> ids = new HashSet<>();
    Map<String, Integer> lastPerKey = new HashMap<>();
    List<String> outOfOrder = new ArrayList<>();
    for (ConsumerRecord<String, String> record : mine) {
      int n = number(record);
      assertThat(numbers.add(n)).as("record %s appears once", record.value()).isTrue();
      if (hasRecordIds) {
        Header id = record.headers().lastHeader(ResilientProducerConfig.DEFAULT_RECORD_ID_HEADER);
        assertThat(id).as("record id header on %s", record.value()).isNotNull();
        assertThat(new String(id.value(), java.nio.charset.StandardCharsets.US_ASCII))
            .as("record id of %s is printable ULID text", record.value()).matches("[0-9A-HJKMNP-TV-Z]{26}");
        assertThat(ids.add(ByteBuffer.wrap(id.value()))).as("record id of %s is unique", record.value()).isTrue();
      }
      Integer previous = lastPerKey.put(record.key(), n);
      if (previous != null && previous > n) {
        outOfOrder.add(record.key() + ": " + previous + " before " + n);
      }
    }
    assertThat(outOfOrder).as("per-key order").isEmpty();
    for (int acked : workload.outcomes.ackedNumbers()) {
      assertThat(numbers).as("acknowledged record %s-%d is in the topic", workload.prefix, acked).contains(acked);
    }
    return mine.size();
  }
}
