package dev.resilientkafka.internal.producer;

import dev.resilientkafka.internal.spool.RecoveryReport;
import dev.resilientkafka.internal.spool.Spool;
import dev.resilientkafka.internal.spool.SpoolException;
import dev.resilientkafka.internal.spool.SpooledRecord;
import java.util.AbstractMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.common.header.Header;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  private static final Logger LOG = LoggerFactory.getLogger(SpoolBacklog.class);
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
  /** Records waiting here (recovered ones included) plus the one being moved into memory; changed under the lock. */
  volatile long pending;
  final RecoveryReport recovery;

  SpoolBacklog(Spool spool) {
    this.spool = spool;
    this.recovery = spool.recovery();
    this.recoveredLeft = recovery.records();
    this.pending = recovery.records();
  }

  /** Recovered records read ahead of need, in spool order; only the dispatcher touches them. */
  private final ArrayDeque<SpooledRecord> readAhead = new ArrayDeque<>();
  private boolean unreadableReported;

  /**
   * The next record an earlier process left, read from disk in batches (at most about {@code freeBytes} at
   * once); it stays the next one until {@link #recoveredTaken()}. Null when none is left, or when the rest
   * cannot be read (reported once; they stay in the spool). Dispatcher only.
   */
  @Nullable SpooledRecord nextRecovered(long freeBytes) {
    if (readAhead.isEmpty()) {
      List<SpooledRecord> batch;
      try {
        batch = spool.readPending(recoveredNext, (int) Math.min(256, recoveredLeft), Math.max(1, freeBytes));
      } catch (SpoolException e) {
        if (!unreadableReported) {
          unreadableReported = true;
          LOG.warn("the records an earlier process left in the spool at {} cannot all be read back ({}); {} of them"
              + " stay there unsent", spool.directory(), e.getMessage(), recoveredLeft);
        }
        giveUpRecovered();
        return null;
      }
      if (batch.isEmpty()) {
        giveUpRecovered(); // completed meanwhile: nothing left to read
        return null;
      }
      readAhead.addAll(batch);
    }
    return readAhead.peekFirst();
  }

  /** The record {@link #nextRecovered} returned went on its way. */
  void recoveredTaken() {
    SpooledRecord taken = readAhead.pollFirst();
    if (taken != null) {
      recoveredNext = taken.sequence() + 1;
      recoveredLeft--;
    }
  }

  private void giveUpRecovered() {
    lock.lock();
    try {
      pending -= recoveredLeft;
      recoveredLeft = 0;
    } finally {
      lock.unlock();
    }
  }

  /** A record that waited here is routed (or failed): it no longer holds new records back. */
  void moved() {
    lock.lock();
    try {
      pending--;
    } finally {
      lock.unlock();
    }
  }

  /** Empties the queue (close): the records stay in the spool for the next producer. */
  List<PendingRecord> drainAll() {
    lock.lock();
    try {
      List<PendingRecord> left = new ArrayList<>(waiting);
      waiting.clear();
      pending = 0;
      recoveredLeft = 0;
      return left;
    } finally {
      lock.unlock();
    }
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
