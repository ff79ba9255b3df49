package dev.resilientkafka;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

/**
 * Events of a {@link ResilientConsumer}: its rack, start-up warnings, group-coordinator stalls and dropped
 * duplicates. Every method has a no-op default; implement what you need. Metrics are one such listener
 * ({@code dev.resilientkafka.metrics.MicrometerConsumerMetrics}).
 *
 * <p>Methods are called from the polling thread or from the consumer's diagnostics thread, so
 * implementations must be thread-safe and fast; an exception thrown by a listener is caught and logged
 * and never reaches the consumer.
 */
public interface ConsumerListener {
  /** A listener that does nothing. */
  ConsumerListener NONE = new ConsumerListener() {};

  /** The consumer was built; {@code consumer} may be read (metrics methods) from any thread. */
  default void onStarted(ResilientConsumer<?, ?> consumer) {}

  /** {@code client.rack} was settled: {@code rack} is null when no source gave one; {@code source} names the step. */
  default void onRackResolved(@Nullable String rack, String source) {}

  /** The brokers and their racks ({@code ""} when a broker has none), at start and whenever they change. */
  default void onBrokerRacks(Map<Integer, String> rackByBroker) {}

  /** A start-up check found rack awareness not working (no broker in the rack, no rack-aware selector). */
  default void onRackWarning(String message) {}

  /**
   * The consumer group cannot be coordinated: {@code cause} is a stable name such as {@code
   * offsets_topic_isr_shortfall}, {@code message} says which {@code __consumer_offsets} partition and why.
   */
  default void onCoordinatorStalled(String groupId, String cause, String message) {}

  /** The stall reported by {@link #onCoordinatorStalled} is over, after {@code stalledFor}. */
  default void onCoordinatorRecovered(String groupId, Duration stalledFor) {}

  /** A record was left out of {@code poll()} because its record id was seen within the window. */
  default void onDuplicateDropped(ConsumerRecord<?, ?> record) {}

  /** The consumer was closed. */
  default void onClosed(ResilientConsumer<?, ?> consumer) {}
}
