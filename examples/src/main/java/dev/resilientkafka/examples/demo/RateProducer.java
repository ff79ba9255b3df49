package dev.resilientkafka.examples.demo;

import dev.resilientkafka.DeliveryFailedException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends keyed records at a fixed rate through one producer and keeps the books: sent, acked, failed
 * (what the application was told), the longest gap between two acks, and the failure causes seen.
 */
final class RateProducer implements AutoCloseable {
  private final String name;
  private final Producer<String, String> producer;
  private final String topic;
  private final ScheduledExecutorService timer;
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong sendErrors = new AtomicLong();
  private final AtomicLong lastAckNanos = new AtomicLong(System.nanoTime());
  private final AtomicLong longestGapNanos = new AtomicLong();
  private final Set<String> ackedValues = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicLong> failureCauses = new ConcurrentHashMap<>();

  RateProducer(String name, Producer<String, String> producer, String topic, int recordsPerSecond) {
    this.name = name;
    this.producer = producer;
    this.topic = topic;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "demo-" + name);
      thread.setDaemon(true);
      return thread;
    });
    long period = TimeUnit.SECONDS.toMicros(1) / recordsPerSecond;
    timer.scheduleAtFixedRate(this::sendOne, 0, period, TimeUnit.MICROSECONDS);
  }

  private void sendOne() {
    long seq = sequence.incrementAndGet();
    String value = name + "-" + seq;
    try {
      producer.send(new ProducerRecord<>(topic, "key-" + (seq % 6), value), (metadata, error) -> {
        if (error == null) {
          long now = System.nanoTime();
          long previous = lastAckNanos.getAndSet(now);
          longestGapNanos.accumulateAndGet(now - previous, Math::max);
          acked.incrementAndGet();
          ackedValues.add(value);
        } else {
          failed.incrementAndGet();
          failureCauses.computeIfAbsent(describe(error), k -> new AtomicLong()).incrementAndGet();
        }
      });
    } catch (RuntimeException e) {
      // what a plain producer throws from send() (e.g. metadata not available in max.block.ms)
      sendErrors.incrementAndGet();
      failed.incrementAndGet();
      failureCauses.computeIfAbsent(describe(e), k -> new AtomicLong()).incrementAndGet();
    }
  }

  private static String describe(Throwable error) {
    if (error instanceof DeliveryFailedException delivery) {
      return "DeliveryFailedException(" + delivery.failureCause() + ")";
    }
    return error.getClass().getSimpleName();
  }

  /** Stops sending; returns once the last scheduled send has run. */
  void stopSending() throws InterruptedException {
    timer.shutdown();
    timer.awaitTermination(10, TimeUnit.SECONDS);
  }

  String name() {
    return name;
  }

  String topic() {
    return topic;
  }

  Producer<String, String> producer() {
    return producer;
  }

  long sent() {
    return sequence.get();
  }

  long acked() {
    return acked.get();
  }

  long failed() {
    return failed.get();
  }

  long longestAckGapMillis() {
    return TimeUnit.NANOSECONDS.toMillis(longestGapNanos.get());
  }

  Set<String> ackedValues() {
    return ackedValues;
  }

  Map<String, AtomicLong> failureCauses() {
    return failureCauses;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    producer.close(java.time.Duration.ofSeconds(30));
  }
}
