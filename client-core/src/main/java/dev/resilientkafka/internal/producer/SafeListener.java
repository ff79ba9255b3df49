package dev.resilientkafka.internal.producer;

import dev.resilientkafka.FailureCause;
import dev.resilientkafka.OverflowPolicy;
import dev.resilientkafka.ProducerListener;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls every listener and logs (never rethrows) what they throw: WARN once per listener, then DEBUG. */
public final class SafeListener implements ProducerListener {
  private static final Logger log = LoggerFactory.getLogger(SafeListener.class);

  private final List<ProducerListener> listeners;
  private volatile boolean warned;

  public SafeListener(List<ProducerListener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  /** Calls every listener with {@code call}; the start event goes through this (its argument is the facade). */
  public void each(String event, Consumer<ProducerListener> call) {
    for (ProducerListener listener : listeners) {
      try {
        call.accept(listener);
      } catch (RuntimeException | Error e) {
        // Kafka's I/O thread dies of an Error thrown through it, and the dispatcher would skip outcomes
        if (e instanceof VirtualMachineError fatal && !(e instanceof StackOverflowError)) {
          throw fatal;
        }
        if (!warned) {
          warned = true;
          log.warn("producer listener {} failed on {}; further failures are logged at DEBUG", listener, event, e);
        } else {
          log.debug("producer listener {} failed on {}", listener, event, e);
        }
      }
    }
  }

  @Override
  public void onRecovered(String topic) {
    each("onRecovered", l -> l.onRecovered(topic));
  }

  @Override
  public void onResent(String topic) {
    each("onResent", l -> l.onResent(topic));
  }

  @Override
  public void onDropped(String topic, OverflowPolicy policy) {
    each("onDropped", l -> l.onDropped(topic, policy));
  }

  @Override
  public void onFailed(String topic, FailureCause cause) {
    each("onFailed", l -> l.onFailed(topic, cause));
  }

  @Override
  public void onTransactionFailed(String operation, FailureCause cause) {
    each("onTransactionFailed", l -> l.onTransactionFailed(operation, cause));
  }

  @Override
  public void onClose() {
    each("onClose", ProducerListener::onClose);
  }
}
