package dev.resilientkafka.benchmarks;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a whole topic back and counts each record id written by a {@link PacedProducer}: how many ids
 * never arrived (lost) and how many arrived more than once (duplicates).
 *
 * @param distinct ids present at least once
 * @param missing ids offered and accepted but absent
 * @param duplicates copies beyond the first, over all ids
 */
public record TopicAudit(long distinct, long missing, long duplicates) {

  /**
   * Reads {@code topic} from the beginning to its end offsets (read_committed is not needed: no
   * transactions) and audits the ids {@code 0 .. offered-1}, of which {@code refused} never entered.
   */
  public static TopicAudit read(String bootstrapServers, String topic, long offered, long refused) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    int[] counts = new int[(int) offered];
    long outside = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(60));
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while (!caughtUp(consumer, end) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          long id = ByteBuffer.wrap(record.value()).getLong();
          if (id >= 0 && id < counts.length) {
            counts[(int) id]++;
          } else {
            outside++;
          }
        }
      }
    }
    long distinct = 0;
    long absent = 0;
    long duplicates = outside;
    for (int count : counts) {
      if (count == 0) {
        absent++;
      } else {
        distinct++;
        duplicates += count - 1;
      }
    }
    return new TopicAudit(distinct, Math.max(0, absent - refused), duplicates);
  }

  private static boolean caughtUp(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> entry : end.entrySet()) {
      if (consumer.position(entry.getKey()) < entry.getValue()) {
        return false;
      }
    }
    return true;
  }
}
