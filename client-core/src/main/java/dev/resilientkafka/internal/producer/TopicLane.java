package dev.resilientkafka.internal.producer;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.common.PartitionInfo;
import org.jspecify.annotations.Nullable;

/**
 * Everything the producer keeps per topic: the partitions as last read from the inner producer's
 * metadata, the records Kafka holds per partition ({@link PartitionSlot}; keyless records, whose partition
 * Kafka's partitioner chooses, in a slot of their own), and the records waiting because Kafka did not take
 * them.
 *
 * <p>Waiting records are kept in send order in one queue per topic (Kafka refuses records of a topic
 * together: no metadata yet, or its accumulator full), except records for an explicit partition beyond
 * the known partition count or behind a partition's first unacknowledged record, which wait in their
 * partition's own queue so that the topic's other partitions keep flowing. {@link #waiting} counts the
 * records in the topic's queue plus the one the dispatcher is handing over, so a sender that reads zero
 * (and zero {@link #waitingPerPartition}) knows nothing of this topic is ahead of its record. The queues
 * are guarded by {@link #lock}, taken only on the slow path; the fast path reads volatile fields only.
 */
final class TopicLane {
  /** How often the fast path re-reads the partition count from the inner producer's metadata. */
  private static final long PARTITIONS_CHECK_NANOS = 1_000_000_000L;

  /** A snapshot of the topic's partition count from the inner producer; immutable. */
  record Partitions(int count, long readNanos) {
    static Partitions of(List<PartitionInfo> infos, long now) {
      return new Partitions(infos.size(), now);
    }
  }

  final String topic;
  final ReentrantLock lock = new ReentrantLock();
  /** Records waiting for the topic (no partition known or Kafka refused them), in send order. */
  final ArrayDeque<PendingRecord> queue = new ArrayDeque<>();
  /**
   * Records that wait for one partition only, by partition, in send order: an explicit partition beyond
   * the known count, or a partition whose first record from this producer is not acknowledged yet
   * ({@link PartitionSlot#admit}). The topic's other partitions flow meanwhile.
   */
  final Map<Integer, ArrayDeque<PendingRecord>> partitionQueues = new HashMap<>();
  /** Queued records plus the one being handed over by the dispatcher; read without the lock. */
  volatile int waiting;
  /** How many records wait in {@link #partitionQueues}; read without the lock. */
  volatile int waitingPerPartition;
  /** Set under {@link #lock} when the lane is dropped for being idle; senders then look it up again. */
  boolean retired;
  long nextQueueSequence;
  int attempt;
  long nextAttemptNanos;
  volatile long lastUsedNanos;
  /**
   * Set by Kafka's I/O thread when a partition of this topic got its first acknowledgement (or its one
   * record in flight failed before one): the dispatcher then offers the queue again without waiting.
   */
  volatile boolean admitting;
  /**
   * Why the inner producer last failed to get the topic's metadata, other than "not yet" (a TLS/SASL
   * refusal, an invalid topic): the cause named when its waiting records expire. Null once it has it.
   */
  volatile @Nullable Exception metadataError;

  private volatile @Nullable Partitions partitions;
  private volatile PartitionSlot[] slots = new PartitionSlot[0];
  /** Keyless records Kafka holds: Kafka's partitioner chose their partition, known when they complete. */
  private final PartitionSlot kafkaChosen = new PartitionSlot(RecordBuffer.KAFKA_CHOOSES);

  TopicLane(String topic, long now) {
    this.topic = topic;
    this.lastUsedNanos = now;
  }

  @Nullable Partitions partitions() {
    return partitions;
  }

  void partitions(Partitions fresh) {
    partitions = fresh;
  }

  /** The cached partitions when read less than a second ago, else null (the caller reads them again). */
  @Nullable Partitions freshPartitions(long now) {
    Partitions known = partitions;
    return known != null && now - known.readNanos() < PARTITIONS_CHECK_NANOS ? known : null;
  }

  /** The slot of {@code partition}, or of the records whose partition Kafka chooses ({@link RecordBuffer#KAFKA_CHOOSES}). */
  PartitionSlot slot(int partition) {
    PartitionSlot existing = existingSlot(partition);
    if (existing != null) {
      return existing;
    }
    synchronized (this) {
      PartitionSlot[] current = slots;
      if (partition >= current.length) {
        current = java.util.Arrays.copyOf(current, Math.max(partition + 1, current.length * 2));
      }
      PartitionSlot slot = current[partition];
      if (slot == null) {
        slot = new PartitionSlot(partition);
        current[partition] = slot;
      }
      slots = current;
      return slot;
    }
  }

  /** The slot of {@code partition} if Kafka was ever given a record of it, else null (nothing is allocated). */
  @Nullable PartitionSlot existingSlot(int partition) {
    if (partition == RecordBuffer.KAFKA_CHOOSES) {
      return kafkaChosen;
    }
    PartitionSlot[] current = slots;
    return partition >= 0 && partition < current.length ? current[partition] : null;
  }

  /** Every slot: one per partition used so far, then the one of records Kafka chose the partition for. */
  List<PartitionSlot> slots() {
    List<PartitionSlot> all = new java.util.ArrayList<>();
    for (PartitionSlot slot : slots) {
      if (slot != null) {
        all.add(slot);
      }
    }
    all.add(kafkaChosen);
    return all;
  }

  /** Whether nothing waits and Kafka holds nothing for this topic. */
  boolean idle() {
    if (waiting > 0 || waitingPerPartition > 0) {
      return false;
    }
    if (!kafkaChosen.idle()) {
      return false;
    }
    for (PartitionSlot slot : slots) {
      if (slot != null && !slot.idle()) {
        return false;
      }
    }
    return true;
  }

  /** The oldest record of this topic not yet completed (waiting or in flight), or null. */
  @Nullable PendingRecord oldest() {
    PendingRecord oldest = null;
    // the counts are raised right after a record is queued: zero means no queue to look at (a record being
    // queued this instant is missed, as one queued an instant later would be)
    if (waiting > 0 || waitingPerPartition > 0) {
      lock.lock();
      try {
        oldest = older(oldest, queue.peekFirst());
        for (ArrayDeque<PendingRecord> q : partitionQueues.values()) {
          oldest = older(oldest, q.peekFirst());
        }
      } finally {
        lock.unlock();
      }
    }
    for (PartitionSlot slot : slots) {
      if (slot != null) {
        oldest = older(oldest, slot.oldest());
      }
    }
    return older(oldest, kafkaChosen.oldest());
  }

  private static @Nullable PendingRecord older(@Nullable PendingRecord a, @Nullable PendingRecord b) {
    if (a == null) {
      return b;
    }
    return b == null || a.acceptedNanos - b.acceptedNanos <= 0 ? a : b;
  }

  @Override
  public String toString() {
    return topic;
  }
}
