package dev.resilientkafka.internal.producer;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.errors.RetriableException;
import org.jspecify.annotations.Nullable;

/**
 * The records of one partition that Kafka holds (handed over, not yet completed), oldest first. Kafka
 * completes the records of a partition in order, so completed records leave from the head and the head
 * is the oldest record still in flight: its age tells a stalled partition (no acknowledgement while
 * records wait) from a slow one. Lock-free: senders append, and every {@link #TRIM_EVERY}th hand-over
 * also removes the completed records from the head, as does every look at the oldest record (the
 * dispatcher looks every second). Kafka's I/O thread, which completes the records, does not touch the
 * queue: taking a record out there cost it about a tenth of its time at saturation (the queue's head and
 * tail share a cache line with the senders' appends), and that thread paces the whole producer. So a
 * completed record stays referenced until the partition's next trim: at most {@link #TRIM_EVERY} of them
 * while records keep coming, and what was in flight when the partition's records stopped coming until the
 * dispatcher's next look. These were counted in the buffer's bound until they completed: memory is held
 * about a second longer, not beyond the bound's size.
 *
 * <p>The slot of keyless records (whose partition Kafka chooses) holds records of every partition, which
 * complete out of order: a record stuck on a stopped broker would keep every later, completed record
 * behind it. So completed records are also swept out from anywhere once the queue holds twice as many
 * entries as were in flight after the last sweep (plus {@link #SWEEP_SLACK}): memory stays bounded by the
 * records in flight, at a constant amortized cost per record.
 *
 * <p><b>First acknowledgement.</b> Until Kafka has acknowledged one record of a keyed partition from this
 * producer, the slot admits one record at a time. A broker that has no state yet for a new idempotent
 * producer accepts whatever sequence number comes first: if the producer's first batch is refused
 * (NOT_ENOUGH_REPLICAS while brokers come back one by one) and a later batch of the same partition is
 * accepted meanwhile, the first one never fits again and Kafka retries it as OUT_OF_ORDER_SEQUENCE_NUMBER
 * until its delivery timeout (KAFKA-14359, KAFKA-15591). One batch in flight until the first
 * acknowledgement leaves nothing to overtake it; after that the broker holds the producer's state and
 * refuses a gap instead of accepting it.
 */
final class PartitionSlot {
  private static final int SWEEP_SLACK = 1024;
  /** A sender handing over this many records of the partition trims the queue's head (a power of two). */
  static final int TRIM_EVERY = 32;
  /** Why a record waits: its partition has a record in flight and no acknowledgement yet. Shared, no stack. */
  static final RetriableException AWAITING_FIRST_ACK = new FirstAcknowledgementPending();

  /** The refusal of {@link #admit}: a name of its own in a failure's cause chain. */
  static final class FirstAcknowledgementPending extends RetriableException {
    private static final long serialVersionUID = 1L;

    private FirstAcknowledgementPending() {
      super("waiting for Kafka's first acknowledgement of this producer on the partition: until then one record"
          + " of it at a time is handed to Kafka");
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }
  final int partition;
  /** Records complete out of order here (the keyless slot): completed ones are swept out from anywhere. */
  private final boolean sweeping;
  private final ConcurrentLinkedQueue<PendingRecord> inFlight = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean trimming = new AtomicBoolean();
  /** Entries in {@link #inFlight}, about (appends and removals race with a sweep's recount). */
  private final AtomicInteger entries = new AtomicInteger();
  /**
   * Records handed over, counting towards the next trim. Senders of a partition increment it without
   * synchronisation: an increment lost to a race only delays a trim, which the dispatcher's look makes anyway.
   */
  private int handed;
  /** Sweep when {@link #entries} passes this. */
  private volatile int sweepAt = SWEEP_SLACK;
  /** Kafka acknowledged a record of this partition from this producer: every record is admitted. */
  private volatile boolean acknowledged;
  /** Before {@link #acknowledged}: a record is being handed over or is in flight. */
  private final AtomicBoolean priming = new AtomicBoolean();

  PartitionSlot(int partition) {
    this.partition = partition;
    this.sweeping = partition == RecordBuffer.KAFKA_CHOOSES;
  }

  /**
   * Whether a record may be handed to Kafka now: always once the partition was acknowledged; before that
   * only when no other record of it is being handed over or in flight (this call then takes that place).
   * Keyless records are always admitted: their partition is not known before Kafka chooses it.
   */
  boolean admit() {
    return acknowledged || sweeping || priming.compareAndSet(false, true);
  }

  /** Kafka did not take the record {@link #admit} let through: the place is free again. */
  void admittedRefused() {
    if (!acknowledged) {
      priming.set(false);
    }
  }

  /**
   * Kafka completed a record of this partition. Returns true when that lets waiting records through: the
   * first acknowledgement, or the in-flight record failing before any (the next one may then go).
   */
  boolean completedByKafka(boolean acknowledgedNow) {
    if (acknowledged || sweeping) {
      return false;
    }
    if (acknowledgedNow) {
      acknowledged = true;
    }
    priming.set(false);
    return true;
  }

  void handedOver(PendingRecord record) {
    inFlight.offer(record);
    boolean due = (++handed & (TRIM_EVERY - 1)) == 0;
    if (sweeping) {
      due |= entries.incrementAndGet() > sweepAt; // a sweep: completed records behind a stuck one, from anywhere
    }
    if (due) {
      trim();
    }
  }

  /**
   * Removes completed records from the head, and from anywhere when due (the keyless slot); one thread at a
   * time, others skip.
   */
  void trim() {
    if (!trimming.compareAndSet(false, true)) {
      return;
    }
    try {
      PendingRecord head;
      while ((head = inFlight.peek()) != null && head.completed()) {
        if (inFlight.poll() != null && sweeping) {
          entries.decrementAndGet();
        }
      }
      if (sweeping && entries.get() > sweepAt) {
        inFlight.removeIf(PendingRecord::completed);
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
