package dev.resilientkafka.examples.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a whole topic back (no consumer group) and counts what arrived, twice, and out of order. */
final class ReadBack {
  final Set<String> values = new HashSet<>();
  long records;
  long duplicates;
  long reordered;

  /** How many distinct values the producer called {@code name} sent arrived. */
  long arrivedOf(String name) {
    return values.stream().filter(v -> v.startsWith(name + "-")).count();
  }

  static ReadBack of(String bootstrap, String topic, Duration timeout) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    ReadBack result = new ReadBack();
    Map<String, Long> lastSeqByKey = new HashMap<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo info : consumer.partitionsFor(topic, timeout)) {
        partitions.add(new TopicPartition(topic, info.partition()));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end within " + timeout);
        }
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          result.records++;
          if (!result.values.add(record.value())) {
            result.duplicates++;
          }
          long seq = Long.parseLong(record.value().substring(record.value().lastIndexOf('-') + 1));
          Long previous = lastSeqByKey.put(record.key(), seq);
          if (previous != null && previous > seq) {
            result.reordered++;
          }
        }
      }
    }
    return result;
  }
}
