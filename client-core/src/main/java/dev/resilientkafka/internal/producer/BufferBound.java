package dev.resilientkafka.internal.producer;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bound on records accepted and not yet completed, in records and in serialized bytes. Taking and
 * giving back room is lock-free; only a sender that has to wait for room ({@code BLOCK}) takes a lock,
 * and waiters are served first come, first served, as in Kafka's own buffer pool: while anyone waits,
 * a newcomer does not take room ahead of them. Thread-safe.
 */
final class BufferBound {
  private final long maxRecords;
  private final long maxBytes;
  private final AtomicLong records = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Condition> waiters = new ArrayDeque<>();
  private volatile int waiting;
  private volatile boolean closed;

  BufferBound(long maxRecords, long maxBytes) {
    this.maxRecords = maxRecords;
    this.maxBytes = maxBytes;
  }

  long records() {
    return records.get();
  }

  long bytes() {
    return bytes.get();
  }

  /** Takes room for one record of {@code size} bytes if there is room and nobody waits for it. */
  boolean tryTake(int size) {
    return waiting == 0 && take(size);
  }

  private boolean take(int size) {
    long r;
    do {
      r = records.get();
      if (r + 1 > maxRecords) {
        return false;
      }
    } while (!records.compareAndSet(r, r + 1));
    long b;
    do {
      b = bytes.get();
      if (b + size > maxBytes) {
        records.decrementAndGet();
        return false;
      }
    } while (!bytes.compareAndSet(b, b + size));
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
    records.decrementAndGet();
    bytes.addAndGet(-size);
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
