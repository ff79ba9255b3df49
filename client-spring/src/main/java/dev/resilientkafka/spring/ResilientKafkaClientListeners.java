package dev.resilientkafka.spring;

import dev.resilientkafka.BootstrapListener;
import dev.resilientkafka.ConsumerListener;
import dev.resilientkafka.ProducerListener;

/**
 * Listeners added to every client the auto-configuration builds; declare beans of this type to observe
 * producers, consumers and the bootstrap (the Micrometer meters are one such bean). Each method is called
 * once per client built, so it can return a fresh listener per client. Every method has a no-op default.
 * Implementations must be thread-safe.
 */
public interface ResilientKafkaClientListeners {
  /** A listener for one new producer. */
  default ProducerListener producerListener() {
    return ProducerListener.NONE;
  }

  /** A listener for one new consumer. */
  default ConsumerListener consumerListener() {
    return ConsumerListener.NONE;
  }

  /** A listener for the application's bootstrap from the headless Service. */
  default BootstrapListener bootstrapListener() {
    return BootstrapListener.NONE;
  }
}
