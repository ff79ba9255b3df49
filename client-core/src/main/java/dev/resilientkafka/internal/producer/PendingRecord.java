package dev.resilientkafka.internal.producer;

import dev.resilientkafka.DeliveryFailedException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.jspecify.annotations.Nullable;

/**
 * One record from {@code send()} to its outcome: its serialized form, where it goes, and the future the
 * application holds. It is also the callback the inner Kafka producer completes, so a record costs one
 * object of ours beside Kafka's own.
 *
 * <p>The outcome is set once ({@link #finish}), whichever thread gets there first: Kafka's I/O thread,
 * the dispatcher (deadline, close), or a sender (overflow). Fields other than the outcome are written
 * before the record is shared (safe publication through the queues and Kafka's accumulator) or only by
 * the thread handing it to Kafka, except {@link #nextInFlight}, which {@link PartitionSlot} writes and reads
 * with release and acquire.
 */
final class PendingRecord implements Future<RecordMetadata>, Callback {
  private static final VarHandle OUTCOME;

  static {
    try {
      OUTCOME = MethodHandles.lookup().findVarHandle(PendingRecord.class, "outcome", Object.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final RecordBuffer owner;
  final @Nullable Integer explicitPartition;
  final int sizeInBytes;
  final long acceptedNanos;
  final long deadlineNanos;
  final @Nullable Callback callback;

  /** The topic's lane; replaced only when the lane was dropped for being idle before the record queued. */
  TopicLane lane;
  /** The record as handed to Kafka; rebuilt with the partition once it is known. */
  ProducerRecord<byte[], byte[]> kafkaRecord;
  /** The partition chosen (or given); -1 until then, {@link RecordBuffer#KAFKA_CHOOSES} for keyless records. */
  int partition = -1;
  /**
   * The slot of its partition, set just before it is handed to Kafka (its completion may come before the
   * inner send() returns); null while it was never offered, or offered to a partition beyond the known count.
   */
  @Nullable PartitionSlot slot;
  /** The partition Kafka reported with a failure of a record whose partition it chose; -1 when none. */
  volatile int reportedPartition = -1;

  /** The partition to tell the application: the chosen one, else the one Kafka reported, else -1 (unknown). */
  int partitionForApplication() {
    return partition >= 0 ? partition : reportedPartition;
  }
  /**
   * From when a missing acknowledgement counts as a stall: when it was accepted, or, for a record an
   * earlier process left in the spool, when this process read it back (its age then says nothing of the
   * cluster now).
   */
  long stallSinceNanos;
  /** It holds room in the buffer's bound, given back when it completes. */
  boolean reserved;
  /** Its sequence in the durable spool, or -1 (no spool). */
  long spoolSequence = -1;
  /** It waited in a queue (Kafka did not take it at once), so its delivery counts as a recovery. */
  boolean waited;
  /** Per-lane order of queued records, for flush() watermarks. */
  long queueSequence;
  /** When Kafka first refused it, in nanoTime; 0 while it has not. */
  long firstRefusalNanos;
  /** Why Kafka last refused to take it, for the cause when it expires in a queue. */
  @Nullable Exception lastRefusal;

  /**
   * The next record of its partition's in-flight list ({@link PartitionSlot}); once removed, another removed
   * record or itself.
   */
  @SuppressWarnings("unused") // through PartitionSlot's NEXT
  @Nullable PendingRecord nextInFlight;

  /** The thread inside the inner send() for this record: a completion on it is a synchronous refusal. */
  @Nullable Thread handingThread;
  @Nullable Exception refusal;

  /** A {@link RecordMetadata} or a {@link DeliveryFailedException}; null while pending. */
  @SuppressWarnings("unused") // through OUTCOME
  private volatile @Nullable Object outcome;
  /**
   * The future shows the outcome: set after the buffer gave the record's room back and its callback ran,
   * as {@code KafkaProducer}'s future completes after the batch's callbacks.
   */
  private volatile boolean published;
  private volatile boolean awaited;

  PendingRecord(RecordBuffer owner, TopicLane lane, ProducerRecord<byte[], byte[]> kafkaRecord,
      @Nullable Integer explicitPartition, long acceptedNanos, long deadlineNanos, @Nullable Callback callback) {
    this(owner, lane, kafkaRecord, explicitPartition, acceptedNanos, deadlineNanos, callback,
        sizeOf(kafkaRecord.key(), kafkaRecord.value(), kafkaRecord.headers()));
  }

  PendingRecord(RecordBuffer owner, TopicLane lane, ProducerRecord<byte[], byte[]> kafkaRecord,
      @Nullable Integer explicitPartition, long acceptedNanos, long deadlineNanos, @Nullable Callback callback,
      int sizeInBytes) {
    this.owner = owner;
    this.lane = lane;
    this.kafkaRecord = kafkaRecord;
    this.explicitPartition = explicitPartition;
    this.sizeInBytes = sizeInBytes;
    this.acceptedNanos = acceptedNanos;
    this.stallSinceNanos = acceptedNanos;
    this.deadlineNanos = deadlineNanos;
    this.callback = callback;
  }

  /** Serialized bytes of key, value and headers; at most {@code Integer.MAX_VALUE} (never wraps negative). */
  static int sizeOf(byte @Nullable [] key, byte @Nullable [] value, Headers headers) {
    return sizeOf(key, value, headers.toArray());
  }

  /** Serialized bytes of key, value and headers; at most {@code Integer.MAX_VALUE} (never wraps negative). */
  static int sizeOf(byte @Nullable [] key, byte @Nullable [] value, Header[] headers) {
    long size = (key == null ? 0L : key.length) + (value == null ? 0L : value.length);
    for (Header header : headers) {
      size += sizeOf(header);
    }
    return (int) Math.min(Integer.MAX_VALUE, size);
  }

  private static long sizeOf(Header header) {
    byte[] bytes = header.value();
    return header.key().length() + (bytes == null ? 0L : bytes.length);
  }

  String topic() {
    return kafkaRecord.topic();
  }

  @Nullable Long timestamp() {
    return kafkaRecord.timestamp();
  }

  byte @Nullable [] key() {
    return kafkaRecord.key();
  }

  /**
   * The record for Kafka with {@code partition} (none for {@link RecordBuffer#KAFKA_CHOOSES}); the same
   * object while the partition is unchanged.
   */
  ProducerRecord<byte[], byte[]> forPartition(int partition) {
    ProducerRecord<byte[], byte[]> current = kafkaRecord;
    Integer given = current.partition();
    boolean kafkaChooses = partition == RecordBuffer.KAFKA_CHOOSES;
    if (kafkaChooses ? given != null : given == null || given != partition) {
      current = OutgoingRecord.copy(current, kafkaChooses ? null : partition, current.timestamp());
      kafkaRecord = current;
    }
    return current;
  }

  /**
   * Keeps only what a record waiting on disk needs in memory (its place, its size, who to tell): the
   * spool holds its bytes until {@link #restore} reads them back.
   */
  void dropPayload() {
    ProducerRecord<byte[], byte[]> current = kafkaRecord;
    kafkaRecord = new ProducerRecord<byte[], byte[]>(current.topic(), explicitPartition, current.timestamp(), null, (byte[]) null);
  }

  /** Puts back the bytes {@link #dropPayload} dropped, as the spool kept them. */
  void restore(dev.resilientkafka.internal.spool.SpooledRecord spooled) {
    kafkaRecord = RecordBuffer.kafkaRecord(spooled);
  }

  /** Stamps the record with {@code timestamp} (epoch ms) when the application gave none. */
  void stampIfUnset(long timestamp) {
    ProducerRecord<byte[], byte[]> current = kafkaRecord;
    if (current.timestamp() == null) {
      kafkaRecord = OutgoingRecord.copy(current, current.partition(), timestamp);
    }
  }

  /** Kafka's completion of this record (or its synchronous refusal inside the inner send()). */
  @Override
  public void onCompletion(@Nullable RecordMetadata metadata, @Nullable Exception exception) {
    if (handingThread == Thread.currentThread()) {
      refusal = exception != null ? exception : new IllegalStateException("inner send completed without a result");
      return;
    }
    owner.completedByKafka(this, metadata, exception);
  }

  /**
   * Sets the outcome; true for the one call that did, false when the record was already complete. The
   * caller then gives the record's room back, tells the application and calls {@link #publish()}.
   */
  boolean finish(Object result) {
    return OUTCOME.compareAndSet(this, null, result);
  }

  /** Completes the future with the outcome {@link #finish} set (once the callback ran). */
  void publish() {
    published = true;
    if (awaited) {
      synchronized (this) {
        notifyAll();
      }
    }
  }

  /** The outcome is set (the future may not show it yet: see {@link #publish()}). */
  boolean completed() {
    return outcome != null;
  }

  @Override
  public boolean isDone() {
    return published;
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    return false;
  }

  @Override
  public boolean isCancelled() {
    return false;
  }

  @Override
  public RecordMetadata get() throws InterruptedException, ExecutionException {
    if (!published) {
      synchronized (this) {
        awaited = true;
        while (!published) {
          wait();
        }
      }
    }
    return value(outcome);
  }

  @Override
  public RecordMetadata get(long timeout, TimeUnit unit)
      throws InterruptedException, ExecutionException, TimeoutException {
    if (!published) {
      long deadline = System.nanoTime() + unit.toNanos(timeout);
      synchronized (this) {
        awaited = true;
        while (!published) {
          long remaining = deadline - System.nanoTime();
          if (remaining <= 0) {
            throw new TimeoutException("the record was not completed within " + unit.toMillis(timeout) + " ms");
          }
          TimeUnit.NANOSECONDS.timedWait(this, remaining);
        }
      }
    }
    return value(outcome);
  }

  private static RecordMetadata value(@Nullable Object result) throws ExecutionException {
    if (result instanceof RecordMetadata metadata) {
      return metadata;
    }
    throw new ExecutionException((Throwable) result);
  }

  @Override
  public String toString() {
    int known = partitionForApplication();
    return "record for " + topic() + (known >= 0 ? "-" + known : "");
  }
}
