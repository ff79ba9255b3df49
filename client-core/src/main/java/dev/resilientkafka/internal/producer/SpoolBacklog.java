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
  /** flush() target meaning "the records an earlier process left". */
  static final long RECOVERED_ONLY = Long.MAX_VALUE;
  /** Spool sequence of the record being moved into memory, -1 when none; under the lock. */
  private long moving = -1;
  /** Whether {@link #moving} is a record an earlier process left. */
  private boolean movingRecovered;
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

  /** The record {@link #nextRecovered} returned is being moved into memory; {@link #moved()} follows. */
  void recoveredTaken() {
    SpooledRecord taken = readAhead.pollFirst();
    if (taken != null) {
      lock.lock();
      try {
        recoveredNext = taken.sequence() + 1;
        recoveredLeft--;
        moving = taken.sequence();
        movingRecovered = true;
      } finally {
        lock.unlock();
      }
    }
  }

  /** The record taken off {@link #waiting} (under the lock) is being moved into memory; {@link #moved()} follows. */
  void taking(PendingRecord record) {
    moving = record.spoolSequence;
    movingRecovered = false;
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
      moving = -1;
      movingRecovered = false;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Whether every record up to spool sequence {@code target} (or, for {@link #RECOVERED_ONLY}, every
   * record an earlier process left) has left the disk and been routed. Under the lock.
   */
  boolean movedUpTo(long target) {
    if (recoveredLeft > 0 || movingRecovered) {
      return false;
    }
    if (target == RECOVERED_ONLY) {
      return true;
    }
    PendingRecord head = waiting.peekFirst();
    return (head == null || head.spoolSequence > target) && (moving < 0 || moving > target);
  }

  /**
   * What a flush() now must wait for: the spool sequence of the last record waiting here or being moved,
   * {@link #RECOVERED_ONLY} when only an earlier process's records are left, -1 when nothing. Under the lock.
   */
  long flushTarget() {
    PendingRecord tail = waiting.peekLast();
    if (tail != null) {
      return tail.spoolSequence;
    }
    if (moving >= 0 && !movingRecovered) {
      return moving;
    }
    return recoveredLeft > 0 || movingRecovered ? RECOVERED_ONLY : -1;
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
