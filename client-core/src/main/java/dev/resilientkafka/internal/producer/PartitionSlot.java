package dev.resilientkafka.internal.producer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.errors.RetriableException;
import org.jspecify.annotations.Nullable;

/**
 * The records of one partition that Kafka holds (handed over, not yet completed), oldest first. Kafka
 * completes the records of a partition in order, so completed records leave from the head and the head
 * is the oldest record still in flight: its age tells a stalled partition (no acknowledgement while
 * records wait) from a slow one.
 *
 * <p><b>The list.</b> The records themselves are its links ({@link PendingRecord#nextInFlight}): no node
 * is allocated per record. Senders append lock-free (one atomic exchange of the tail, then a link from the
 * previous tail: a multi-producer queue after Dmitry Vyukov's); one thread at a time removes (a flag;
 * others skip). A record is removed only once its successor is linked, or, when it is the last one, by
 * moving the tail off it with a compare-and-set, so a sender never links to a removed record. The last
 * record a trim removes links to itself, so removed records link only to removed ones: an old record the
 * collector has not freed yet must not keep the records in flight (and every later one) reachable. A
 * reader that meets a record linked to itself starts again from the head.
 *
 * <p><b>When records leave.</b> The thread that completes a record (Kafka's I/O thread, almost always)
 * trims the head right after: Kafka completes a partition's records in order, so the head is the record
 * it just completed, whose memory that thread has just touched, and the trim reads little more than the
 * next record (which that thread completes next). Senders do not trim a keyed partition's list: when they
 * did (every 32nd hand-over), reading records completed on another core cost them about a tenth of their
 * time at saturation. The head and the tail are padded onto cache lines of their own, as the senders
 * write the tail at every hand-over and the completing thread the head at every completion. A trim
 * skipped (another thread was trimming) or a record completed before its hand-over was recorded leaves
 * completed records in the list until the next trim, at the latest the dispatcher's look at the oldest
 * record (every second). These were counted in the buffer's bound until they completed: memory is held
 * up to a second longer, not beyond the bound's size.
 *
 * <p>Between a sender's exchange of the tail and its link from the previous record, its record (and any
 * appended after it) is not reachable from the head: a look at the list in that window of a few
 * instructions misses them, as it would miss a record not handed over yet.
 *
 * <p>The slot of keyless records (whose partition Kafka chooses) holds records of every partition, which
 * complete out of order: a record stuck on a stopped broker would keep every later, completed record
 * behind it. So completed records are also swept out from anywhere once the list holds twice as many
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
  private static final VarHandle TAIL;
  private static final VarHandle HEAD;
  private static final VarHandle NEXT;
  private static final VarHandle TRIMMING;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      TAIL = lookup.findVarHandle(TailFields.class, "tail", PendingRecord.class);
      HEAD = lookup.findVarHandle(HeadFields.class, "head", PendingRecord.class);
      TRIMMING = lookup.findVarHandle(HeadFields.class, "trimming", boolean.class);
      NEXT = lookup.findVarHandle(PendingRecord.class, "nextInFlight", PendingRecord.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final int SWEEP_SLACK = 1024;
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
  /** The oldest record linked (null when none is) and the remover's flag. */
  abstract static class HeadFields extends CacheLinePadding {
    volatile @Nullable PendingRecord head;
    volatile boolean trimming;
  }

  /** {@link HeadFields} with 64 bytes of padding after them: a cache line of their own. */
  @SuppressWarnings("unused")
  static final class HeadEnd extends HeadFields {
    long q1, q2, q3, q4, q5, q6, q7, q8;
  }

  /** The record appended last, or null when none is linked. */
  abstract static class TailFields extends CacheLinePadding {
    volatile @Nullable PendingRecord tail;
  }

  /** {@link TailFields} with 64 bytes of padding after it: a cache line of its own. */
  @SuppressWarnings("unused")
  static final class TailEnd extends TailFields {
    long q1, q2, q3, q4, q5, q6, q7, q8;
  }

  final int partition;
  /** Records complete out of order here (the keyless slot): completed ones are swept out from anywhere. */
  private final boolean sweeping;
  /** The remover's end of the list, on cache lines of its own. */
  private final HeadEnd headEnd = new HeadEnd();
  /** The senders' end of the list, on cache lines of its own. */
  private final TailEnd tailEnd = new TailEnd();
  /** Records in the list, about (appends and removals race with a sweep's recount); the keyless slot only. */
  private final AtomicInteger entries = new AtomicInteger();
  private final int sweepSlack;
  /** Sweep when {@link #entries} passes this. */
  private volatile int sweepAt;
  /** Kafka acknowledged a record of this partition from this producer: every record is admitted. */
  private volatile boolean acknowledged;
  /** Before {@link #acknowledged}: a record is being handed over or is in flight. */
  private final AtomicBoolean priming = new AtomicBoolean();

  PartitionSlot(int partition) {
    this(partition, SWEEP_SLACK);
  }

  /** With another sweep slack (tests: a sweep at every trim with 0). */
  PartitionSlot(int partition, int sweepSlack) {
    this.partition = partition;
    this.sweeping = partition == RecordBuffer.KAFKA_CHOOSES;
    this.sweepSlack = sweepSlack;
    this.sweepAt = sweepSlack;
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
    PendingRecord previous = (PendingRecord) TAIL.getAndSet(tailEnd, record);
    if (previous == null) {
      headEnd.head = record; // the list was empty (or emptied by a trim that moved the tail off its last record)
    } else {
      NEXT.setRelease(previous, record);
    }
    if (sweeping && entries.incrementAndGet() > sweepAt) {
      trim(); // a sweep: completed records behind a stuck one, from anywhere
    }
  }

  /**
   * Removes completed records from the head, and from anywhere when due (the keyless slot); one thread at a
   * time, others skip. Called after each completion, and by every look at the oldest record of a list that
   * is not empty.
   */
  void trim() {
    HeadEnd end = headEnd;
    if (!TRIMMING.compareAndSet(end, false, true)) {
      return;
    }
    try {
      trimHead(end);
      if (sweeping && entries.get() > sweepAt) {
        int left = sweep(end);
        entries.set(left);
        sweepAt = 2 * left + sweepSlack;
      }
    } finally {
      TRIMMING.setRelease(end, false); // a lock's release: the next acquirer's CAS sees the trim; skippers never retry
    }
  }

  private void trimHead(HeadEnd end) {
    PendingRecord first = end.head;
    if (first == null) {
      return;
    }
    PendingRecord before = null;
    PendingRecord last = first;
    PendingRecord next;
    int removed = 0;
    while (last.completed() && (next = next(last)) != null) {
      before = last;
      last = next;
      removed++;
    }
    if (last.completed() && TAIL.compareAndSet(tailEnd, last, null)) {
      // all completed: the list empties, unless a sender appending to the empty list set a new head already.
      // The removed records link only to each other (the last one to nothing): nothing to unlink
      HEAD.compareAndSet(end, first, null);
      removed(removed + 1);
    } else if (before != null) {
      end.head = last;
      // after the head moved; only the record before it is unlinked: the removed ones then link only to each
      // other, which keeps no record in flight reachable through them
      NEXT.setRelease(before, before);
      removed(removed);
    }
  }

  private void removed(int count) {
    if (sweeping && count > 0) {
      entries.addAndGet(-count);
    }
  }

  /**
   * Unlinks completed records after the head (whose successor is linked: the last one stays). Returns the
   * records left.
   */
  private int sweep(HeadEnd end) {
    PendingRecord before = end.head;
    if (before == null) {
      return 0;
    }
    int left = 1;
    PendingRecord record = next(before);
    while (record != null) {
      PendingRecord next = next(record);
      if (next == null) {
        return left + 1;
      }
      if (record.completed()) {
        NEXT.setRelease(before, next);
        NEXT.setRelease(record, record); // it linked to a record in flight: rare enough to write each
      } else {
        before = record;
        left++;
      }
      record = next;
    }
    return left;
  }

  private static @Nullable PendingRecord next(PendingRecord record) {
    return (PendingRecord) NEXT.getAcquire(record);
  }

  /** The oldest record Kafka holds for this partition, or null. */
  @Nullable PendingRecord oldest() {
    if (headEnd.head == null) {
      return null; // empty: no trim (a compare-and-set) for the many idle partitions of a producer of many topics
    }
    trim();
    for (PendingRecord record : inFlight()) {
      if (!record.completed()) {
        return record;
      }
    }
    return null;
  }

  /**
   * Every record Kafka holds for this partition, oldest first, and some just completed; a record may come
   * twice when a removal runs meanwhile (for close(), which fails each once).
   */
  Iterable<PendingRecord> inFlight() {
    return () -> new Iterator<>() {
      private @Nullable PendingRecord next = headEnd.head;

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public PendingRecord next() {
        PendingRecord current = next;
        if (current == null) {
          throw new NoSuchElementException();
        }
        PendingRecord following = PartitionSlot.next(current);
        // removed meanwhile (the last one removed links to itself): go on from the head, which moved first
        next = following == current ? headEnd.head : following;
        return current;
      }
    };
  }

  boolean idle() {
    return oldest() == null;
  }
}
