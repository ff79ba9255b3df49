package dev.resilientkafka.internal.producer;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.RetriableException;
import org.jspecify.annotations.Nullable;

/**
 * The policy for offering again records Kafka refused (its accumulator full, or an explicit partition
 * beyond the partitions it knows), as a resilience4j {@link Retry}: exponential backoff with jitter from
 * {@code resilient.retry.backoff.ms} up to {@code resilient.retry.backoff.max.ms}, no attempt limit (each
 * record's delivery deadline bounds it). A topic's run of refusals is one retried call: each refusal is a
 * failed attempt ({@code RetryOnRetryEvent} with the wait), Kafka taking the topic's waiting records again
 * completes it ({@code RetryOnSuccessEvent}). Events go to the Retry's event publisher and its metrics count
 * the calls; the integration packages hand the Retry to users ({@code dev.resilientkafka.resilience4j}) and
 * bind it to Micrometer ({@code dev.resilientkafka.metrics}, through resilience4j-micrometer).
 *
 * <p>Records waiting for a topic's metadata are not backed off (they go as soon as Kafka has it), and
 * records Kafka holds are retried by Kafka's own sender. Thread-safe.
 */
public final class ReofferRetry {
  /** The retry of each live producer facade, for the integration packages (weak: a producer is not kept). */
  private static final Map<Object, ReofferRetry> BY_PRODUCER = Collections.synchronizedMap(new WeakHashMap<>());
  /** Stands for a refusal whose exception is not at hand (a partition beyond those Kafka knows). */
  private static final RetriableException REFUSED = new RetriableException("Kafka did not take the record yet") {
    private static final long serialVersionUID = 1L;

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  };

  private final String name;
  private final Duration first;
  private final Duration max;
  /** Made on first use: a producer that is never refused pays nothing for it. */
  private volatile @Nullable RetryRegistry registry;
  /** The open call of each topic lane that is being refused. */
  private final Map<Object, Retry.AsyncContext<Object>> open = Collections.synchronizedMap(new WeakHashMap<>());
  /** Whether a call may be open: the dispatcher's every round asks {@link #offered}, nearly always for nothing. */
  private volatile boolean anyOpen;

  /** A retry named {@code name} (the producer's client id) backing off from {@code first} to {@code max}. */
  ReofferRetry(String name, Duration first, Duration max) {
    this.name = name;
    this.first = first;
    this.max = max;
  }

  /** Lets {@link #of} find this retry from the producer facade that owns it. */
  public void registerFor(Object producer) {
    BY_PRODUCER.put(producer, this);
  }

  /** The retry of {@code producer}, a live {@code ResilientProducer}. */
  public static Optional<ReofferRetry> of(Object producer) {
    return Optional.ofNullable(BY_PRODUCER.get(producer));
  }

  /** The resilience4j retry: its event publisher and metrics. */
  public Retry retry() {
    return registry().retry(name);
  }

  /** A registry holding only {@link #retry()}, for binders that take a registry (resilience4j-micrometer). */
  public RetryRegistry registry() {
    RetryRegistry current = registry;
    if (current == null) {
      synchronized (this) {
        current = registry;
        if (current == null) {
          RetryConfig config = RetryConfig.custom()
              .maxAttempts(Integer.MAX_VALUE)
              .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(first.toMillis(), 2.0, 0.5, max.toMillis()))
              .failAfterMaxAttempts(false)
              .writableStackTraceEnabled(false)
              .build();
          current = RetryRegistry.of(config);
          current.retry(name);
          registry = current;
        }
      }
    }
    return current;
  }

  /**
   * A refusal of {@code lane}'s head record: the wait before the lane is offered again, in ns.
   *
   * @param why what Kafka said, if at hand
   */
  long delayNanos(Object lane, @Nullable Throwable why) {
    Retry retry = retry();
    anyOpen = true;
    Retry.AsyncContext<Object> call = open.computeIfAbsent(lane, l -> retry.asyncContext());
    long millis = call.onError(why == null ? REFUSED : why);
    return TimeUnit.MILLISECONDS.toNanos(Math.max(0, millis));
  }

  /** Kafka took {@code lane}'s waiting records: its run of refusals, if any, succeeded. */
  void offered(Object lane) {
    if (!anyOpen) {
      return;
    }
    Retry.AsyncContext<Object> call = open.remove(lane);
    if (call != null) {
      call.onComplete();
    }
  }
}
