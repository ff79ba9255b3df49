package dev.resilientkafka.producer;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * One thread sending keyed records at a fixed rate: key {@code <prefix>-<n % keys>}, value {@code
 * <prefix>-<n>}, so that per-key order can be checked from the values. Records every callback outcome.
 */
final class KeyedWorkload implements AutoCloseable {
  static final int KEYS = 12;

  final String prefix;
  final Outcomes outcomes = new Outcomes();
  private final Producer<String, String> producer;
  private final String topic;
  private final ScheduledExecutorService scheduler;
  private final AtomicInteger sent = new AtomicInteger();
  private final AtomicReference<Throwable> thrown = new AtomicReference<>();

  KeyedWorkload(Producer<String, String> producer, String topic, String prefix, int recordsPerSecond) {
    this.producer = producer;
    this.topic = topic;
    this.prefix = prefix;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "workload-" + prefix));
    outcomes.startClock();
    scheduler.scheduleAtFixedRate(this::sendOne, 0, 1_000_000 / recordsPerSecond, TimeUnit.MICROSECONDS);
  }

  private void sendOne() {
    int n = sent.get();
    try {
      producer.send(new ProducerRecord<>(topic, prefix + "-" + (n % KEYS), prefix + "-" + n), outcomes.callback(n));
      sent.incrementAndGet();
    } catch (RuntimeException e) {
      thrown.compareAndSet(null, e);
      throw e;
    }
  }

  int sent() {
    return sent.get();
  }

  /** What send() threw to the application, if anything. */
  Throwable thrown() {
    return thrown.get();
  }

  /** Stops sending; already-sent records keep completing. */
  @Override
  public void close() throws InterruptedException {
    scheduler.shutdown();
    scheduler.awaitTermination(30, TimeUnit.SECONDS);
  }
}
