package dev.resilientkafka.internal.consumer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * Drops records whose record-id header was already seen in the same partition, among the last {@code
 * window} ids seen by this consumer. Records without the header always pass.
 *
 * <p>The key is (topic, partition, header bytes): the bytes are opaque and may have any length, and a
 * record re-published with its headers copied (a retry topic, a dead-letter replay) is another record, not
 * a duplicate.
 *
 * <p>Rule for rebalances and seeks: a partition's ids are {@linkplain #forget forgotten} whenever the
 * consumer stops owning it or is given it anew (revoked, lost, newly assigned, unassigned by {@code
 * assign}, unsubscribed) and when the application seeks in it. At each of these points Kafka starts the
 * partition again from the committed (or sought) offset, so every record seen before is delivered again
 * on purpose, for work that was cancelled or never committed; remembering its id would hide it. The
 * filter therefore drops only repeats seen while the consumer owns the partition without interruption
 * (the copies a producer retry writes), never a re-delivery after a rebalance: delivery stays at least
 * once.
 *
 * <p>Only the polling thread uses it (as the consumer itself, rebalance callbacks included): not
 * thread-safe.
 */
public final class DuplicateFilter {
  private record Key(TopicPartition partition, ByteBuffer id) {}

  private final String header;
  private final LinkedHashMap<Key, Boolean> seen;

  /**
   * @param window how many ids are remembered in all, over every partition; the oldest goes first
   * @param header the name of the record-id header
   */
  public DuplicateFilter(int window, String header) {
    if (window <= 0) {
      throw new IllegalArgumentException("window must be > 0");
    }
    this.header = header;
    this.seen = new LinkedHashMap<>(Math.min(window, 1 << 16) * 2, 0.75f, false) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<Key, Boolean> eldest) {
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
            && seen.put(new Key(partition, ByteBuffer.wrap(id.value().clone())), Boolean.TRUE) != null) {
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

  /** Forgets the ids of {@code partitions}: Kafka delivers them again from the committed or sought offset. */
  public void forget(Collection<TopicPartition> partitions) {
    if (partitions.isEmpty() || seen.isEmpty()) {
      return;
    }
    Set<TopicPartition> gone = partitions instanceof Set<TopicPartition> set ? set : new HashSet<>(partitions);
    seen.keySet().removeIf(key -> gone.contains(key.partition()));
  }

  /** Forgets every id (the consumer unsubscribed). */
  public void clear() {
    seen.clear();
  }

  /** Ids remembered now. */
  public int size() {
    return seen.size();
  }
}
