package dev.resilientkafka.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.resilientkafka.internal.consumer.ConsumerSettings;
import dev.resilientkafka.internal.consumer.DuplicateFilter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** The bounded record-id window and the consumer's settings. */
class DuplicateFilterTest {
  private static final TopicPartition P0 = new TopicPartition("t", 0);

  private static byte[] id(long n) {
    return ByteBuffer.allocate(16).putLong(0x5eedL).putLong(n).array();
  }

  private static ConsumerRecord<String, String> record(long offset, byte[] id) {
    RecordHeaders headers = new RecordHeaders();
    if (id != null) {
      headers.add("resilient-id", id.clone());
    }
    return new ConsumerRecord<>("t", 0, offset, 0L, TimestampType.CREATE_TIME, 1, 1, "k" + offset, "v",
        headers, Optional.empty());
  }

  private static ConsumerRecords<String, String> batch(List<ConsumerRecord<String, String>> records) {
    long next = records.get(records.size() - 1).offset() + 1;
    return new ConsumerRecords<>(Map.of(P0, records), Map.of(P0, new OffsetAndMetadata(next)));
  }

  @Test
  void dropsRepeatedIdsWithinTheWindowAndKeepsNextOffsets() {
    DuplicateFilter filter = new DuplicateFilter(3, "resilient-id");
    List<ConsumerRecord<String, String>> dropped = new ArrayList<>();
    ConsumerRecords<String, String> first = filter.filter(batch(List.of(record(0, id(1)), record(1, id(2)),
        record(2, id(1)), record(3, null), record(4, null))), (p, r) -> dropped.add(r));

    assertThat(first.count()).isEqualTo(4);
    assertThat(dropped).extracting(ConsumerRecord::offset).containsExactly(2L);
    assertThat(first.nextOffsets()).containsEntry(P0, new OffsetAndMetadata(5));

    // window 3: ids 2,3,4 remembered after these; id 1 has been forgotten and passes again
    filter.filter(batch(List.of(record(5, id(3)), record(6, id(4)))), (p, r) -> dropped.add(r));
    ConsumerRecords<String, String> later = filter.filter(batch(List.of(record(7, id(1)), record(8, id(4)))),
        (p, r) -> dropped.add(r));
    assertThat(later.records(P0)).extracting(ConsumerRecord::offset).containsExactly(7L);
    assertThat(dropped).extracting(ConsumerRecord::offset).containsExactly(2L, 8L);
    assertThat(filter.size()).isEqualTo(3);
  }

  @Test
  void theKeyIsTopicPartitionAndIdSoACopiedHeaderElsewhereIsNotADuplicate() {
    DuplicateFilter filter = new DuplicateFilter(100, "resilient-id");
    byte[] ulid = "01J9ZQ4T2W8G3H5K7M9P1R3S5V".getBytes(java.nio.charset.StandardCharsets.US_ASCII); // 26 bytes
    List<ConsumerRecord<String, String>> dropped = new ArrayList<>();
    assertThat(filter.filter(single("orders", 0, 10, ulid), (p, r) -> dropped.add(r)).count()).isEqualTo(1);
    // the same header bytes on another partition, and on a retry topic: other records
    assertThat(filter.filter(single("orders", 1, 3, ulid), (p, r) -> dropped.add(r)).count()).isEqualTo(1);
    assertThat(filter.filter(single("orders-retry", 0, 0, ulid), (p, r) -> dropped.add(r)).count()).isEqualTo(1);
    // a repeat in the same partition (a producer retry wrote it twice) is dropped, whatever the id's length
    assertThat(filter.filter(single("orders", 0, 11, ulid), (p, r) -> dropped.add(r)).count()).isZero();
    assertThat(filter.filter(single("orders", 0, 12, new byte[] {7}), (p, r) -> dropped.add(r)).count()).isEqualTo(1);
    assertThat(filter.filter(single("orders", 0, 13, new byte[] {7}), (p, r) -> dropped.add(r)).count()).isZero();
    assertThat(dropped).extracting(ConsumerRecord::offset).containsExactly(11L, 13L);
  }

  @Test
  void forgettingAPartitionLetsItsRedeliveryThroughAndKeepsTheOthers() {
    DuplicateFilter filter = new DuplicateFilter(100, "resilient-id");
    filter.filter(single("t", 0, 0, id(1)), (p, r) -> {});
    filter.filter(single("t", 1, 0, id(2)), (p, r) -> {});
    filter.forget(List.of(new TopicPartition("t", 0))); // revoked: Kafka delivers it again from the committed offset
    assertThat(filter.filter(single("t", 0, 0, id(1)), (p, r) -> {}).count()).as("re-delivery after revoke").isEqualTo(1);
    assertThat(filter.filter(single("t", 1, 1, id(2)), (p, r) -> {}).count()).as("kept partition").isZero();
    assertThat(filter.size()).isEqualTo(2);
  }

  private static ConsumerRecords<String, String> single(String topic, int partition, long offset, byte[] id) {
    RecordHeaders headers = new RecordHeaders();
    headers.add("resilient-id", id.clone());
    TopicPartition tp = new TopicPartition(topic, partition);
    ConsumerRecord<String, String> record = new ConsumerRecord<>(topic, partition, offset, 0L, TimestampType.CREATE_TIME,
        1, 1, "k", "v", headers, Optional.empty());
    return new ConsumerRecords<>(Map.of(tp, List.of(record)), Map.of(tp, new OffsetAndMetadata(offset + 1)));
  }

  @Test
  void clearForgetsEveryId() {
    DuplicateFilter filter = new DuplicateFilter(10, "resilient-id");
    filter.filter(batch(List.of(record(0, id(1)))), (p, r) -> {});
    filter.clear();
    assertThat(filter.filter(batch(List.of(record(0, id(1)))), (p, r) -> {}).count()).isEqualTo(1);
  }

  @Test
  void settingsHaveDefaultsAndNameTheKeyOnError() {
    Map<String, Object> config = new HashMap<>(Map.of("group.id", "g"));
    ConsumerSettings defaults = ConsumerSettings.extract(config);
    assertThat(defaults.dedupWindow()).isZero();
    assertThat(defaults.dedupHeader()).isEqualTo("resilient-record-id");
    assertThat(config).containsOnlyKeys("group.id");

    config.put("resilient.consumer.dedup.window", "-1");
    assertThatThrownBy(() -> ConsumerSettings.extract(new HashMap<>(config)))
        .hasMessageContaining("resilient.consumer.dedup.window").hasMessageContaining("accepted values: 0 to 10000000");
    config.put("resilient.consumer.dedup.window", "100");
    config.put("resilient.consumer.dedup.windw", "1");
    assertThatThrownBy(() -> ConsumerSettings.extract(new HashMap<>(config)))
        .hasMessageContaining("resilient.consumer.dedup.windw").hasMessageContaining("accepted keys");
    config.remove("resilient.consumer.dedup.windw");
    Map<String, Object> copy = new HashMap<>(config);
    assertThat(ConsumerSettings.extract(copy).dedupWindow()).isEqualTo(100);
    assertThat(copy).containsOnlyKeys("group.id");
  }
}
