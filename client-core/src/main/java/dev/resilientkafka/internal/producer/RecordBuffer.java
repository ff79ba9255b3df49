package dev.resilientkafka.internal.producer;

import dev.resilientkafka.DeliveryFailedException;
import dev.resilientkafka.FailureCause;
import dev.resilientkafka.OverflowPolicy;
import dev.resilientkafka.ResilientProducerConfig;
import dev.resilientkafka.internal.cluster.ClusterView;
import dev.resilientkafka.internal.spool.Spool;
import dev.resilientkafka.internal.spool.SpoolException;
import dev.resilientkafka.internal.spool.SpooledRecord;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.utils.Utils;
import org.jspecify.annotations.Nullable;

/**
 * Every record from {@code send()} to its outcome, bounded in records and bytes, and the ordered hand-off
 * to the inner (idempotent, never-blocking) Kafka producer.
 *
 * <p><b>Fast path.</b> A record whose topic has nothing waiting is handed to Kafka on the calling thread
 * without a lock: its partition is chosen from the partition count cached per topic (explicit, the key's
 * murmur2 hash as Kafka's default partitioner; none for keyless records, whose partition Kafka's own
 * sticky, availability-aware partitioner chooses), room is taken from the
 * lock-free {@link BufferBound}, and the record is appended to its {@link PartitionSlot}. Completions run
 * on Kafka's I/O thread and take no lock either.
 *
 * <p><b>Slow path.</b> When Kafka does not take a record (no metadata for the topic yet, its accumulator
 * full: {@code max.block.ms=0} makes the inner {@code send()} refuse at once, on this thread), the record
 * and every later record of its topic wait in the topic's queue, in send order; the {@link Dispatcher}
 * offers them again with backoff. Once Kafka has a record, its idempotent sequencing keeps order and
 * avoids duplicates; a record Kafka fails after taking it is not sent again (that would put it behind
 * later records of its partition) but reported with a cause named from the cluster's state.
 *
 * <p><b>Deadline.</b> A record completes at the latest {@code resilient.delivery.timeout.ms} after
 * {@code send()}: Kafka's own delivery timeout covers records it took at once; a record that waited first
 * is failed by the dispatcher at its deadline even if Kafka still holds it (its outcome is then unknown,
 * as for any record Kafka times out while in flight).
 *
 * <p>Thread-safe. Callbacks and listeners never run while a lock of this class is held.
 */
public final class RecordBuffer implements ClusterView.Member {
  /** A record acknowledged later than this after {@code send()} counts as recovered. */
  private static final long RECOVERED_NANOS = TimeUnit.SECONDS.toNanos(5);
  /** A topic whose oldest record is in flight longer than this is stalled. */
  static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(2);
  /** How long an explicit partition may stay beyond the known count before the record is refused. */
  private static final long OUT_OF_RANGE_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);
  /** At most this many records are handed over per lock hold while draining a queue. */
  private static final int DRAIN_CHUNK = 512;
  /** How often records waiting for a topic's metadata look whether Kafka has it now (no request sent). */
  private static final long METADATA_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  /**
   * How often records waiting in a partition's own queue are offered again (an explicit partition beyond
   * the known count; a partition's first acknowledgement wakes the records waiting for it at once).
   */
  private static final long PARTITION_QUEUE_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final int UNKNOWN = -1;
  private static final int OUT_OF_RANGE = -2;
  /**
   * A keyless record goes to Kafka without a partition: Kafka's built-in partitioner then batches it
   * sticky and, with {@code partitioner.availability.timeout.ms}, keeps away from partitions whose broker
   * stopped taking records, exactly as for a plain producer.
   */
  static final int KAFKA_CHOOSES = -3;

  private final ProducerSettings settings;
  private final Producer<byte[], byte[]> inner;
  private final OutcomeReporter reporter;
  private final FailureClassifier classifier;
  private final ClusterView view;
  private final BufferBound bound;
  private final ReofferRetry reoffer;
  private final long deliveryTimeoutNanos;
  private final String ioThreadName;
  private final Map<String, TopicLane> lanes = new ConcurrentHashMap<>();
  private final Dispatcher dispatcher;
  private final Object progress = new Object();
  /** Records on disk only (durable spool), or null without a spool. */
  private final @Nullable SpoolBacklog backlog;
  /** Senders waiting for room in a full spool (BLOCK) wait here; completions of spooled records notify. */
  private final Object spoolRoom = new Object();
  /** Senders waiting in {@link #awaitSpoolRoom}; completions skip the monitor while none waits. */
  private final AtomicInteger spoolRoomWaiters = new AtomicInteger();
  private HandOff handOff = HandOff.DIRECT;
  private volatile boolean closed;
  private volatile boolean closingInner;
  /**
   * Set when a record is queued, cleared by the dispatcher before it looks at the lanes: while it stays
   * clear no lane has a waiting record, and the dispatcher's round skips them (a producer writing many
   * topics has as many lanes, most of them with nothing waiting).
   */
  private volatile boolean maybeWaiting = true;

  RecordBuffer(ProducerSettings settings, Producer<byte[], byte[]> inner, ClusterView view,
      OutcomeReporter reporter, String clientId) {
    this(settings, inner, view, reporter, clientId, null);
  }

  RecordBuffer(ProducerSettings settings, Producer<byte[], byte[]> inner, ClusterView view,
      OutcomeReporter reporter, String clientId, @Nullable Spool spool) {
    this.backlog = spool == null ? null : new SpoolBacklog(spool);
    this.settings = settings;
    this.inner = inner;
    this.view = view;
    this.reporter = reporter;
    this.classifier = new FailureClassifier(inner, view);
    this.bound = new BufferBound(settings.maxRecords, settings.maxBytes);
    this.deliveryTimeoutNanos = settings.deliveryTimeout.toNanos();
    this.ioThreadName = "kafka-producer-network-thread | " + clientId;
    this.reoffer = new ReofferRetry(clientId, settings.retryBackoff, settings.retryBackoffMax);
    this.dispatcher = new Dispatcher(this, clientId, settings.topicIdle);
  }

  void start() {
    dispatcher.start();
  }

  /** The dispatcher, whose thread {@link #start} starts (tests run its steps on threads of their own). */
  Dispatcher dispatcher() {
    return dispatcher;
  }

  /** Puts {@code gate} in front of every hand-over to Kafka (transactions); called before {@link #start}. */
  void handOff(HandOff gate) {
    this.handOff = gate;
  }

  FailureClassifier classifier() {
    return classifier;
  }

  // ------------------------------------------------------------------ send

  /**
   * Accepts a serialized record, or reports it failed through the returned future and its callback.
   *
   * @throws IllegalStateException after {@link #close}
   * @throws DeliveryFailedException when the buffer is full under {@link OverflowPolicy#FAIL}
   */
  public Future<RecordMetadata> send(String topic, @Nullable Integer partition, byte @Nullable [] key,
      byte @Nullable [] value, Headers headers, @Nullable Header recordId, @Nullable Long timestamp,
      @Nullable Callback callback) {
    if (closed) {
      throw new IllegalStateException("Cannot perform operation after producer has been closed");
    }
    long now = System.nanoTime();
    TopicLane lane = lane(topic, now);
    boolean fast = lane.waiting == 0 && lane.waitingPerPartition == 0;
    int chosen = fast ? partitionFor(lane, partition, key, now) : UNKNOWN;
    Integer kafkaPartition = chosen >= 0 ? Integer.valueOf(chosen) : partition; // null when Kafka chooses
    Header[] allHeaders = OutgoingRecord.headers(headers.toArray(), recordId);
    ProducerRecord<byte[], byte[]> kafkaRecord = new OutgoingRecord(topic, kafkaPartition, timestamp, key, value, allHeaders);
    PendingRecord record = new PendingRecord(this, lane, kafkaRecord, partition, now, now + deliveryTimeoutNanos,
        callback, PendingRecord.sizeOf(key, value, allHeaders));
    if (record.sizeInBytes > settings.maxBytes) {
      fail(record, FailureCause.REJECTED, null, tooLarge(record), null);
      return record;
    }
    SpoolBacklog disk = backlog;
    if (disk != null) {
      if (!spoolAppend(disk, record)) {
        return record;
      }
      if (disk.pending > 0 || !bound.tryTake(record.sizeInBytes)) {
        waitOnDisk(disk, record);
        return record;
      }
    } else if (!bound.tryTake(record.sizeInBytes) && !makeRoom(record)) {
      return record;
    }
    record.reserved = true;
    route(record, now, fast ? chosen : UNKNOWN);
    return record;
  }

  /**
   * To Kafka now when nothing of its topic waits and its partition is known ({@code chosen}, or found
   * here when {@link #UNKNOWN} and the topic is free), else into the topic's queue.
   */
  private boolean route(PendingRecord record, long now, int chosen) {
    TopicLane lane = record.lane;
    int partition = chosen;
    boolean free = lane.waiting == 0 && lane.waitingPerPartition == 0;
    if (!free) {
      // read again: a partition chosen before a slow step (a spool append) may be behind a record that the
      // dispatcher queued meanwhile
      partition = UNKNOWN;
    } else if (partition == UNKNOWN) {
      partition = partitionFor(lane, record.explicitPartition, record.key(), now);
    }
    if (handable(partition)) {
      Exception refused = handOver(record, partition);
      if (refused == null) {
        return true;
      }
      if (!retriable(refused)) {
        fail(record, refusalCause(refused), null, refused, null);
        return false;
      }
      record.lastRefusal = refused;
      record.firstRefusalNanos = now;
    }
    slowPath(record, now);
    return false;
  }

  // ------------------------------------------------------------------ durable spool

  /**
   * Writes the record to the spool (durable under its fsync policy on return). When the spool is full,
   * the overflow policy applies with cause SPOOL_FULL. Returns false when the record is not accepted (its
   * outcome is then set).
   */
  private boolean spoolAppend(SpoolBacklog disk, PendingRecord record) {
    ProducerRecord<byte[], byte[]> kafka = record.kafkaRecord;
    SpooledRecord spooled = SpoolBacklog.spooled(kafka.topic(), record.explicitPartition, kafka.timestamp(),
        kafka.key(), kafka.value(), kafka.headers(), System.currentTimeMillis());
    long deadline = System.nanoTime() + settings.blockTimeout.toNanos();
    while (true) {
      try {
        record.spoolSequence = disk.spool.append(spooled);
        return true;
      } catch (SpoolException e) {
        if (e.reason() != SpoolException.Reason.FULL) {
          fail(record, FailureCause.REJECTED, "the spool could not take it: " + e.getMessage(), e, null);
          return false;
        }
        switch (settings.overflowPolicy) {
          case BLOCK -> {
            if (closed || !awaitSpoolRoom(deadline)) {
              fail(record, closed ? FailureCause.CLOSED : FailureCause.SPOOL_FULL, e.getMessage(), e,
                  closed ? null : OverflowPolicy.BLOCK);
              return false;
            }
          }
          case DROP_NEWEST -> {
            fail(record, FailureCause.SPOOL_FULL, e.getMessage(), e, OverflowPolicy.DROP_NEWEST);
            return false;
          }
          case DROP_OLDEST -> {
            PendingRecord evicted = evictOldestOnDisk(disk);
            if (evicted == null) {
              fail(record, FailureCause.SPOOL_FULL, e.getMessage(), e, OverflowPolicy.DROP_OLDEST);
              return false;
            }
            fail(evicted, FailureCause.SPOOL_FULL, "dropped from the full spool for a newer record", null,
                OverflowPolicy.DROP_OLDEST);
          }
          case FAIL -> {
            reporter.listener().onDropped(record.topic(), OverflowPolicy.FAIL);
            reporter.listener().onFailed(record.topic(), FailureCause.SPOOL_FULL);
            throw new DeliveryFailedException(FailureCause.SPOOL_FULL, e.getMessage()
                + "; send() refused under policy FAIL", e);
          }
          default -> throw new IllegalStateException(settings.overflowPolicy.name());
        }
      }
    }
  }

  private boolean awaitSpoolRoom(long deadline) {
    long remaining = deadline - System.nanoTime();
    if (remaining <= 0) {
      return false;
    }
    spoolRoomWaiters.incrementAndGet();
    try {
      synchronized (spoolRoom) {
        // bounded: a completion that ran just before this waiter counted itself is caught up with soon
        spoolRoom.wait(Math.max(1, Math.min(50, TimeUnit.NANOSECONDS.toMillis(remaining))));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    } finally {
      spoolRoomWaiters.decrementAndGet();
    }
    return true;
  }

  /** The oldest record of this process that waits on disk only, taken out of the backlog; or null. */
  private @Nullable PendingRecord evictOldestOnDisk(SpoolBacklog disk) {
    disk.lock.lock();
    try {
      PendingRecord oldest = disk.waiting.pollFirst();
      if (oldest != null) {
        disk.pending--;
      }
      return oldest; // the one being moved into memory is no longer in the queue: never evicted
    } finally {
      disk.lock.unlock();
    }
  }

  /** The record waits on disk only, behind everything else there; its bytes leave memory. */
  private void waitOnDisk(SpoolBacklog disk, PendingRecord record) {
    record.dropPayload();
    record.waited = true;
    boolean closing;
    disk.lock.lock();
    try {
      closing = closingInner;
      if (!closing) {
        disk.waiting.addLast(record);
        disk.pending++;
      }
    } finally {
      disk.lock.unlock();
    }
    if (closing) {
      // close() has emptied the backlog already: the record stays in the spool for the next producer
      fail(record, FailureCause.CLOSED, null, null, null);
      return;
    }
    dispatcher.wake();
  }

  /**
   * Moves records waiting on disk into memory as room allows, in spool order (those a previous process
   * left first), and routes them as {@code send()} would; fails those past their deadline.
   */
  void drainBacklog(long now, List<PendingRecord> handed, List<Runnable> outcomes) {
    SpoolBacklog disk = backlog;
    if (disk == null || disk.pending == 0) {
      return;
    }
    // an earlier process's records first: until every one of them is in memory, nothing of this process moves
    while (disk.recoveredLeft > 0) {
      SpooledRecord spooled = disk.nextRecovered(settings.maxBytes - bound.bytes());
      if (spooled == null) {
        return; // unreadable (reported) or none left
      }
      PendingRecord record = recovered(spooled, now);
      boolean expired = record.deadlineNanos - now <= 0;
      boolean tooLarge = record.sizeInBytes > settings.maxBytes; // a smaller bound than the earlier process had
      if (!expired && !tooLarge && !bound.tryTake(record.sizeInBytes)) {
        return; // memory full: the same record is taken again when there is room
      }
      disk.recoveredTaken();
      try {
        if (expired) {
          outcomes.add(() -> expired(record, "left in the spool by an earlier process beyond the delivery timeout"));
        } else if (tooLarge) {
          outcomes.add(() -> fail(record, FailureCause.REJECTED, "left in the spool by an earlier process", tooLarge(record),
              null));
        } else {
          record.reserved = true;
          reporter.listener().onResent(record.topic());
          if (route(record, now, UNKNOWN)) {
            handed.add(record);
          }
        }
      } catch (RuntimeException e) {
        outcomes.add(() -> fail(record, FailureCause.REJECTED, "moving it out of the spool failed", e, null));
      } finally {
        disk.moved();
      }
    }
    while (true) {
      PendingRecord head;
      boolean took;
      disk.lock.lock();
      try {
        head = disk.waiting.peekFirst();
        if (head == null) {
          return;
        }
        boolean expiring = !head.completed() && head.deadlineNanos - now <= 0;
        took = !head.completed() && !expiring;
        if (took && !bound.tryTake(head.sizeInBytes)) {
          return;
        }
        // out of the queue before it moves (an eviction for a full spool must not take it now); still counted
        // in pending until it is routed, so that no new record passes it, and flush() waits for it
        disk.waiting.pollFirst();
        disk.taking(head);
      } finally {
        disk.lock.unlock();
      }
      try {
        moveFromDisk(disk, head, took, now, handed, outcomes);
      } catch (RuntimeException e) {
        PendingRecord failed = head;
        outcomes.add(() -> fail(failed, FailureCause.REJECTED, "moving it out of the spool failed", e, null));
      } finally {
        disk.moved();
      }
    }
  }

  private RecordTooLargeException tooLarge(PendingRecord record) {
    return new RecordTooLargeException("the record is " + record.sizeInBytes + " bytes, more than "
        + ResilientProducerConfig.BUFFER_MAX_BYTES + " (" + settings.maxBytes + ")");
  }

  /** Routes one record taken off the disk queue ({@code took}: room was taken for it). */
  private void moveFromDisk(SpoolBacklog disk, PendingRecord head, boolean took, long now, List<PendingRecord> handed,
      List<Runnable> outcomes) {
    // nothing completes a record while the dispatcher moves it (it is in no queue and not in Kafka)
    if (head.completed()) {
      if (took) {
        bound.give(head.sizeInBytes);
      }
      return;
    }
    if (took) {
      head.reserved = true;
    }
    if (!took) {
      outcomes.add(() -> expired(head, "waited on disk beyond its deadline"));
      return;
    }
    SpooledRecord bytes = null;
    Exception unreadable = null;
    try {
      List<SpooledRecord> read = disk.spool.readPending(head.spoolSequence, 1, Long.MAX_VALUE);
      bytes = read.isEmpty() || read.get(0).sequence() != head.spoolSequence ? null : read.get(0);
    } catch (SpoolException e) {
      unreadable = e;
    }
    if (bytes == null) {
      Exception cause = unreadable;
      outcomes.add(() -> fail(head, FailureCause.REJECTED, "its bytes cannot be read back from the spool at "
          + spoolDirectory() + (cause == null ? "" : ": " + cause.getMessage()), cause, null));
      return;
    }
    head.restore(bytes);
    if (route(head, now, UNKNOWN)) {
      handed.add(head);
    }
  }

  /** A record a previous process left in the spool, as a record of this one (nobody to call back). */
  private PendingRecord recovered(SpooledRecord spooled, long now) {
    ProducerRecord<byte[], byte[]> kafka = kafkaRecord(spooled);
    long age = TimeUnit.MILLISECONDS.toNanos(Math.max(0, System.currentTimeMillis() - spooled.acceptedAtMillis()));
    PendingRecord record = new PendingRecord(this, lane(spooled.topic(), now), kafka,
        spooled.partition() < 0 ? null : spooled.partition(), now - age, now - age + deliveryTimeoutNanos, null);
    record.spoolSequence = spooled.sequence();
    record.waited = true;
    record.stallSinceNanos = now;
    return record;
  }

  static ProducerRecord<byte[], byte[]> kafkaRecord(SpooledRecord spooled) {
    Header[] headers = new Header[spooled.headers().size()];
    for (int i = 0; i < headers.length; i++) {
      Map.Entry<String, byte @Nullable []> header = spooled.headers().get(i);
      headers[i] = new RecordHeader(header.getKey(), header.getValue());
    }
    return new OutgoingRecord(spooled.topic(), spooled.partition() < 0 ? null : spooled.partition(),
        spooled.timestamp() < 0 ? null : spooled.timestamp(), spooled.key(), spooled.value(), headers);
  }

  /** Whether records wait on disk only. */
  boolean backlogPending() {
    return backlog != null && backlog.pending > 0;
  }

  /** The durable spool, or null. */
  @Nullable Spool spool() {
    return backlog == null ? null : backlog.spool;
  }

  private TopicLane lane(String topic, long now) {
    TopicLane lane = lanes.get(topic);
    if (lane == null) {
      lane = lanes.computeIfAbsent(topic, t -> new TopicLane(t, now));
      view.track(topic);
    } else if (now - lane.lastUsedNanos > 1_000_000_000L) {
      lane.lastUsedNanos = now;
    }
    return lane;
  }

  /**
   * The partition for a record of {@code lane}: the explicit one, the key's hash over the known count, or
   * {@link #KAFKA_CHOOSES} for keyless records; {@link #UNKNOWN} while the topic's partitions are not known,
   * {@link #OUT_OF_RANGE} for an explicit partition beyond the known count.
   */
  private int partitionFor(TopicLane lane, @Nullable Integer explicit, byte @Nullable [] key, long now) {
    TopicLane.Partitions known = lane.freshPartitions(now);
    if (known == null) {
      known = readPartitions(lane, now);
      if (known == null) {
        return UNKNOWN;
      }
    }
    if (explicit != null) {
      return explicit < known.count() ? explicit : OUT_OF_RANGE;
    }
    if (key != null && !settings.ignoreKeys) {
      return Utils.toPositive(Utils.murmur2(key)) % known.count();
    }
    return KAFKA_CHOOSES;
  }

  /** Whether {@code partition} (from {@link #partitionFor}) lets the record go to Kafka now. */
  private static boolean handable(int partition) {
    return partition >= 0 || partition == KAFKA_CHOOSES;
  }

  /** Reads the topic's partitions from the inner producer's metadata; the last known ones when it has none. */
  private TopicLane.@Nullable Partitions readPartitions(TopicLane lane, long now) {
    try {
      List<PartitionInfo> infos = inner.partitionsFor(lane.topic);
      if (infos != null && !infos.isEmpty()) {
        TopicLane.Partitions fresh = TopicLane.Partitions.of(infos, now);
        lane.partitions(fresh);
        lane.metadataError = null;
        return fresh;
      }
    } catch (KafkaException e) {
      // not in the metadata yet (asked for now: a timeout at once), the producer closing, or a reason to
      // name when the topic's records expire (Kafka reports a TLS/SASL refusal only once)
      if (!(e instanceof TimeoutException)) {
        lane.metadataError = e;
      }
    }
    return lane.partitions();
  }

  /**
   * Hands the record to Kafka. Returns null when Kafka took it, else why Kafka refused it (then the
   * record is not in Kafka and its outcome is not set).
   */
  private @Nullable Exception handOver(PendingRecord record, int partition) {
    record.partition = partition;
    TopicLane lane = record.lane;
    // no slot for a partition beyond the known count until Kafka takes a record of it (Kafka refuses it
    // unless its metadata is newer): an application's bogus partition number allocates nothing
    TopicLane.Partitions known = lane.partitions();
    PartitionSlot slot = partition == KAFKA_CHOOSES || (known != null && partition < known.count())
        ? lane.slot(partition) : lane.existingSlot(partition);
    if (slot != null && !slot.admit()) {
      return PartitionSlot.AWAITING_FIRST_ACK;
    }
    record.slot = slot; // before Kafka has it: its completion may come before send() returns
    ProducerRecord<byte[], byte[]> kafkaRecord = record.forPartition(partition);
    record.refusal = null;
    record.handingThread = Thread.currentThread();
    boolean returned = false;
    boolean taken;
    try {
      handOff.send(inner, kafkaRecord, record);
      returned = true;
    } catch (RuntimeException e) {
      record.refusal = e;
    } finally {
      record.handingThread = null;
      taken = returned && record.refusal == null;
      if (!taken && slot != null) {
        slot.admittedRefused(); // also when the hand-off threw an Error: the partition is not left closed
      }
    }
    if (taken) {
      if (slot == null) {
        // Kafka knew more partitions than the cache: a real one after all (tracked from now on; the record
        // may have completed already, so it does not hold the partition's one place before an acknowledgement)
        slot = lane.slot(partition);
        record.slot = slot;
      }
      slot.handedOver(record);
    }
    return record.refusal;
  }

  private boolean retriable(Exception refused) {
    return (refused instanceof RetriableException || refused instanceof TimeoutException) && !closingInner;
  }

  /** Why Kafka (or the hand-off gate) refused a record for good. */
  private FailureCause refusalCause(Exception refused) {
    return closingInner ? FailureCause.CLOSED : classifier.refusal(refused);
  }

  /**
   * Makes room for {@code record} under the overflow policy; may evict, wait, drop or throw. Returns
   * false when the record is not accepted (its outcome is then set).
   */
  private boolean makeRoom(PendingRecord record) {
    switch (settings.overflowPolicy) {
      case BLOCK -> {
        boolean taken;
        try {
          taken = bound.awaitTake(record.sizeInBytes, settings.blockTimeout.toNanos());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptException(e);
        }
        if (!taken) {
          if (closed) {
            fail(record, FailureCause.CLOSED, null, null, null);
          } else {
            fail(record, FailureCause.BUFFER_FULL, null, null, OverflowPolicy.BLOCK);
          }
        }
        return taken;
      }
      case DROP_NEWEST -> {
        fail(record, FailureCause.BUFFER_FULL, null, null, OverflowPolicy.DROP_NEWEST);
        return false;
      }
      case DROP_OLDEST -> {
        while (!bound.tryTake(record.sizeInBytes)) {
          PendingRecord evicted = evictOldestWaiting();
          if (evicted == null) {
            fail(record, FailureCause.BUFFER_FULL, null, null, OverflowPolicy.DROP_OLDEST);
            return false;
          }
          fail(evicted, FailureCause.BUFFER_FULL, null, null, OverflowPolicy.DROP_OLDEST);
        }
        return true;
      }
      case FAIL -> {
        reporter.listener().onDropped(record.topic(), OverflowPolicy.FAIL);
        reporter.listener().onFailed(record.topic(), FailureCause.BUFFER_FULL);
        throw new DeliveryFailedException(FailureCause.BUFFER_FULL, "buffer full (" + bound.records()
            + " records, " + bound.bytes() + " bytes), send() refused under policy FAIL", null);
      }
      default -> throw new IllegalStateException(settings.overflowPolicy.name());
    }
  }

  /** Takes the oldest record that waits (not yet in Kafka) out of its queue; null when none waits. */
  private @Nullable PendingRecord evictOldestWaiting() {
    while (true) {
      TopicLane oldestLane = null;
      PendingRecord oldest = null;
      for (TopicLane lane : lanes.values()) {
        if (lane.waiting == 0) {
          continue;
        }
        lane.lock.lock();
        try {
          PendingRecord head = lane.queue.peekFirst();
          if (head != null && (oldest == null || head.acceptedNanos - oldest.acceptedNanos < 0)) {
            oldest = head;
            oldestLane = lane;
          }
        } finally {
          lane.lock.unlock();
        }
      }
      if (oldestLane == null) {
        return null;
      }
      oldestLane.lock.lock();
      try {
        if (oldestLane.queue.peekFirst() == oldest) {
          oldestLane.queue.pollFirst();
          oldestLane.waiting--;
          return oldest;
        }
      } finally {
        oldestLane.lock.unlock();
      }
    }
  }

  /**
   * Under the topic's lock: behind the records already waiting, or to Kafka now when nothing is ahead
   * of it (only out-of-range partitions wait), else into the topic's queue.
   */
  private void slowPath(PendingRecord record, long now) {
    List<Runnable> outcomes = new ArrayList<>(1);
    while (true) {
      TopicLane lane = record.lane;
      lane.lock.lock();
      try {
        if (lane.retired) {
          record.lane = lane(lane.topic, now);
          continue;
        }
        ArrayDeque<PendingRecord> target = null;
        if (lane.queue.isEmpty() && record.lastRefusal == PartitionSlot.AWAITING_FIRST_ACK) {
          target = partitionQueue(lane, record.partition); // refused by the gate on the fast path
        } else if (lane.queue.isEmpty() && record.lastRefusal == null) {
          int partition = partitionFor(lane, record.explicitPartition, record.key(), now);
          if (partition == OUT_OF_RANGE) {
            target = partitionQueue(lane, record.explicitPartition);
          } else if (handable(partition)) {
            ArrayDeque<PendingRecord> behind = lane.partitionQueues.get(partition);
            if (behind != null) {
              target = behind;
            } else {
              Exception refused = handOver(record, partition);
              if (refused == null) {
                return;
              }
              if (refused == PartitionSlot.AWAITING_FIRST_ACK) {
                target = partitionQueue(lane, partition);
              } else if (!retriable(refused)) {
                FailureCause cause = refusalCause(refused);
                outcomes.add(() -> fail(record, cause, null, refused, null));
                return;
              }
              record.lastRefusal = refused;
              record.firstRefusalNanos = now;
            }
          }
        }
        if (target != null && record.firstRefusalNanos == 0) {
          record.firstRefusalNanos = now;
        }
        enqueue(lane, target == null ? lane.queue : target, record, now, outcomes);
        return;
      } finally {
        lane.lock.unlock();
        outcomes.forEach(Runnable::run);
      }
    }
  }

  /** Moves the head of the topic's queue to the end of {@code partition}'s own queue; under the lane's lock. */
  private static void moveToPartitionQueue(TopicLane lane, int partition) {
    partitionQueue(lane, partition).addLast(lane.queue.pollFirst());
    // raised before lowered: a sender reading both counts without the lock never sees the record counted nowhere
    lane.waitingPerPartition++;
    lane.waiting--;
  }

  /** The queue of records waiting for {@code partition} only; under the lane's lock. */
  private static ArrayDeque<PendingRecord> partitionQueue(TopicLane lane, int partition) {
    return lane.partitionQueues.computeIfAbsent(partition, p -> new ArrayDeque<>());
  }

  /** Under the lane's lock. */
  private void enqueue(TopicLane lane, ArrayDeque<PendingRecord> queue, PendingRecord record, long now,
      List<Runnable> outcomes) {
    if (closingInner) {
      outcomes.add(() -> fail(record, FailureCause.CLOSED, null, record.lastRefusal, null));
      return;
    }
    // the application's send() time, as KafkaProducer would have stamped it, not the hand-off time
    record.stampIfUnset(System.currentTimeMillis());
    record.waited = true;
    record.queueSequence = lane.nextQueueSequence++;
    queue.addLast(record);
    if (queue == lane.queue) {
      lane.waiting++;
    } else {
      lane.waitingPerPartition++;
    }
    if (lane.attempt == 0) {
      lane.attempt = 1;
      lane.nextAttemptNanos = now + METADATA_CHECK_NANOS;
    } else if (queue == lane.queue && queue.size() == 1) {
      // the first record in the topic's queue must not wait for the cadence of out-of-range partitions
      lane.nextAttemptNanos = Math.min(lane.nextAttemptNanos, now + METADATA_CHECK_NANOS);
    }
    maybeWaiting = true; // after the count above: a dispatcher that cleared the flag before this reads the count
    dispatcher.wake();
  }

  /** The wait after Kafka refused {@code lane}'s head record, from the re-offer retry policy. */
  long backoffNanos(TopicLane lane) {
    PendingRecord head = lane.queue.peekFirst();
    return reoffer.delayNanos(lane, head == null ? null : head.lastRefusal);
  }

  /** The re-offer retry policy (events, metrics). */
  public ReofferRetry reoffer() {
    return reoffer;
  }

  // ------------------------------------------------------------------ completion

  /** Kafka completed a record it took (on its I/O thread, or on the thread closing it). */
  void completedByKafka(PendingRecord record, @Nullable RecordMetadata metadata, @Nullable Exception exception) {
    PartitionSlot slot = record.slot;
    if (slot != null && slot.completedByKafka(exception == null)) {
      record.lane.admitting = true;
      dispatcher.wake();
    }
    try {
      complete(record, metadata, exception);
    } finally {
      if (slot != null) {
        slot.trim(); // here, where the record's memory is at hand (see PartitionSlot)
      }
    }
  }

  private void complete(PendingRecord record, @Nullable RecordMetadata metadata, @Nullable Exception exception) {
    if (exception == null && metadata != null) {
      if (record.finish(metadata)) {
        try {
          released(record, false);
          boolean recovered = record.waited || System.nanoTime() - record.acceptedNanos > RECOVERED_NANOS;
          reporter.succeeded(record, metadata, recovered);
        } finally {
          record.publish(); // whatever threw: get() never waits forever
        }
      }
      return;
    }
    if (record.completed()) {
      return;
    }
    int partition = record.partition;
    if (partition == KAFKA_CHOOSES && metadata != null && metadata.partition() >= 0) {
      partition = metadata.partition();
      record.reportedPartition = partition; // for the application; record.partition still names the slot
    }
    FailureCause cause = closingInner ? FailureCause.CLOSED : classifier.classify(record.topic(), partition, exception);
    fail(record, cause, null, exception, null);
  }

  /** Completes {@code record} as failed (once) and tells the application. */
  void fail(PendingRecord record, FailureCause cause, @Nullable String detail, @Nullable Throwable error,
      @Nullable OverflowPolicy dropped) {
    if (record.completed()) {
      return; // its outcome is set: no failure to build
    }
    // closing leaves spooled records in the spool: a producer opening it sends them again
    boolean keep = cause == FailureCause.CLOSED && record.spoolSequence >= 0;
    String why = keep ? (detail == null ? "" : detail + "; ") + "kept in the spool at " + spoolDirectory()
        + ": sent again when a producer opens it" : detail;
    DeliveryFailedException failure = OutcomeReporter.failure(record, cause, dropped, why, error);
    if (record.finish(failure)) {
      try {
        released(record, keep);
        reporter.failed(record, failure, dropped);
      } finally {
        record.publish();
      }
    }
  }

  private String spoolDirectory() {
    return backlog == null ? "" : backlog.spool.directory().toString();
  }

  private void released(PendingRecord record, boolean keepInSpool) {
    if (record.reserved) {
      bound.give(record.sizeInBytes);
      if (backlogPending()) {
        dispatcher.wake(); // room in memory for records waiting on disk
      }
    }
    SpoolBacklog disk = backlog;
    if (disk != null && record.spoolSequence >= 0 && !keepInSpool) {
      disk.spool.complete(record.spoolSequence);
      if (spoolRoomWaiters.get() > 0) {
        synchronized (spoolRoom) {
          spoolRoom.notifyAll();
        }
      }
    }
  }

  // ------------------------------------------------------------------ dispatcher's work

  Collection<TopicLane> lanes() {
    return lanes.values();
  }

  /**
   * The lanes that may have waiting records, for one round of the dispatcher: none when no record was
   * queued since a round found every lane empty. Clears the mark; the round calls {@link #stillWaiting}
   * when a lane it saw keeps records waiting.
   */
  Collection<TopicLane> lanesToDrain() {
    if (!maybeWaiting) {
      return List.of();
    }
    maybeWaiting = false;
    return lanes.values();
  }

  /** A lane kept waiting records after the dispatcher's round: the next round looks at the lanes again. */
  void stillWaiting() {
    maybeWaiting = true;
  }

  /**
   * Offers the lane's waiting records to Kafka again, in order, if their backoff has passed. Returns the
   * records handed over (the dispatcher watches their deadlines) and the outcomes to report.
   */
  void drain(TopicLane lane, long now, List<PendingRecord> handed, List<Runnable> outcomes) {
    lane.lock.lock();
    try {
      // a partition's first acknowledgement lets its queue go now; the topic's queue keeps its own backoff
      boolean admitting = lane.admitting;
      if (admitting) {
        lane.admitting = false;
      }
      boolean due = now - lane.nextAttemptNanos >= 0;
      if ((!due && !(admitting && !lane.partitionQueues.isEmpty()))
          || (lane.queue.isEmpty() && lane.partitionQueues.isEmpty())) {
        return;
      }
      Blocked blocked = due ? drainQueue(lane, lane.queue, now, handed, outcomes) : Blocked.NOT_DUE;
      boolean partitionQueuesWait = false;
      for (var it = lane.partitionQueues.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<Integer, ArrayDeque<PendingRecord>> entry = it.next();
        partitionQueuesWait |= drainPartitionQueue(lane, entry.getKey(), entry.getValue(), now, handed, outcomes);
        if (entry.getValue().isEmpty()) {
          it.remove();
        }
      }
      switch (blocked) {
        case REFUSED -> {
          lane.attempt++;
          lane.nextAttemptNanos = now + backoffNanos(lane);
        }
        case NO_METADATA -> lane.nextAttemptNanos = now + METADATA_CHECK_NANOS;
        case NOT_DUE -> {
          // only the partitions' queues were offered: the topic's queue keeps its time
        }
        case NO -> {
          // the topic's own queue is empty: partitions' own queues are looked at on their own cadence (beyond
          // the count they fail after a grace period; behind a first record, its acknowledgement wakes them),
          // never backing off the topic's other records
          lane.attempt = 0;
          reoffer.offered(lane);
          if (partitionQueuesWait) {
            lane.nextAttemptNanos = now + PARTITION_QUEUE_CHECK_NANOS;
          }
        }
      }
    } finally {
      lane.lock.unlock();
    }
  }

  /**
   * Why a queue stopped draining: not at all, no metadata for the topic yet, Kafka refused the head; or it
   * was not offered (not due: only the partitions' queues were).
   */
  private enum Blocked { NO, NO_METADATA, REFUSED, NOT_DUE }

  private Blocked drainQueue(TopicLane lane, ArrayDeque<PendingRecord> queue, long now,
      List<PendingRecord> handed, List<Runnable> outcomes) {
    int count = 0;
    while (!queue.isEmpty()) {
      if (count++ == DRAIN_CHUNK) {
        dispatcher.wake(); // release the lock for senders of this topic, continue on the next round
        return Blocked.NO;
      }
      PendingRecord record = queue.peekFirst();
      if (record.completed()) {
        queue.pollFirst();
        lane.waiting--;
        continue;
      }
      int partition = partitionFor(lane, record.explicitPartition, record.key(), now);
      if (partition == UNKNOWN) {
        return Blocked.NO_METADATA;
      }
      if (partition == OUT_OF_RANGE || lane.partitionQueues.containsKey(partition)) {
        moveToPartitionQueue(lane, record.explicitPartition != null ? record.explicitPartition : partition);
        if (record.firstRefusalNanos == 0) {
          record.firstRefusalNanos = now;
        }
        continue;
      }
      Exception refused = handOver(record, partition);
      if (refused == null) {
        queue.pollFirst();
        lane.waiting--;
        handed.add(record);
        continue;
      }
      if (refused == PartitionSlot.AWAITING_FIRST_ACK) {
        // behind its partition's first record; the topic's other partitions go on
        moveToPartitionQueue(lane, partition);
        record.lastRefusal = refused;
        continue;
      }
      if (!retriable(refused)) {
        queue.pollFirst();
        lane.waiting--;
        FailureCause cause = refusalCause(refused);
        outcomes.add(() -> fail(record, cause, null, refused, null));
        continue;
      }
      record.lastRefusal = refused;
      // a timeout at once (max.block.ms=0) is metadata Kafka does not have yet, unless it is about memory
      return refused instanceof TimeoutException && !(refused instanceof BufferExhaustedException)
          ? Blocked.NO_METADATA : Blocked.REFUSED;
    }
    return Blocked.NO;
  }

  private boolean drainPartitionQueue(TopicLane lane, int partition, ArrayDeque<PendingRecord> queue, long now,
      List<PendingRecord> handed, List<Runnable> outcomes) {
    TopicLane.Partitions known = readPartitions(lane, now);
    while (!queue.isEmpty()) {
      PendingRecord record = queue.peekFirst();
      if (record.completed()) {
        queue.pollFirst();
        lane.waitingPerPartition--;
        continue;
      }
      if (known == null || partition >= known.count()) {
        boolean reachable = view.recentReachability() != ClusterView.Reachability.UNREACHABLE
            && view.recentReachability() != ClusterView.Reachability.NAMES_UNRESOLVED;
        if (known != null && reachable && now - record.firstRefusalNanos > OUT_OF_RANGE_GRACE_NANOS) {
          queue.pollFirst();
          lane.waitingPerPartition--;
          String detail = "partition " + partition + " does not exist: topic " + lane.topic + " has "
              + known.count() + " partition(s), [0.." + (known.count() - 1) + "]";
          outcomes.add(() -> fail(record, FailureCause.REJECTED, detail, null, null));
          continue;
        }
        // refused at once, and makes Kafka refresh the topic's metadata
        Exception refused = handOver(record, partition);
        if (refused == null) {
          queue.pollFirst();
          lane.waitingPerPartition--;
          handed.add(record);
          continue;
        }
        record.lastRefusal = refused;
        return true;
      }
      Exception refused = handOver(record, partition);
      if (refused == null) {
        queue.pollFirst();
        lane.waitingPerPartition--;
        handed.add(record);
      } else if (!retriable(refused)) {
        queue.pollFirst();
        lane.waitingPerPartition--;
        FailureCause cause = refusalCause(refused);
        outcomes.add(() -> fail(record, cause, null, refused, null));
      } else {
        record.lastRefusal = refused;
        return true;
      }
    }
    return false;
  }

  /** Fails the waiting records of {@code lane} whose deadline has passed. */
  void expireWaiting(TopicLane lane, long now, List<Runnable> outcomes) {
    lane.lock.lock();
    try {
      lane.waiting -= expireHeads(lane.queue, now, outcomes);
      for (var it = lane.partitionQueues.values().iterator(); it.hasNext(); ) {
        ArrayDeque<PendingRecord> queue = it.next();
        lane.waitingPerPartition -= expireHeads(queue, now, outcomes);
        if (queue.isEmpty()) {
          it.remove();
        }
      }
    } finally {
      lane.lock.unlock();
    }
  }

  private int expireHeads(ArrayDeque<PendingRecord> queue, long now, List<Runnable> outcomes) {
    int removed = 0;
    while (!queue.isEmpty() && (queue.peekFirst().completed() || queue.peekFirst().deadlineNanos - now <= 0)) {
      PendingRecord record = queue.pollFirst();
      removed++;
      if (!record.completed()) {
        outcomes.add(() -> expired(record, "not handed to Kafka within " + settings.deliveryTimeout.toMillis() + " ms"));
      }
    }
    return removed;
  }

  /** Fails a record at its deadline with the cause the cluster's state names. */
  void expired(PendingRecord record, String what) {
    Exception last = record.lastRefusal != null ? record.lastRefusal : record.lane.metadataError;
    if (last == PartitionSlot.AWAITING_FIRST_ACK) {
      what += ": it waited behind this producer's first record to " + record.topic() + "-" + record.partition
          + ", which Kafka did not acknowledge";
    }
    FailureCause cause = classifier.classify(record.topic(), record.partition, last);
    TimeoutException timeout = new TimeoutException(what + " (resilient.delivery.timeout.ms)",
        last != null ? last : classifier.authenticationFailure());
    fail(record, cause, null, timeout, null);
  }

  /** Drops lanes that have been idle for {@code idleNanos}; they are made again on the next send. */
  void evictIdle(long now, long idleNanos) {
    for (TopicLane lane : lanes.values()) {
      if (now - lane.lastUsedNanos < idleNanos || !lane.idle()) {
        continue;
      }
      lane.lock.lock();
      try {
        if (lane.idle() && now - lane.lastUsedNanos >= idleNanos) {
          lane.retired = true;
          lanes.remove(lane.topic, lane);
        }
      } finally {
        lane.lock.unlock();
      }
    }
  }

  /** Wakes flush() callers after the dispatcher made progress. */
  void progressed() {
    synchronized (progress) {
      progress.notifyAll();
    }
  }

  // ------------------------------------------------------------------ cluster view member

  @Override
  public Collection<String> topics() {
    return lanes.keySet();
  }

  @Override
  public Collection<String> stalledTopics() {
    long now = System.nanoTime();
    List<String> stalled = new ArrayList<>();
    for (TopicLane lane : lanes.values()) {
      // a waiting record is one Kafka refused (no metadata, no room): worth a look at once
      PendingRecord oldest = lane.oldest();
      if (oldest != null && (lane.waiting > 0 || now - oldest.stallSinceNanos > STALL_NANOS)) {
        stalled.add(lane.topic);
      }
    }
    return stalled;
  }

  // ------------------------------------------------------------------ flush, close, state

  /** Whether the current thread runs this producer's callbacks (Kafka's I/O thread or the dispatcher). */
  boolean onCallbackThread() {
    Thread current = Thread.currentThread();
    return current == dispatcher.thread() || current.getName().equals(ioThreadName);
  }

  /**
   * Waits until every record accepted before this call has been handed to Kafka (or failed), then until
   * Kafka completed them ({@code KafkaProducer.flush()}).
   *
   * @throws KafkaException when called from a callback of this producer (it would wait for itself)
   */
  public void flush() {
    if (onCallbackThread()) {
      throw new KafkaException("flush() called from a callback of this producer: it would wait for the thread "
          + "that runs the callback; call it from another thread");
    }
    try {
      awaitBacklogUpTo(backlogTail());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    }
    Map<TopicLane, Long> targets = new HashMap<>();
    for (TopicLane lane : lanes.values()) {
      if (lane.waiting > 0 || lane.waitingPerPartition > 0) {
        lane.lock.lock();
        try {
          targets.put(lane, lane.nextQueueSequence);
        } finally {
          lane.lock.unlock();
        }
      }
    }
    try {
      while (!targets.isEmpty() && !closed) {
        targets.entrySet().removeIf(e -> handedUpTo(e.getKey(), e.getValue()));
        if (!targets.isEmpty()) {
          if (!closingInner && targets.keySet().stream().anyMatch(lane -> lane.waitingPerPartition > 0)) {
            // records behind a partition's first record: Kafka sends it without waiting for linger.ms
            inner.flush();
          }
          synchronized (progress) {
            progress.wait(50);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    }
    if (!closingInner) {
      inner.flush();
    }
  }

  /** The spool sequence of the newest record waiting on disk, or -1. */
  private long backlogTail() {
    SpoolBacklog disk = backlog;
    if (disk == null || disk.pending == 0) {
      return -1;
    }
    disk.lock.lock();
    try {
      return disk.flushTarget();
    } finally {
      disk.lock.unlock();
    }
  }

  private void awaitBacklogUpTo(long target) throws InterruptedException {
    SpoolBacklog disk = backlog;
    if (disk == null || target < 0) {
      return;
    }
    while (!closed) {
      disk.lock.lock();
      try {
        if (disk.movedUpTo(target)) {
          return;
        }
      } finally {
        disk.lock.unlock();
      }
      synchronized (progress) {
        progress.wait(50);
      }
    }
  }

  /** Whether no record with a queue sequence below {@code target} waits in the lane. */
  private static boolean handedUpTo(TopicLane lane, long target) {
    lane.lock.lock();
    try {
      PendingRecord head = lane.queue.peekFirst();
      if (head != null && head.queueSequence < target) {
        return false;
      }
      for (ArrayDeque<PendingRecord> queue : lane.partitionQueues.values()) {
        head = queue.peekFirst();
        if (head != null && head.queueSequence < target) {
          return false;
        }
      }
      return true;
    } finally {
      lane.lock.unlock();
    }
  }

  /**
   * Stops accepting, hands over what waits within {@code timeout}, fails the rest with {@link
   * FailureCause#CLOSED}, then closes Kafka with what is left of the timeout (Kafka fails whatever it
   * still holds, reported as CLOSED as well). From a callback of this producer the timeout is zero, as
   * {@code KafkaProducer} does: waiting there would wait for the thread running the callback.
   */
  public void close(Duration timeout) {
    if (closed) {
      return;
    }
    closed = true;
    boolean fromCallback = onCallbackThread();
    boolean fromKafkaIoThread = Thread.currentThread().getName().equals(ioThreadName);
    long deadline = System.nanoTime() + (fromCallback ? 0 : timeout.toNanos());
    bound.close();
    dispatcher.wake();
    try {
      // with a spool, what waits stays on disk and is sent by the next producer: no reason to wait for it
      while (backlog == null && anyWaiting() && deadline - System.nanoTime() > 0) {
        synchronized (progress) {
          progress.wait(Math.max(1, Math.min(50, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closingInner = true;
    failWaiting(FailureCause.CLOSED, null);
    try {
      inner.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    } finally {
      dispatcher.stop();
      if (!fromKafkaIoThread) {
        // Kafka completed everything it held when close() returned (from its own I/O thread it cannot:
        // its aborts run after the callback returns); this only catches what it did not
        for (TopicLane lane : lanes.values()) {
          for (PartitionSlot slot : lane.slots()) {
            if (slot != null) {
              for (PendingRecord record : slot.inFlight()) {
                fail(record, FailureCause.CLOSED, null, null, null);
              }
            }
          }
        }
      }
    }
  }

  /**
   * Takes every record still waiting (not handed to Kafka) out of its queue and fails it with {@code cause}
   * and {@code error} (else the record's last refusal); callbacks run on this thread, no lock held.
   */
  void failWaiting(FailureCause cause, @Nullable Throwable error) {
    List<PendingRecord> left = new ArrayList<>();
    for (TopicLane lane : lanes.values()) {
      lane.lock.lock();
      try {
        left.addAll(lane.queue);
        lane.partitionQueues.values().forEach(left::addAll);
        lane.queue.clear();
        lane.partitionQueues.clear();
        lane.waiting = 0;
        lane.waitingPerPartition = 0;
      } finally {
        lane.lock.unlock();
      }
    }
    SpoolBacklog disk = backlog;
    if (disk != null) {
      left.addAll(disk.drainAll());
    }
    left.forEach(record -> fail(record, cause, null, error != null ? error : record.lastRefusal, null));
  }

  private boolean anyWaiting() {
    for (TopicLane lane : lanes.values()) {
      if (lane.waiting > 0 || lane.waitingPerPartition > 0) {
        return true;
      }
    }
    return false;
  }

  boolean closed() {
    return closed;
  }

  public long bufferedRecords() {
    return bound.records();
  }

  public long bufferedBytes() {
    return bound.bytes();
  }

  public Duration oldestBufferedAge() {
    long now = System.nanoTime();
    long oldest = now;
    for (TopicLane lane : lanes.values()) {
      PendingRecord record = lane.oldest();
      if (record != null && record.acceptedNanos - oldest < 0) {
        oldest = record.acceptedNanos;
      }
    }
    return Duration.ofNanos(now - oldest);
  }

  /**
   * Partitions below {@code min.insync.replicas} among the topics whose records are not being
   * acknowledged. A topic whose acks=all writes are acknowledged has enough in-sync replicas, whatever an
   * older view says (the inner producer's metadata keeps the ISR of its last refresh, up to minutes old).
   */
  public int partitionsBelowMinIsr() {
    return classifier.partitionsBelowMinIsr(stalledTopics());
  }
}
