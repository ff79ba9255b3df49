package dev.resilientkafka.metrics;

import dev.resilientkafka.FailureCause;
import dev.resilientkafka.OverflowPolicy;
import dev.resilientkafka.ProducerListener;
import dev.resilientkafka.ResilientProducer;
import dev.resilientkafka.SpoolStatus;
import dev.resilientkafka.internal.producer.ReofferRetry;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer meters of one {@link ResilientProducer}, as a {@link ProducerListener}: pass it to {@link
 * ResilientProducer.Builder#listener}. Registers on start, removes everything on close. Every meter is
 * tagged {@code client.id}; Kafka's own producer metrics are bound too ({@link KafkaClientMetrics}).
 *
 * <ul>
 *   <li>{@code resilientkafka.producer.buffer.records} (gauge): records accepted, not yet completed
 *   <li>{@code resilientkafka.producer.buffer.bytes} (gauge, bytes): their serialized size
 *   <li>{@code resilientkafka.producer.buffer.oldest.age} (time gauge, seconds): age of the oldest
 *   <li>{@code resilientkafka.producer.partitions.below.min.isr} (gauge)
 *   <li>{@code resilientkafka.producer.availability.mode} (gauge, 1 when acks/idempotence not forced)
 *   <li>{@code resilientkafka.producer.records.recovered} (counter): delivered after waiting out a fault
 *   <li>{@code resilientkafka.producer.records.resent} (counter): records an earlier process left in the
 *       durable spool, sent again (their first attempt's outcome unknown; a repeat carries the same id)
 *   <li>{@code resilientkafka.producer.spool.records}, {@code .spool.bytes}, {@code .spool.oldest.age},
 *       {@code .spool.recovered}, {@code .spool.torn.tails} (gauges, with a durable spool only)
 *   <li>{@code resilientkafka.producer.records.dropped} (counter, tag {@code reason} = overflow policy)
 *   <li>{@code resilientkafka.producer.records.failed} (counter, tag {@code cause} = failure cause)
 *   <li>{@code resilientkafka.producer.transactions.failed} (counter, tag {@code cause} = failure cause):
 *       transactional calls that threw, e.g. {@code cause=fenced} (with {@code transactional.id} only)
 *   <li>{@code resilience4j.retry.calls} (function counters, tags {@code name} = client id and {@code
 *       kind}): the re-offers of records Kafka refused, as resilience4j counts them (see {@code
 *       dev.resilientkafka.resilience4j.ProducerRetries}); only with resilience4j-micrometer on the classpath
 * </ul>
 *
 * <p>One instance per producer. Thread-safe.
 */
public final class MicrometerProducerMetrics implements ProducerListener {
  private static final String PREFIX = "resilientkafka.producer.";

  private final MeterRegistry registry;
  private final Iterable<Tag> extraTags;
  private final List<Meter> meters = new CopyOnWriteArrayList<>();
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private volatile Tags tags = Tags.empty();
  private volatile @Nullable KafkaClientMetrics kafkaMetrics;

  /** Meters in {@code registry}, tagged with {@code client.id}. */
  public MicrometerProducerMetrics(MeterRegistry registry) {
    this(registry, Tags.empty());
  }

  /** Meters in {@code registry}, tagged with {@code client.id} and {@code tags}. */
  public MicrometerProducerMetrics(MeterRegistry registry, Iterable<Tag> tags) {
    this.registry = registry;
    this.extraTags = tags;
  }

  @Override
  public void onStart(ResilientProducer<?, ?> producer) {
    tags = Tags.of(extraTags).and("client.id", producer.clientId());
    meters.add(Gauge.builder(PREFIX + "buffer.records", producer, ResilientProducer::bufferedRecords)
        .description("Records accepted by send() and not yet completed").tags(tags).register(registry));
    meters.add(Gauge.builder(PREFIX + "buffer.bytes", producer, ResilientProducer::bufferedBytes)
        .description("Serialized bytes of the records accepted and not yet completed").baseUnit("bytes")
        .tags(tags).register(registry));
    meters.add(TimeGauge.builder(PREFIX + "buffer.oldest.age", producer, TimeUnit.MILLISECONDS,
            p -> p.oldestBufferedAge().toMillis())
        .description("Time since the oldest record not yet completed was accepted").tags(tags).register(registry));
    meters.add(Gauge.builder(PREFIX + "partitions.below.min.isr", producer, ResilientProducer::partitionsBelowMinIsr)
        .description("Partitions below min.insync.replicas among the topics whose records are not being acknowledged").tags(tags).register(registry));
    meters.add(Gauge.builder(PREFIX + "availability.mode", producer, p -> p.availabilityMode() ? 1 : 0)
        .description("1 when acks=all and idempotence are not forced (availability-first mode)")
        .tags(tags).register(registry));
    if (producer.spoolStatus().isPresent()) {
      meters.add(Gauge.builder(PREFIX + "spool.records", producer, p -> p.spoolStatus().map(SpoolStatus::records).orElse(0L))
          .description("Records in the durable spool not yet acknowledged").tags(tags).register(registry));
      meters.add(Gauge.builder(PREFIX + "spool.bytes", producer, p -> p.spoolStatus().map(SpoolStatus::bytes).orElse(0L))
          .description("Bytes on disk of the records in the durable spool").baseUnit("bytes").tags(tags).register(registry));
      meters.add(TimeGauge.builder(PREFIX + "spool.oldest.age", producer, TimeUnit.MILLISECONDS,
              p -> p.spoolStatus().map(s -> s.oldestAge().toMillis()).orElse(0L))
          .description("Time since the oldest record in the durable spool was accepted").tags(tags).register(registry));
      meters.add(Gauge.builder(PREFIX + "spool.recovered", producer,
              p -> p.spoolStatus().map(SpoolStatus::recoveredAtStart).orElse(0L))
          .description("Records an earlier process left in the spool, sent again by this producer").tags(tags)
          .register(registry));
      meters.add(Gauge.builder(PREFIX + "spool.torn.tails", producer,
              p -> p.spoolStatus().map(SpoolStatus::tornTailsRepairedAtStart).orElse(0))
          .description("Records cut short when an earlier process died mid-write, truncated at start").tags(tags)
          .register(registry));
    }
    KafkaClientMetrics kafka = new KafkaClientMetrics(producer, tags);
    kafka.bindTo(registry);
    kafkaMetrics = kafka;
    if (RetryMeters.AVAILABLE) {
      ReofferRetry.of(producer).ifPresent(retry -> meters.addAll(RetryMeters.bind(retry, registry)));
    }
  }

  /** resilience4j-micrometer's retry meters; loaded only when that optional library is present. */
  private static final class RetryMeters {
    static final boolean AVAILABLE = present("io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics");

    static List<Meter> bind(ReofferRetry retry, MeterRegistry registry) {
      TaggedRetryMetrics.ofRetryRegistry(retry.registry()).bindTo(registry);
      String name = retry.retry().getName();
      return registry.getMeters().stream().filter(m -> m.getId().getName().startsWith("resilience4j.retry.")
          && name.equals(m.getId().getTag("name"))).toList();
    }

    private static boolean present(String className) {
      try {
        Class.forName(className, false, MicrometerProducerMetrics.class.getClassLoader());
        return true;
      } catch (ClassNotFoundException | LinkageError e) {
        return false;
      }
    }
  }

  private Counter counter(String name, String description, String tagKey, @Nullable String tagValue) {
    return counter(name, description, "records", tagKey, tagValue);
  }

  private Counter counter(String name, String description, String unit, String tagKey, @Nullable String tagValue) {
    String id = name + "|" + tagValue;
    return counters.computeIfAbsent(id, k -> {
      Counter.Builder builder = Counter.builder(PREFIX + name).description(description).baseUnit(unit).tags(tags);
      if (tagValue != null) {
        builder.tag(tagKey, tagValue);
      }
      Counter counter = builder.register(registry);
      meters.add(counter);
      return counter;
    });
  }

  @Override
  public void onRecovered(String topic) {
    counter("records.recovered", "Records delivered after waiting out a fault", "", null).increment();
  }

  @Override
  public void onResent(String topic) {
    counter("records.resent", "Records sent again after an unknown outcome (may duplicate)", "", null).increment();
  }

  @Override
  public void onDropped(String topic, OverflowPolicy policy) {
    counter("records.dropped", "Records not kept because the buffer was full", "reason",
        policy.name().toLowerCase(Locale.ROOT)).increment();
  }

  @Override
  public void onFailed(String topic, FailureCause cause) {
    counter("records.failed", "Records whose callback was told they failed", "cause",
        cause.name().toLowerCase(Locale.ROOT)).increment();
  }

  @Override
  public void onTransactionFailed(String operation, FailureCause cause) {
    counter("transactions.failed", "Transactional calls (commit, abort, ...) that threw", "calls", "cause",
        cause.name().toLowerCase(Locale.ROOT)).increment();
  }

  @Override
  public void onClose() {
    KafkaClientMetrics kafka = kafkaMetrics;
    if (kafka != null) {
      kafka.close();
    }
    for (Meter meter : meters) {
      registry.remove(meter);
    }
    meters.clear();
    counters.clear();
  }
}
