package dev.resilientkafka.internal.producer;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The records of one partition that Kafka holds (handed over, not yet completed), oldest first. Kafka
 * completes the records of a partition in order, so completed records leave from the head and the head
 * is the oldest record still in flight: its age tells a stalled partition (no acknowledgement while
 * records wait) from a slow one. Lock-free: senders append, whoever completes a record trims the head.
 *
 * <p>The slot of keyless records (whose partition Kafka chooses) holds records of every partition, which
 * complete out of order: a record stuck on a stopped broker would keep every later, completed record
 * behind it. So completed records are also swept out from anywhere once the queue holds twice as many
 * entries as were in flight after the last sweep (plus {@link #SWEEP_SLACK}): memory stays bounded by the
 * records in flight, at a constant amortized cost per record.
 */
final class PartitionSlot {
  private static final int SWEEP_SLACK = 1024;
  final int partition;
  /** Records complete out of order here (the keyless slot): completed ones are swept out from anywhere. */
  private final boolean sweeping;
  private final ConcurrentLinkedQueue<PendingRecord> inFlight = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean trimming = new AtomicBoolean();
  /** Entries in {@link #inFlight}, about (appends and removals race with a sweep's recount). */
  private final AtomicInteger entries = new AtomicInteger();
  /** Sweep when {@link #entries} passes this. */
  private volatile int sweepAt = SWEEP_SLACK;

  PartitionSlot(int partition) {
    this.partition = partition;
    this.sweeping = partition == RecordBuffer.KAFKA_CHOOSES;
  }

  void handedOver(PendingRecord record) {
    inFlight.offer(record);
    if ((sweeping && entries.incrementAndGet() > sweepAt) || record.isDone()) {
      trim(); // completed before it was added: nothing else would take it out
    }
  }

  /** Removes completed records from the head, and from anywhere when due; one thread at a time, others skip. */
  void trim() {
    if (!trimming.compareAndSet(false, true)) {
      return;
    }
    try {
      PendingRecord head;
      while ((head = inFlight.peek()) != null && head.isDone()) {
        if (inFlight.poll() != null && sweeping) {
          entries.decrementAndGet();
        }
      }
      if (sweeping && entries.get() > sweepAt) {
        inFlight.removeIf(PendingRecord::isDone);
        int left = inFlight.size();
        entries.set(left);
        sweepAt = 2 * left + SWEEP_SLACK;
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
