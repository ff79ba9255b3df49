package dev.resilientkafka.benchmarks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.jspecify.annotations.Nullable;

/**
 * Offers records to one producer at a fixed rate from its own thread (so that a {@code send()} that
 * blocks slows only this client) and records what became of each: acknowledged (latency, time),
 * failed (callback told) or refused by {@code send()}. Each value starts with the record's unique id
 * (8 bytes) so that a read-back can count losses and duplicates.
 */
public final class PacedProducer implements AutoCloseable {
  private final String name;
  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final int ratePerSecond;
  private final boolean keyed;
  private final byte[] padding;
  private final AckTimeline timeline;
  private final SynchronizedHistogram latencyMicros = new SynchronizedHistogram(3);
  private final AtomicLong accepted = new AtomicLong();
  private final LongAdder acked = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder refused = new LongAdder();
  private final ConcurrentHashMap<String, LongAdder> failures = new ConcurrentHashMap<>();
  private final @Nullable IntConsumer partitionAcked;
  private final Thread thread;
  private volatile boolean running = true;

  /**
   * Starts offering records at once.
   *
   * @param keyed whether records carry one of 64 keys (else keyless, left to the partitioner)
   * @param valueBytes size of each value, at least 8
   * @param startNanos second 0 of the ack timeline
   * @param partitionAcked told the partition of each acknowledged record, from a producer thread
   */
  public PacedProducer(String name, Producer<byte[], byte[]> producer, String topic, int ratePerSecond,
      boolean keyed, int valueBytes, long startNanos, @Nullable IntConsumer partitionAcked) {
    this.name = name;
    this.producer = producer;
    this.topic = topic;
    this.ratePerSecond = ratePerSecond;
    this.keyed = keyed;
    this.padding = new byte[Math.max(0, valueBytes - Long.BYTES)];
    this.timeline = new AckTimeline(startNanos);
    this.partitionAcked = partitionAcked;
    this.thread = new Thread(this::offer, "paced-" + name);
    thread.setDaemon(true);
    thread.start();
  }

  private void offer() {
    long period = TimeUnit.SECONDS.toNanos(1) / ratePerSecond;
    long next = System.nanoTime();
    for (long sequence = 0; running; sequence++) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait); // pacing of the offered load, not a wait for a condition
      }
      next += period;
      sendOne(sequence);
    }
  }

  private void sendOne(long sequence) {
    long id = sequence;
    byte[] value = ByteBuffer.allocate(Long.BYTES + padding.length).putLong(id).put(padding).array();
    byte[] key = keyed ? ("key-" + (id % 64)).getBytes(StandardCharsets.UTF_8) : null;
    long sent = System.nanoTime();
    try {
      producer.send(new ProducerRecord<>(topic, key, value), (metadata, exception) -> {
        long now = System.nanoTime();
        if (exception == null) {
          acked.increment();
          latencyMicros.recordValue(Math.max(0, (now - sent) / 1_000));
          timeline.ack(now);
          if (partitionAcked != null) {
            partitionAcked.accept(metadata.partition());
          }
        } else {
          failed.increment();
          failures.computeIfAbsent(exception.getClass().getSimpleName(), k -> new LongAdder()).increment();
        }
      });
      accepted.incrementAndGet();
    } catch (RuntimeException e) {
      refused.increment();
      failures.computeIfAbsent("send() threw " + e.getClass().getSimpleName(), k -> new LongAdder()).increment();
    }
  }

  /** Stops offering; records already accepted keep completing. */
  public void stopOffering() {
    running = false;
    timeline.close(System.nanoTime());
    try {
      thread.join(TimeUnit.SECONDS.toMillis(130));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits until every accepted record completed (acked or failed), up to {@code timeout}; true if so. */
  public boolean awaitCompletion(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (completed() >= accepted.get()) {
        return true;
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    return completed() >= accepted.get();
  }

  private long completed() {
    return acked.sum() + failed.sum();
  }

  /** Which client this is. */
  public String name() {
    return name;
  }

  /** Records {@code send()} accepted; ids 0 until this minus refused ones. */
  public long accepted() {
    return accepted.get();
  }

  /** Ids offered (accepted or refused); every id below this was offered once. */
  public long offered() {
    return accepted.get() + refused.sum();
  }

  public long acked() {
    return acked.sum();
  }

  public long failed() {
    return failed.sum();
  }

  public long refused() {
    return refused.sum();
  }

  /** Failure counts by exception type. */
  public String failureSummary() {
    StringBuilder text = new StringBuilder();
    failures.forEach((type, count) -> text.append(text.length() == 0 ? "" : ", ").append(type).append(" x").append(count.sum()));
    return text.length() == 0 ? "-" : text.toString();
  }

  public AckTimeline timeline() {
    return timeline;
  }

  /** Send-to-ack latencies so far, in microseconds (a copy). */
  public Histogram latencies() {
    return latencyMicros.copy();
  }

  /** The producer's {@code producer-metrics} metric {@code name}, or {@code NaN}. */
  public double metric(String name) {
    for (Map.Entry<MetricName, ? extends Metric> metric : producer.metrics().entrySet()) {
      if (metric.getKey().name().equals(name) && metric.getKey().group().equals("producer-metrics")
          && metric.getValue().metricValue() instanceof Number number) {
        return number.doubleValue();
      }
    }
    return Double.NaN;
  }

  @Override
  public void close() {
    running = false;
    producer.close(Duration.ofSeconds(10));
  }
}
