package dev.resilientkafka.internal.producer;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The records of one partition that Kafka holds (handed over, not yet completed), oldest first. Kafka
 * completes the records of a partition in order, so completed records leave from the head and the head
 * is the oldest record still in flight: its age tells a stalled partition (no acknowledgement while
 * records wait) from a slow one. Lock-free: senders append, whoever completes a record trims the head.
 */
final class PartitionSlot {
  final int partition;
  private final ConcurrentLinkedQueue<PendingRecord> inFlight = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean trimming = new AtomicBoolean();

  PartitionSlot(int partition) {
    this.partition = partition;
  }

  void handedOver(PendingRecord record) {
    inFlight.offer(record);
    if (record.isDone()) {
      trim(); // completed before it was added: nothing else would take it out
    }
  }

  /** Removes completed records from the head; one thread at a time, others skip. */
  void trim() {
    if (!trimming.compareAndSet(false, true)) {
      return;
    }
    try {
      PendingRecord head;
      while ((head = inFlight.peek()) != null && head.isDone()) {
        inFlight.poll();
      }
    } finally {
      trimming.set(false);
    }
  }

  /** The oldest record Kafka holds for this partition, or null. */
  @Nullable PendingRecord oldest() {
    trim();
    return inFlight.peek();
  }

  /** Every record Kafka holds for this partition (and some just completed); for close(). */
  Iterable<PendingRecord> inFlight() {
    return inFlight;
  }

  boolean idle() {
    return oldest() == null;
  }
}
