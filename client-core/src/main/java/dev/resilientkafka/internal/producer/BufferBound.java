package dev.resilientkafka.internal.producer;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bound on records accepted and not yet completed, in records and in serialized bytes. Taking and
 * giving back room is lock-free, one atomic operation on one word holding both counts (records in the
 * high bits, bytes in the low {@link #BYTE_BITS}), so that senders and Kafka's I/O thread share one cache
 * line once per record, not twice; only a sender that has to wait for room ({@code BLOCK}) takes a lock,
 * and waiters are served first come, first served, as in Kafka's own buffer pool: while anyone waits,
 * a newcomer does not take room ahead of them. Thread-safe.
 */
final class BufferBound {
  /** Bits of the packed word counting bytes; the 24 above them count records. */
  static final int BYTE_BITS = 39;
  /** The largest byte bound the packed word holds: 512 GiB - 1. */
  static final long MAX_BYTES = (1L << BYTE_BITS) - 1;
  /** The largest record bound the packed word holds. */
  static final long MAX_RECORDS = (1L << (63 - BYTE_BITS)) - 1;
  private static final long ONE_RECORD = 1L << BYTE_BITS;

  private final long maxRecords;
  private final long maxBytes;
  /** Records accepted and not completed (high bits) and their bytes (low {@link #BYTE_BITS}). */
  private final AtomicLong used = new AtomicLong();
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

  long records() {
    return used.get() >>> BYTE_BITS;
  }

  long bytes() {
    return used.get() & MAX_BYTES;
  }

  /** Takes room for one record of {@code size} bytes if there is room and nobody waits for it. */
  boolean tryTake(int size) {
    return waiting == 0 && take(size);
  }

  private boolean take(int size) {
    long current;
    do {
      current = used.get();
      if ((current >>> BYTE_BITS) + 1 > maxRecords || (current & MAX_BYTES) + size > maxBytes) {
        return false;
      }
    } while (!used.compareAndSet(current, current + ONE_RECORD + size));
    return true;
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
    used.addAndGet(-(ONE_RECORD + size));
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
