package dev.resilientkafka.metrics;

import dev.resilientkafka.ConsumerListener;
import dev.resilientkafka.ResilientConsumer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer meters for one {@link ResilientConsumer}, as a {@link ConsumerListener}: add it with {@code
 * builder.listener(new MicrometerConsumerMetrics(registry))}. One instance per consumer.
 *
 * <ul>
 *   <li>{@code resilientkafka.consumer.fetch.bytes} (function counter, bytes; tags {@code broker}, {@code rack},
 *       {@code same.rack}): bytes received from each broker, i.e. which brokers the consumer fetches from;
 *   <li>{@code resilientkafka.consumer.fetch.same.rack.ratio} (gauge): share of those bytes from the consumer's rack;
 *   <li>{@code resilientkafka.consumer.coordinator.stalled} (gauge, 0/1) and {@code
 *       resilientkafka.consumer.coordinator.stalls} (counter, tag {@code cause}, e.g. {@code
 *       offsets_topic_isr_shortfall});
 *   <li>{@code resilientkafka.consumer.duplicates.dropped} (counter) and {@code resilientkafka.consumer.rack.warnings}
 *       (counter).
 * </ul>
 *
 * Every meter carries {@code client.rack} ({@code none} without one) plus the extra tags given. {@link
 * #close()} removes what it registered. Thread-safe.
 */
public final class MicrometerConsumerMetrics implements ConsumerListener, AutoCloseable {
  private final MeterRegistry registry;
  private final Tags extraTags;
  private final List<Meter> meters = new CopyOnWriteArrayList<>();
  private final Set<Integer> brokersRegistered = ConcurrentHashMap.newKeySet();
  private volatile @Nullable ResilientConsumer<?, ?> consumer;
  private volatile Tags tags = Tags.empty();
  private volatile @Nullable Counter duplicates;
  private volatile @Nullable Counter rackWarnings;

  /** Meters in {@code registry} with no extra tags. */
  public MicrometerConsumerMetrics(MeterRegistry registry) {
    this(registry, Tags.empty());
  }

  /** Meters in {@code registry}, each with {@code tags} too (e.g. an application name). */
  public MicrometerConsumerMetrics(MeterRegistry registry, Iterable<Tag> tags) {
    this.registry = registry;
    this.extraTags = Tags.of(tags);
  }

  @Override
  public void onStarted(ResilientConsumer<?, ?> started) {
    this.consumer = started;
    this.tags = extraTags.and("client.rack", started.clientRack().orElse("none"));
    meters.add(Gauge.builder("resilientkafka.consumer.fetch.same.rack.ratio", started, ResilientConsumer::sameRackByteShare)
        .description("Share of the bytes received since start that came from brokers in the consumer's rack")
        .baseUnit("ratio").tags(tags).register(registry));
    meters.add(Gauge.builder("resilientkafka.consumer.coordinator.stalled", started,
            c -> c.coordinatorStallCause().isPresent() ? 1 : 0)
        .description("1 while the group coordinator is stalled on __consumer_offsets, else 0")
        .tags(tags).register(registry));
    Counter dropped = Counter.builder("resilientkafka.consumer.duplicates.dropped")
        .description("Records left out of poll() because their record id was seen within the window")
        .baseUnit("records").tags(tags).register(registry);
    meters.add(dropped);
    duplicates = dropped;
    Counter warnings = Counter.builder("resilientkafka.consumer.rack.warnings")
        .description("Start-up findings that rack-aware fetching cannot work").tags(tags).register(registry);
    meters.add(warnings);
    rackWarnings = warnings;
    onBrokerRacks(started.brokerRacks());
  }

  @Override
  public void onBrokerRacks(Map<Integer, String> rackByBroker) {
    ResilientConsumer<?, ?> current = consumer;
    if (current == null) {
      return;
    }
    String own = current.clientRack().orElse(null);
    rackByBroker.forEach((broker, rack) -> {
      if (brokersRegistered.add(broker)) {
        meters.add(FunctionCounter.builder("resilientkafka.consumer.fetch.bytes", current,
                c -> c.fetchedBytesByBroker().getOrDefault(broker, 0L))
            .description("Bytes received from this broker (fetch responses, nearly all)")
            .baseUnit("bytes")
            .tags(tags.and("broker", broker.toString(), "rack", rack.isEmpty() ? "none" : rack,
                "same.rack", Boolean.toString(rack.equals(own))))
            .register(registry));
      }
    });
  }

  @Override
  public void onRackWarning(String message) {
    Counter counter = rackWarnings;
    if (counter != null) {
      counter.increment();
    }
  }

  @Override
  public void onCoordinatorStalled(String groupId, String cause, String message) {
    Counter counter = Counter.builder("resilientkafka.consumer.coordinator.stalls")
        .description("Times the group coordinator became unavailable, by cause")
        .tags(tags.and("cause", cause)).register(registry);
    if (!meters.contains(counter)) {
      meters.add(counter);
    }
    counter.increment();
  }

  @Override
  public void onCoordinatorRecovered(String groupId, Duration stalledFor) {}

  @Override
  public void onDuplicateDropped(ConsumerRecord<?, ?> record) {
    Counter counter = duplicates;
    if (counter != null) {
      counter.increment();
    }
  }

  @Override
  public void onClosed(ResilientConsumer<?, ?> closed) {
    close();
  }

  /** Removes every meter this instance registered. Idempotent. */
  @Override
  public void close() {
    for (Meter meter : meters) {
      registry.remove(meter);
    }
    meters.clear();
    brokersRegistered.clear();
  }
}
