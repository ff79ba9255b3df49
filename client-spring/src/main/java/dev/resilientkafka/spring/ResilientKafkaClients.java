package dev.resilientkafka.spring;

import dev.resilientkafka.ConsumerListener;
import dev.resilientkafka.ProducerListener;
import dev.resilientkafka.ResilientConsumer;
import dev.resilientkafka.ResilientProducer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@link ResilientProducer}s and {@link ResilientConsumer}s the auto-configured factories built and
 * that are not closed yet; the health indicator reads their state. Thread-safe.
 */
public final class ResilientKafkaClients {
  private final Set<ResilientProducer<?, ?>> producers = ConcurrentHashMap.newKeySet();
  private final Set<ResilientConsumer<?, ?>> consumers = ConcurrentHashMap.newKeySet();

  /** Live producers, in no particular order. */
  public List<ResilientProducer<?, ?>> producers() {
    return List.copyOf(producers);
  }

  /** Live consumers, in no particular order. */
  public List<ResilientConsumer<?, ?>> consumers() {
    return List.copyOf(consumers);
  }

  /** A listener for one new producer that adds it here on start and removes it on close. */
  public ProducerListener producerTracker() {
    AtomicReference<ResilientProducer<?, ?>> tracked = new AtomicReference<>();
    return new ProducerListener() {
      @Override
      public void onStart(ResilientProducer<?, ?> producer) {
        tracked.set(producer);
        producers.add(producer);
      }

      @Override
      public void onClose() {
        ResilientProducer<?, ?> producer = tracked.getAndSet(null);
        if (producer != null) {
          producers.remove(producer);
        }
      }
    };
  }

  /** A listener for new consumers that adds each here when started and removes it when closed. */
  public ConsumerListener consumerTracker() {
    return new ConsumerListener() {
      @Override
      public void onStarted(ResilientConsumer<?, ?> consumer) {
        consumers.add(consumer);
      }

      @Override
      public void onClosed(ResilientConsumer<?, ?> consumer) {
        consumers.remove(consumer);
      }
    };
  }
}
