package dev.resilientkafka.verify;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Writes unique values at a steady rate through a {@link Producer} (a {@code ResilientProducer} or its
 * tuned plain twin), the verifying producer of
 * Kafka's {@code replication_test.py}: key {@code k<n>} (n below {@code keys}), value {@code k<n>-<seq>}
 * with a per-key sequence, so a checker can find lost, duplicated and reordered writes. Remembers every
 * value it sent with its outcome (acked at partition/offset, or failed with the exception) and the longest
 * gap between two acknowledgements. Thread-safe; one sending thread.
 */
final class VerifyingProducer implements AutoCloseable {
  /** Where an acknowledged value was written. */
  record Ack(int partition, long offset) {}

  private final Producer<String, String> producer;
  private final String topic;
  private final int keys;
  private final int recordsPerTick;
  private final long[] nextSeq;
  private final ScheduledExecutorService sender;
  private final Map<String, Ack> acked = new ConcurrentHashMap<>();
  private final Map<String, Exception> failed = new ConcurrentHashMap<>();
  private final Map<String, Boolean> completed = new ConcurrentHashMap<>();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong callbacks = new AtomicLong();
  private final AtomicLong callbacksTwice = new AtomicLong();
  private final AtomicLong lastAckNanos = new AtomicLong();
  private final AtomicLong longestAckGapNanos = new AtomicLong();
  private final AtomicLong longestSendNanos = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private volatile boolean sending;

  /**
   * @param producer used as given, closed by {@link #close()}
   * @param recordsPerTick records sent every 10 ms
   */
  VerifyingProducer(Producer<String, String> producer, String topic, int keys, int recordsPerTick) {
    this.producer = producer;
    this.topic = topic;
    this.keys = keys;
    this.recordsPerTick = recordsPerTick;
    this.nextSeq = new long[keys];
    this.sender = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "verifying-producer-" + topic);
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts sending (recordsPerTick records every 10 ms). */
  void start() {
    lastAckNanos.set(System.nanoTime());
    sending = true;
    sender.scheduleAtFixedRate(this::tick, 0, 10, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    for (int i = 0; i < recordsPerTick && sending; i++) {
      int key = (int) (sent.get() % keys);
      String value = "k" + key + "-" + nextSeq[key]++;
      sent.incrementAndGet();
      long start = System.nanoTime();
      try {
        producer.send(new ProducerRecord<>(topic, "k" + key, value), (metadata, e) -> complete(value, metadata, e));
      } catch (RuntimeException e) {
        refused.incrementAndGet();
        complete(value, null, e);
      } finally {
        longestSendNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
      }
    }
  }

  private void complete(String value, RecordMetadata metadata, Exception e) {
    if (completed.putIfAbsent(value, Boolean.TRUE) != null) {
      callbacksTwice.incrementAndGet();
      return;
    }
    callbacks.incrementAndGet();
    if (e == null) {
      long now = System.nanoTime();
      long previous = lastAckNanos.getAndSet(now);
      longestAckGapNanos.accumulateAndGet(now - previous, Math::max);
      acked.put(value, new Ack(metadata.partition(), metadata.offset()));
    } else {
      failed.put(value, e);
    }
  }

  /** Waits until {@code count} more records have been sent than now (the schedule's clock). */
  void awaitSentMore(long count, Duration atMost) {
    long target = sent.get() + count;
    Awaitility.await("verifying producer to send " + count + " more").atMost(atMost)
        .pollInterval(Duration.ofMillis(20)).until(() -> sent.get() >= target);
  }

  /** Waits until {@code count} more records have been acknowledged than now. */
  void awaitAckedMore(long count, Duration atMost) {
    long target = acked.size() + count;
    Awaitility.await("verifying producer to get " + count + " more acks").atMost(atMost)
        .pollInterval(Duration.ofMillis(20)).until(() -> acked.size() >= target);
  }

  /** Stops sending and waits until every record sent has its callback (acked or failed). */
  void stopAndAwaitCallbacks(Duration atMost) {
    sending = false;
    sender.shutdown();
    Awaitility.await("sender to stop").atMost(Duration.ofSeconds(10)).until(sender::isTerminated);
    Awaitility.await("a callback for every one of " + sent.get() + " records")
        .atMost(atMost).pollInterval(Duration.ofMillis(50))
        .until(() -> callbacks.get() == sent.get());
  }

  /**
   * As {@link #stopAndAwaitCallbacks}, for a plain twin whose own Kafka producer may keep records for good
   * (its idempotent retry loop on OUT_OF_ORDER_SEQUENCE_NUMBER ends only at the delivery timeout): callbacks
   * still missing after {@code atMost} are forced by closing the producer at once, which fails what Kafka
   * holds. Returns how many were missing then.
   */
  long stopAndAwaitCallbacksOrClose(Duration atMost) {
    try {
      stopAndAwaitCallbacks(atMost);
      return 0;
    } catch (ConditionTimeoutException e) {
      long missing = sent.get() - callbacks.get();
      producer.close(Duration.ZERO);
      Awaitility.await("a callback for every record after close(0)").atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50)).until(() -> callbacks.get() == sent.get());
      return missing;
    }
  }

  long sent() {
    return sent.get();
  }

  Map<String, Ack> acked() {
    return acked;
  }

  Map<String, Exception> failed() {
    return failed;
  }

  long callbacksTwice() {
    return callbacksTwice.get();
  }

  /** The longest time one send() call took (a plain producer blocks there on metadata). */
  long longestSendMs() {
    return TimeUnit.NANOSECONDS.toMillis(longestSendNanos.get());
  }

  /** Records whose send() threw instead of returning a future. */
  long refused() {
    return refused.get();
  }

  long longestAckGapMs() {
    return TimeUnit.NANOSECONDS.toMillis(longestAckGapNanos.get());
  }

  Producer<String, String> producer() {
    return producer;
  }

  @Override
  public void close() {
    sending = false;
    sender.shutdownNow();
    producer.close(Duration.ofSeconds(30));
  }
}
