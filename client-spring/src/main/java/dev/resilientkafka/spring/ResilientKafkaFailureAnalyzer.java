package dev.resilientkafka.spring;

import dev.resilientkafka.BootstrapException;
import org.apache.kafka.common.config.ConfigException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Turns resilient-kafka start-up failures into Boot's failure report: an invalid {@code resilient.kafka.*}
 * property ({@link InvalidResilientKafkaPropertyException}), a Kafka client setting the library rejects
 * ({@link ConfigException}, which names the key), a headless Service that did not resolve ({@link
 * BootstrapException}) and a transactional producer factory without the opt-in ({@link
 * TransactionsNotSupportedException}). Ordered first so that the property is named rather than the binding of the whole
 * {@code resilient.kafka} prefix. Stateless.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
public final class ResilientKafkaFailureAnalyzer implements FailureAnalyzer {

  @Override
  public @Nullable FailureAnalysis analyze(Throwable failure) {
    InvalidResilientKafkaPropertyException invalid = find(failure, InvalidResilientKafkaPropertyException.class);
    if (invalid != null) {
      return new FailureAnalysis(
          "Invalid value '" + invalid.value() + "' for property '" + invalid.property() + "': " + invalid.accepted() + ".",
          "Update '" + invalid.property() + "' in your application's configuration (" + invalid.accepted() + ").",
          invalid);
    }
    TransactionsNotSupportedException transactions = find(failure, TransactionsNotSupportedException.class);
    if (transactions != null) {
      return new FailureAnalysis(
          "The producer factory is transactional (transaction-id-prefix '" + transactions.transactionIdPrefix()
              + "', from spring.kafka.producer.transaction-id-prefix or a customizer), but ResilientProducer does not"
              + " support transactions yet: transactional sends would not get the buffered retry through broker"
              + " outages.",
          "Remove spring.kafka.producer.transaction-id-prefix if the application does not need Kafka transactions;"
              + " or set resilient.kafka.producer.plain-transactions=true to run them on plain KafkaProducers (no"
              + " buffering: sends fail after delivery.timeout.ms while brokers are down); or set"
              + " resilient.kafka.producer.enabled=false to use Boot's own producer factory for every producer.",
          transactions);
    }
    BootstrapException bootstrap = find(failure, BootstrapException.class);
    if (bootstrap != null) {
      return new FailureAnalysis(
          "Kafka could not be bootstrapped from the headless Service '" + bootstrap.service() + "' (DNS server "
              + bootstrap.dnsServer() + "): " + bootstrap.reason() + ". " + bootstrap.getMessage(),
          "Check resilient.kafka.service (the Service name and port), resilient.kafka.dns-server, and that the broker"
              + " pods are Ready; resilient.kafka.bootstrap-timeout sets how long start-up waits, and"
              + " resilient.kafka.fallback-servers gives a list used when DNS fails.",
          bootstrap);
    }
    ConfigException config = find(failure, ConfigException.class);
    if (config != null) {
      return new FailureAnalysis(
          "A Kafka client setting was rejected: " + config.getMessage(),
          "Change the key named above: Kafka keys come from spring.kafka.* (spring.kafka.properties.*, "
              + "spring.kafka.producer.*, spring.kafka.consumer.*), resilient.* keys from resilient.kafka.*.",
          config);
    }
    return null;
  }

  private static <T extends Throwable> @Nullable T find(Throwable failure, Class<T> type) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }
}
