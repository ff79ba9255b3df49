package dev.resilientkafka.internal.producer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bound on records accepted and not yet completed, in records and in serialized bytes. Taking and
 * giving back room is lock-free. Senders add what they take to one running total and completions (Kafka's
 * I/O thread) what they give back to another, each a word holding both counts (records in the high bits,
 * bytes in the low {@link #BYTE_BITS}) on a cache line of its own, so that a record costs no transfer of a
 * line between the senders' cores and the completing thread's. The room in use is the difference of the
 * totals (modulo 2^64: the totals may wrap, the difference, at most the bound, never does). A sender
 * checks against the given-back total it last read and reads it again only when that says there is no
 * room: an older total only makes the check stricter. Only a sender that has to wait for room
 * ({@code BLOCK}) takes a lock, and waiters are served first come, first served, as in Kafka's own buffer
 * pool: while anyone waits, a newcomer does not take room ahead of them. Thread-safe.
 */
final class BufferBound {
  private static final VarHandle TAKEN;
  private static final VarHandle GIVEN;
  private static final VarHandle GIVEN_SEEN;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      TAKEN = lookup.findVarHandle(TakenFields.class, "taken", long.class);
      GIVEN = lookup.findVarHandle(GivenFields.class, "given", long.class);
      GIVEN_SEEN = lookup.findVarHandle(TakenFields.class, "givenSeen", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Bits of a packed word counting bytes; the 24 above them count records. */
  static final int BYTE_BITS = 39;
  /** The largest byte bound the packed word holds: 512 GiB - 1. */
  static final long MAX_BYTES = (1L << BYTE_BITS) - 1;
  /** The largest record bound the packed word holds. */
  static final long MAX_RECORDS = (1L << (63 - BYTE_BITS)) - 1;
  private static final long ONE_RECORD = 1L << BYTE_BITS;

  /** Room ever taken (packed) and the given-back total a sender last read: the senders' line. */
  abstract static class TakenFields extends CacheLinePadding {
    volatile long taken;
    volatile long givenSeen;
  }

  @SuppressWarnings("unused")
  static final class Taken extends TakenFields {
    long q1, q2, q3, q4, q5, q6, q7, q8;
  }

  /** Room ever given back (packed): the completing thread's line. */
  abstract static class GivenFields extends CacheLinePadding {
    volatile long given;
  }

  @SuppressWarnings("unused")
  static final class Given extends GivenFields {
    long q1, q2, q3, q4, q5, q6, q7, q8;
  }

  private final long maxRecords;
  private final long maxBytes;
  private final Taken taken = new Taken();
  private final Given given = new Given();
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Condition> waiters = new ArrayDeque<>();
  private volatile int waiting;
  private volatile boolean closed;

  BufferBound(long maxRecords, long maxBytes) {
    if (maxRecords < 1 || maxRecords > MAX_RECORDS || maxBytes < 1 || maxBytes > MAX_BYTES) {
      throw new IllegalArgumentException("Invalid bound maxRecords=" + maxRecords + ", maxBytes=" + maxBytes
          + ": maxRecords must be 1 to " + MAX_RECORDS + ", maxBytes 1 to " + MAX_BYTES);
    }
    this.maxRecords = maxRecords;
    this.maxBytes = maxBytes;
  }

  /** With both running totals starting at {@code total} (tests: totals about to wrap past 2^64). */
  BufferBound(long maxRecords, long maxBytes, long total) {
    this(maxRecords, maxBytes);
    taken.taken = total;
    taken.givenSeen = total;
    given.given = total;
  }

  long records() {
    return inUse() >>> BYTE_BITS;
  }

  long bytes() {
    return inUse() & MAX_BYTES;
  }

  /**
   * The packed room in use: exact when no sender took room while it was read (the given-back total read
   * while the taken one did not move); while senders keep taking, an estimate that is never below the room
   * in use at the first read and never beyond the bound (for gauges and messages, not for taking room).
   */
  private long inUse() {
    for (int attempt = 0; attempt < 8; attempt++) {
      long before = taken.taken;
      long back = given.given;
      if (taken.taken == before) {
        return before - back;
      }
    }
    long back = given.given; // first: every record it counts as given back is counted as taken below
    long used = taken.taken - back;
    return Math.min(used >>> BYTE_BITS, maxRecords) << BYTE_BITS | Math.min(used & MAX_BYTES, maxBytes);
  }

  /** Takes room for one record of {@code size} bytes if there is room and nobody waits for it. */
  boolean tryTake(int size) {
    return waiting == 0 && take(size);
  }

  private boolean take(int size) {
    Taken mine = taken;
    while (true) {
      long current = mine.taken;
      long used = current - mine.givenSeen;
      if (!fits(used, size)) {
        long back = given.given;
        long seen;
        // forward only, and at least to what this sender read: taken - givenSeen then never passes the bound
        // (each take checked it), so the packed difference never carries bytes into the record count
        while ((seen = mine.givenSeen) - back < 0 && !GIVEN_SEEN.compareAndSet(mine, seen, back)) {
          Thread.onSpinWait();
        }
        used = current - back;
        if (!fits(used, size)) {
          if (mine.taken != current) {
            // others took room meanwhile, and what was read as given back may include records taken after
            // current was read (then the difference is below zero): read both again
            continue;
          }
          return false;
        }
      }
      if (TAKEN.compareAndSet(mine, current, current + ONE_RECORD + size)) {
        return true;
      }
    }
  }

  private boolean fits(long used, int size) {
    return (used >>> BYTE_BITS) + 1 <= maxRecords && (used & MAX_BYTES) + size <= maxBytes;
  }

  /**
   * Waits up to {@code timeoutNanos} for room, behind the senders already waiting. Returns false on
   * timeout or when the bound is closed.
   */
  boolean awaitTake(int size, long timeoutNanos) throws InterruptedException {
    lock.lock();
    Condition turn = lock.newCondition();
    waiters.addLast(turn);
    waiting++;
    try {
      long remaining = timeoutNanos;
      while (true) {
        if (closed) {
          return false;
        }
        if (waiters.peekFirst() == turn && take(size)) {
          return true;
        }
        if (remaining <= 0) {
          return false;
        }
        remaining = turn.awaitNanos(remaining);
      }
    } finally {
      waiters.remove(turn);
      waiting--;
      Condition next = waiters.peekFirst();
      if (next != null) {
        next.signal();
      }
      lock.unlock();
    }
  }

  /** Gives back the room of one completed record; wakes the first waiter, if any. */
  void give(int size) {
    GIVEN.getAndAdd(given, ONE_RECORD + size);
    if (waiting > 0) {
      lock.lock();
      try {
        Condition first = waiters.peekFirst();
        if (first != null) {
          first.signal();
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /** Fails every waiter and every later wait. */
  void close() {
    closed = true;
    lock.lock();
    try {
      waiters.forEach(Condition::signal);
    } finally {
      lock.unlock();
    }
  }
}
