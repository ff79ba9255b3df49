package dev.resilientkafka.internal.producer;

import dev.resilientkafka.internal.spool.RecoveryReport;
import dev.resilientkafka.internal.spool.Spool;
import dev.resilientkafka.internal.spool.SpooledRecord;
import java.util.AbstractMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.common.header.Header;
import org.jspecify.annotations.Nullable;

/**
 * The records of a producer with a durable spool that wait on disk only, in spool order: first those a
 * previous process left in the spool (read back in batches, never all at once), then those accepted while
 * the memory bound was full (kept here as payload-less {@link PendingRecord}s: the application's future
 * and callback stay in memory, the bytes on disk). While anything waits here, every new record waits here
 * too, behind it, so no record of a partition overtakes an older one on disk. {@link #pending} counts what
 * waits here plus the record being moved into memory, as {@code TopicLane.waiting} does for a topic.
 * The queue is guarded by {@link #lock}.
 */
final class SpoolBacklog {
  final Spool spool;
  final ReentrantLock lock = new ReentrantLock();
  /** Records of this process that wait on disk, in spool order. */
  final ArrayDeque<PendingRecord> waiting = new ArrayDeque<>();
  /**
   * Where to read the next record a previous process left (they have lower sequences than anything this
   * process appends, and nothing completes them before they are read back), and how many are left.
   */
  long recoveredNext;
  volatile long recoveredLeft;
  /** Size of the recovered record that did not fit in memory last time; read again once this much is free. */
  long recoveredWanted;
  /** Records waiting here (recovered ones included) plus the one being moved into memory. */
  volatile long pending;
  final RecoveryReport recovery;

  SpoolBacklog(Spool spool) {
    this.spool = spool;
    this.recovery = spool.recovery();
    this.recoveredLeft = recovery.records();
    this.pending = recovery.records();
  }

  /** Converts a record for the spool. */
  static SpooledRecord spooled(String topic, @Nullable Integer partition, @Nullable Long timestamp,
      byte @Nullable [] key, byte @Nullable [] value, Iterable<Header> headers, long acceptedAtMillis) {
    List<Map.Entry<String, byte @Nullable []>> list = new ArrayList<>(2);
    for (Header header : headers) {
      list.add(new AbstractMap.SimpleImmutableEntry<>(header.key(), header.value()));
    }
    return new SpooledRecord(-1, topic, partition == null ? -1 : partition, timestamp == null ? -1 : timestamp,
        key, value, list, acceptedAtMillis);
  }
}
