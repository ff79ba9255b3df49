package dev.resilientkafka.internal.producer;

import dev.resilientkafka.DeliveryFailedException;
import dev.resilientkafka.FailureCause;
import dev.resilientkafka.OverflowPolicy;
import dev.resilientkafka.ProducerListener;
import io.github.resilience4j.core.IntervalFunction;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.utils.Utils;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every record from {@code send()} to its completion, bounded in records and bytes, and the ordered
 * hand-off to the inner (idempotent, never-blocking) Kafka producer.
 *
 * <p>A record whose partition has nothing waiting is handed to Kafka on the calling thread. When Kafka
 * does not take it (metadata missing, accumulator full: {@code max.block.ms=0} makes the inner {@code
 * send()} fail at once, on this thread), it waits in its partition's queue (or its topic's, while the
 * partition count is unknown), and so does every later record for that partition; the dispatcher thread
 * offers the queues again in order with exponential backoff and jitter. Once Kafka has a record, its
 * idempotent sequencing keeps order and avoids duplicates; a record Kafka fails after hand-off is not
 * re-sent (that would reorder, Trap 1) but reported with a cause classified from the cluster's state.
 *
 * <p>Thread-safe: one lock guards the state; callbacks and listeners run after it is released.
 */
public final class RecordBuffer {
  private static final Logger log = LoggerFactory.getLogger(RecordBuffer.class);
  /** A partition whose oldest in-flight record is older than this is avoided by keyless records. */
  private static final long STALE_IN_FLIGHT_NANOS = TimeUnit.SECONDS.toNanos(3);
  /** A record acknowledged later than this after {@code send()} counts as recovered. */
  private static final long RECOVERED_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final long IDLE_WAKE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  private static final class TopicState {
    final String topic;
    final ArrayDeque<PendingRecord> queue = new ArrayDeque<>();
    int attempt;
    long nextAttemptNanos;
    int roundRobin;

    TopicState(String topic) {
      this.topic = topic;
    }
  }

  private static final class PartitionState {
    final TopicPartition partition;
    final ArrayDeque<PendingRecord> queue = new ArrayDeque<>();
    final ArrayDeque<PendingRecord> inFlight = new ArrayDeque<>();
    int attempt;
    long nextAttemptNanos;

    PartitionState(TopicPartition partition) {
      this.partition = partition;
    }
  }

  /** Tells a completion that runs inside the inner {@code send()} (Kafka did not take the record). */
  private static final class SyncProbe {
    final Thread thread = Thread.currentThread();
    boolean returned;
    @Nullable Exception failure;
  }

  private final ProducerSettings settings;
  private final Producer<byte[], byte[]> inner;
  private final ClusterHealth health;
  private final ProducerListener listener;
  private final IntervalFunction backoff;
  private final long deliveryTimeoutNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition spaceFreed = lock.newCondition();
  private final Condition changed = lock.newCondition();
  private final Condition work = lock.newCondition();
  private final Map<String, TopicState> topics = new HashMap<>();
  private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();
  private final TreeMap<Long, PendingRecord> incomplete = new TreeMap<>();
  private final TreeMap<Long, PendingRecord> queued = new TreeMap<>();
  private final Thread dispatcher;
  private volatile long bufferedRecords;
  private volatile long bufferedBytes;
  private long sequence;
  private boolean closed;
  private boolean stopped;
  private volatile boolean closingInner;

  RecordBuffer(ProducerSettings settings, Producer<byte[], byte[]> inner, ClusterHealth health,
      ProducerListener listener, String clientId) {
    this.settings = settings;
    this.inner = inner;
    this.health = health;
    this.listener = listener;
    this.deliveryTimeoutNanos = settings.deliveryTimeout.toNanos();
    this.backoff = IntervalFunction.ofExponentialRandomBackoff(
        settings.retryBackoff.toMillis(), 2.0, 0.5, settings.retryBackoffMax.toMillis());
    this.dispatcher = new Thread(this::dispatchLoop, clientId + "-dispatcher");
    dispatcher.setDaemon(true);
    dispatcher.start();
  }

  // ------------------------------------------------------------------ send

  /**
   * Accepts a serialized record, or reports it failed through the returned future and its callback.
   *
   * @throws IllegalStateException after {@link #close}
   * @throws DeliveryFailedException when the buffer is full under {@link OverflowPolicy#FAIL}
   */
  public Future<RecordMetadata> send(String topic, @Nullable Integer partition, byte @Nullable [] key,
      byte @Nullable [] value, Headers headers, @Nullable Long timestamp,
      org.apache.kafka.clients.producer.@Nullable Callback callback) {
    Completions done = new Completions(listener);
    PendingRecord record;
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("Cannot perform operation after producer has been closed");
      }
      long now = System.nanoTime();
      record = new PendingRecord(++sequence, topic, partition, key, value, headers, timestamp, now,
          now + deliveryTimeoutNanos, callback);
      if (partition != null) {
        record.partition = partition;
      }
      if (record.sizeInBytes > settings.maxBytes) {
        done.failed(record, FailureCause.REJECTED, new RecordTooLargeException("the record is "
            + record.sizeInBytes + " bytes, more than resilient.buffer.max.bytes (" + settings.maxBytes + ")"));
      } else {
        if (reserve(record, done)) {
          accept(record, now, done);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    } finally {
      lock.unlock();
    }
    done.run();
    return record.future;
  }

  /**
   * Makes room for {@code record} under the overflow policy; may evict, wait, drop or throw. Returns
   * false when the new record is not accepted (its outcome is then in {@code done}).
   */
  private boolean reserve(PendingRecord record, Completions done) throws InterruptedException {
    long remaining = settings.blockTimeout.toNanos();
    while (bufferedRecords + 1 > settings.maxRecords || bufferedBytes + record.sizeInBytes > settings.maxBytes) {
      switch (settings.overflowPolicy) {
        case BLOCK -> {
          if (remaining <= 0) {
            done.dropped(record, OverflowPolicy.BLOCK);
            return false;
          }
          remaining = spaceFreed.awaitNanos(remaining);
          if (closed) {
            done.failed(record, FailureCause.CLOSED, null);
            return false;
          }
        }
        case DROP_NEWEST -> {
          done.dropped(record, OverflowPolicy.DROP_NEWEST);
          return false;
        }
        case DROP_OLDEST -> {
          Map.Entry<Long, PendingRecord> oldest = queued.firstEntry();
          if (oldest == null) {
            done.dropped(record, OverflowPolicy.DROP_OLDEST);
            return false;
          }
          PendingRecord evicted = oldest.getValue();
          removeFromQueue(evicted);
          finishLocked(evicted);
          done.dropped(evicted, OverflowPolicy.DROP_OLDEST);
        }
        case FAIL -> {
          listener.onDropped(record.topic, OverflowPolicy.FAIL);
          listener.onFailed(record.topic, FailureCause.BUFFER_FULL);
          throw new DeliveryFailedException(FailureCause.BUFFER_FULL, "buffer full ("
              + bufferedRecords + " records, " + bufferedBytes + " bytes), send() refused under policy FAIL", null);
        }
      }
    }
    return true;
  }

  private void accept(PendingRecord record, long now, Completions done) {
    bufferedRecords++;
    bufferedBytes += record.sizeInBytes;
    incomplete.put(record.sequence, record);
    health.track(record.topic);
    TopicState topic = topics.computeIfAbsent(record.topic, TopicState::new);
    if (!topic.queue.isEmpty()) {
      enqueue(topic.queue, record);
      return;
    }
    int partition = choosePartition(topic, record);
    if (partition < 0) {
      enqueue(topic.queue, record);
      if (topic.attempt == 0) {
        topic.attempt = 1;
        topic.nextAttemptNanos = now + backoffNanos(1);
      }
      return;
    }
    record.partition = partition;
    PartitionState state = partitionState(record.topic, partition);
    if (!state.queue.isEmpty()) {
      enqueue(state.queue, record);
    } else if (!handOff(state, record, done)) {
      enqueue(state.queue, record);
      state.attempt = 1;
      state.nextAttemptNanos = now + backoffNanos(1);
    }
  }

  private void enqueue(ArrayDeque<PendingRecord> queue, PendingRecord record) {
    record.state = PendingRecord.State.QUEUED;
    record.waited = true;
    queue.addLast(record);
    queued.put(record.sequence, record);
    work.signal();
  }

  private void removeFromQueue(PendingRecord record) {
    TopicState topic = topics.get(record.topic);
    if (topic != null && topic.queue.remove(record)) {
      return;
    }
    if (record.partition >= 0) {
      PartitionState state = partitions.get(new TopicPartition(record.topic, record.partition));
      if (state != null) {
        state.queue.remove(record);
      }
    }
  }

  private PartitionState partitionState(String topic, int partition) {
    return partitions.computeIfAbsent(new TopicPartition(topic, partition), PartitionState::new);
  }

  /**
   * The record's partition, or -1 while the topic's partition count is unknown: explicit; keyed as
   * Kafka's default partitioner does; keyless round-robin over partitions that look healthy.
   */
  private int choosePartition(TopicState topic, PendingRecord record) {
    List<PartitionInfo> infos;
    try {
      infos = inner.partitionsFor(record.topic);
    } catch (KafkaException e) {
      return -1;
    }
    if (infos == null || infos.isEmpty()) {
      return -1;
    }
    int count = infos.size();
    if (record.explicitPartition != null) {
      return record.explicitPartition < count ? record.explicitPartition : -1;
    }
    if (record.key != null) {
      return Utils.toPositive(Utils.murmur2(record.key)) % count;
    }
    long now = System.nanoTime();
    for (int i = 0; i < count; i++) {
      int candidate = Math.floorMod(topic.roundRobin++, count);
      if (usable(record.topic, candidate, infos, now)) {
        return candidate;
      }
    }
    return Math.floorMod(topic.roundRobin++, count);
  }

  private boolean usable(String topic, int partition, List<PartitionInfo> infos, long now) {
    for (PartitionInfo info : infos) {
      if (info.partition() == partition && (info.leader() == null || info.leader().isEmpty())) {
        return false;
      }
    }
    if (!health.healthy(topic, partition)) {
      return false;
    }
    PartitionState state = partitions.get(new TopicPartition(topic, partition));
    if (state == null) {
      return true;
    }
    PendingRecord oldest = state.inFlight.peekFirst();
    return state.queue.isEmpty() && (oldest == null || now - oldest.handedOffNanos < STALE_IN_FLIGHT_NANOS);
  }

  /**
   * Offers the record to Kafka. Returns false when Kafka did not take it for a retriable reason (the
   * caller queues it); true when Kafka has it, or when it failed for good (then reported in {@code done}).
   */
  private boolean handOff(PartitionState state, PendingRecord record, Completions done) {
    record.state = PendingRecord.State.HANDED_OFF;
    record.handedOffNanos = System.nanoTime();
    SyncProbe probe = new SyncProbe();
    try {
      inner.send(new ProducerRecord<>(record.topic, record.partition, record.timestamp, record.key,
              record.value, record.headers),
          (metadata, e) -> onCompletion(record, probe, metadata, e));
    } catch (RuntimeException e) {
      probe.failure = e;
    }
    probe.returned = true;
    Exception failure = probe.failure;
    if (failure == null) {
      state.inFlight.addLast(record);
      queued.remove(record.sequence);
      changed.signalAll();
      return true;
    }
    record.state = PendingRecord.State.QUEUED;
    record.lastError = failure;
    if (failure instanceof RetriableException && !closingInner) {
      return false;
    }
    queued.remove(record.sequence);
    finishLocked(record);
    done.failed(record, closingInner ? FailureCause.CLOSED : FailureCause.REJECTED, failure);
    return true;
  }

  private void onCompletion(PendingRecord record, SyncProbe probe, @Nullable RecordMetadata metadata,
      @Nullable Exception e) {
    if (!probe.returned && probe.thread == Thread.currentThread()) {
      probe.failure = e == null ? new KafkaException("inner send completed without a result") : e;
      return;
    }
    Completions done = new Completions(listener);
    lock.lock();
    try {
      if (record.state == PendingRecord.State.DONE) {
        return;
      }
      finishLocked(record);
      if (e == null && metadata != null) {
        boolean recovered = record.waited || System.nanoTime() - record.acceptedNanos > RECOVERED_NANOS;
        done.succeeded(record, metadata, recovered);
      } else {
        FailureCause cause = closingInner ? FailureCause.CLOSED : health.classify(record.topic, record.partition, e);
        done.failed(record, cause, e);
      }
    } finally {
      lock.unlock();
    }
    done.run();
  }

  /** Takes a completed record out of the accounting; wakes senders waiting for room. */
  private void finishLocked(PendingRecord record) {
    record.state = PendingRecord.State.DONE;
    bufferedRecords--;
    bufferedBytes -= record.sizeInBytes;
    incomplete.remove(record.sequence);
    queued.remove(record.sequence);
    if (record.partition >= 0) {
      PartitionState state = partitions.get(new TopicPartition(record.topic, record.partition));
      if (state != null) {
        while (!state.inFlight.isEmpty() && state.inFlight.peekFirst().state == PendingRecord.State.DONE) {
          state.inFlight.pollFirst();
        }
      }
    }
    spaceFreed.signalAll();
    changed.signalAll();
  }

  // ------------------------------------------------------------------ dispatcher

  private void dispatchLoop() {
    while (true) {
      Completions done = new Completions(listener);
      lock.lock();
      try {
        if (stopped) {
          return;
        }
        long now = System.nanoTime();
        long wake = now + IDLE_WAKE_NANOS;
        expire(now, done);
        for (TopicState topic : topics.values()) {
          if (!topic.queue.isEmpty() && now >= topic.nextAttemptNanos) {
            assignPartitions(topic, now);
          }
          if (!topic.queue.isEmpty()) {
            wake = Math.min(wake, topic.nextAttemptNanos);
          }
        }
        for (PartitionState state : partitions.values()) {
          if (!state.queue.isEmpty() && now >= state.nextAttemptNanos) {
            drain(state, now, done);
          }
          if (!state.queue.isEmpty()) {
            wake = Math.min(wake, state.nextAttemptNanos);
          }
        }
        if (done.isEmpty()) {
          work.awaitNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), wake - now));
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.error("dispatcher error; continuing", e);
      } finally {
        lock.unlock();
      }
      done.run();
    }
  }

  private void assignPartitions(TopicState topic, long now) {
    while (!topic.queue.isEmpty()) {
      PendingRecord record = topic.queue.peekFirst();
      int partition = choosePartition(topic, record);
      if (partition < 0) {
        topic.attempt++;
        topic.nextAttemptNanos = now + backoffNanos(topic.attempt);
        return;
      }
      topic.queue.pollFirst();
      record.partition = partition;
      partitionState(record.topic, partition).queue.addLast(record);
    }
    topic.attempt = 0;
  }

  private void drain(PartitionState state, long now, Completions done) {
    while (!state.queue.isEmpty()) {
      PendingRecord record = state.queue.peekFirst();
      if (!handOff(state, record, done)) {
        state.attempt++;
        state.nextAttemptNanos = now + backoffNanos(state.attempt);
        return;
      }
      state.queue.pollFirst();
    }
    state.attempt = 0;
  }

  private void expire(long now, Completions done) {
    for (TopicState topic : topics.values()) {
      expireHeads(topic.queue, now, done);
    }
    for (PartitionState state : partitions.values()) {
      expireHeads(state.queue, now, done);
    }
  }

  private void expireHeads(ArrayDeque<PendingRecord> queue, long now, Completions done) {
    while (!queue.isEmpty() && queue.peekFirst().deadlineNanos - now <= 0) {
      PendingRecord record = queue.pollFirst();
      finishLocked(record);
      done.failed(record, health.classify(record.topic, record.partition, record.lastError),
          record.lastError == null
              ? new org.apache.kafka.common.errors.TimeoutException("not handed to Kafka within "
                  + settings.deliveryTimeout.toMillis() + " ms", health.authenticationFailure())
              : record.lastError);
    }
  }

  private long backoffNanos(int attempt) {
    return TimeUnit.MILLISECONDS.toNanos(backoff.apply(Math.max(1, attempt)));
  }

  // ------------------------------------------------------------------ flush, close, state

  /** Waits until every queued record has been handed to Kafka (or failed), then flushes Kafka. */
  public void flush() {
    lock.lock();
    try {
      while (!queued.isEmpty()) {
        changed.await();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    } finally {
      lock.unlock();
    }
    inner.flush();
  }

  /**
   * Stops accepting, hands off what is queued within {@code timeout}, fails the rest with {@link
   * FailureCause#CLOSED}, then closes Kafka with what is left of the timeout (Kafka fails whatever it
   * still holds, reported as CLOSED as well).
   */
  public void close(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Completions done = new Completions(listener);
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      spaceFreed.signalAll();
      work.signalAll();
      long remaining;
      while (!queued.isEmpty() && (remaining = deadline - System.nanoTime()) > 0) {
        changed.awaitNanos(remaining);
      }
      closingInner = true;
      for (PendingRecord record : List.copyOf(queued.values())) {
        removeFromQueue(record);
        finishLocked(record);
        done.failed(record, FailureCause.CLOSED, record.lastError);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
    done.run();
    inner.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    Completions leftovers = new Completions(listener);
    lock.lock();
    try {
      stopped = true;
      work.signalAll();
      for (PendingRecord record : List.copyOf(incomplete.values())) {
        finishLocked(record);
        leftovers.failed(record, FailureCause.CLOSED, null);
      }
    } finally {
      lock.unlock();
    }
    leftovers.run();
    try {
      dispatcher.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public long bufferedRecords() {
    return bufferedRecords;
  }

  public long bufferedBytes() {
    return bufferedBytes;
  }

  public Duration oldestBufferedAge() {
    lock.lock();
    try {
      Map.Entry<Long, PendingRecord> oldest = incomplete.firstEntry();
      return oldest == null ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - oldest.getValue().acceptedNanos);
    } finally {
      lock.unlock();
    }
  }

  public int partitionsBelowMinIsr() {
    return health.partitionsBelowMinIsr();
  }
}
