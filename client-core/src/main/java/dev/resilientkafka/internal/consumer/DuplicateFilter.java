package dev.resilientkafka.internal.consumer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * Drops records whose record-id header was already seen among the last {@code window} ids. Records without
 * the header always pass. Only the polling thread uses it (as the consumer itself): not thread-safe.
 */
public final class DuplicateFilter {
  private final String header;
  private final LinkedHashMap<ByteBuffer, Boolean> seen;

  public DuplicateFilter(int window, String header) {
    if (window <= 0) {
      throw new IllegalArgumentException("window must be > 0");
    }
    this.header = header;
    this.seen = new LinkedHashMap<>(Math.min(window, 1 << 16) * 2, 0.75f, false) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Boolean> eldest) {
        return size() > window;
      }
    };
  }

  /** The records minus duplicates; {@code dropped} hears of each record left out. */
  public <K, V> ConsumerRecords<K, V> filter(ConsumerRecords<K, V> records,
      BiConsumer<TopicPartition, ConsumerRecord<K, V>> dropped) {
    if (records.isEmpty()) {
      return records;
    }
    Map<TopicPartition, List<ConsumerRecord<K, V>>> kept = new HashMap<>();
    boolean anyDropped = false;
    for (TopicPartition partition : records.partitions()) {
      List<ConsumerRecord<K, V>> list = new ArrayList<>();
      for (ConsumerRecord<K, V> record : records.records(partition)) {
        Header id = record.headers().lastHeader(header);
        if (id != null && id.value() != null
            && seen.put(ByteBuffer.wrap(id.value().clone()), Boolean.TRUE) != null) {
          anyDropped = true;
          dropped.accept(partition, record);
        } else {
          list.add(record);
        }
      }
      kept.put(partition, list);
    }
    return anyDropped ? new ConsumerRecords<>(kept, records.nextOffsets()) : records;
  }

  /** Forgets every id: an explicit seek means the application wants to read again. */
  public void clear() {
    seen.clear();
  }

  public int size() {
    return seen.size();
  }
}
