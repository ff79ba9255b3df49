package dev.resilientkafka.resilience4j;

import dev.resilientkafka.ResilientProducer;
import dev.resilientkafka.internal.producer.ReofferRetry;
import io.github.resilience4j.retry.Retry;

/**
 * The resilience4j {@link Retry} that paces a {@link ResilientProducer}'s offers of records Kafka refused
 * (its accumulator full: {@code buffer.memory}; or an explicit partition beyond those it knows):
 * exponential backoff with jitter from {@code resilient.retry.backoff.ms} to {@code
 * resilient.retry.backoff.max.ms}, without an attempt limit (each record's {@code
 * resilient.delivery.timeout.ms} bounds it). A topic's run of refusals is one call: each refusal publishes a
 * {@code RetryOnRetryEvent} with the wait, Kafka taking the topic's records again a {@code
 * RetryOnSuccessEvent}; {@link Retry#getMetrics()} counts the calls. The Retry is named after the
 * producer's {@code client.id}.
 *
 * <p>Subscribe to {@link Retry#getEventPublisher()} to log or count re-offers with your resilience4j
 * tooling; {@code MicrometerProducerMetrics} binds its meters ({@code resilience4j.retry.calls}) when
 * resilience4j-micrometer is on the classpath. Records waiting for a topic's metadata are not backed off,
 * and records Kafka holds are retried by Kafka's own sender: neither shows here. Stateless; thread-safe.
 */
public final class ProducerRetries {
  private ProducerRetries() {}

  /**
   * The re-offer Retry of {@code producer}.
   *
   * @throws IllegalArgumentException if {@code producer} was not built by this library's builder (cannot
   *     happen for a {@code ResilientProducer} obtained normally)
   */
  public static Retry reoffers(ResilientProducer<?, ?> producer) {
    return ReofferRetry.of(producer).map(ReofferRetry::retry)
        .orElseThrow(() -> new IllegalArgumentException("no re-offer retry for producer " + producer.clientId()));
  }
}
