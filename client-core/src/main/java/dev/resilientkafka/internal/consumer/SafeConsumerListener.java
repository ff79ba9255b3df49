package dev.resilientkafka.internal.consumer;

import dev.resilientkafka.ConsumerListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans events out to every listener, catching and logging what they throw. Start and close events go
 * through {@link #each} (their argument is the consumer itself). Thread-safe.
 */
public final class SafeConsumerListener implements ConsumerListener {
  private static final Logger LOG = LoggerFactory.getLogger(SafeConsumerListener.class);
  private final List<ConsumerListener> listeners;

  public SafeConsumerListener(List<ConsumerListener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  /**
   * Calls every listener with {@code call}, logging what one throws; the consumer's own facade fires its
   * start and close events through this (so that this class does not depend on it).
   */
  public void each(String event, Consumer<ConsumerListener> call) {
    for (ConsumerListener listener : listeners) {
      try {
        call.accept(listener);
      } catch (RuntimeException | Error e) {
        if (e instanceof VirtualMachineError fatal && !(e instanceof StackOverflowError)) {
          throw fatal;
        }
        LOG.warn("consumer listener {} threw from {}; ignored", listener.getClass().getName(), event, e);
      }
    }
  }

  @Override
  public void onRackResolved(@Nullable String rack, String source) {
    each("onRackResolved", l -> l.onRackResolved(rack, source));
  }

  @Override
  public void onBrokerRacks(Map<Integer, String> rackByBroker) {
    each("onBrokerRacks", l -> l.onBrokerRacks(rackByBroker));
  }

  @Override
  public void onRackWarning(String message) {
    each("onRackWarning", l -> l.onRackWarning(message));
  }

  @Override
  public void onCoordinatorStalled(String groupId, String cause, String message) {
    each("onCoordinatorStalled", l -> l.onCoordinatorStalled(groupId, cause, message));
  }

  @Override
  public void onCoordinatorRecovered(String groupId, Duration stalledFor) {
    each("onCoordinatorRecovered", l -> l.onCoordinatorRecovered(groupId, stalledFor));
  }

  @Override
  public void onDuplicateDropped(ConsumerRecord<?, ?> record) {
    each("onDuplicateDropped", l -> l.onDuplicateDropped(record));
  }
}
