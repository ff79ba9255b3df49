package dev.resilientkafka.spring;

import dev.resilientkafka.FailureCause;
import dev.resilientkafka.ProducerListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;

/**
 * Failures of every producer the auto-configured factory builds, closed ones included, counted without a
 * {@code client.id} tag. spring-kafka closes a transactional producer after a failed transaction (fenced,
 * commit not acknowledged) and builds a new one for the next, and the per-producer meters of {@code
 * MicrometerProducerMetrics} leave the registry with the producer they belong to: without these, the
 * failure that ended a producer would be gone before the next scrape.
 *
 * <ul>
 *   <li>{@code resilientkafka.producer.factory.records.failed} (counter, tag {@code cause}): records whose
 *       callback was told they failed
 *   <li>{@code resilientkafka.producer.factory.transactions.failed} (counter, tag {@code cause}):
 *       transactional calls that threw
 * </ul>
 *
 * <p>Counters are registered on first use and stay for the life of the registry. Thread-safe; an instance
 * may serve any number of producers.
 */
final class ProducerFactoryMeters implements ProducerListener {
  private static final String PREFIX = "resilientkafka.producer.factory.";

  private final MeterRegistry registry;

  ProducerFactoryMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void onFailed(String topic, FailureCause cause) {
    Counter.builder(PREFIX + "records.failed").description("Records whose callback was told they failed, over every"
            + " producer of the application's producer factory, closed ones included").baseUnit("records")
        .tag("cause", cause.name().toLowerCase(Locale.ROOT)).register(registry).increment();
  }

  @Override
  public void onTransactionFailed(String operation, FailureCause cause) {
    Counter.builder(PREFIX + "transactions.failed").description("Transactional calls (commit, abort, ...) that threw,"
            + " over every producer of the application's producer factory, closed ones included").baseUnit("calls")
        .tag("cause", cause.name().toLowerCase(Locale.ROOT)).register(registry).increment();
  }
}
