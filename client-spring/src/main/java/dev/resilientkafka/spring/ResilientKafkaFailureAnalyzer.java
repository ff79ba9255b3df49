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
 * ({@link ConfigException}, which names the key) and a headless Service that did not resolve ({@link
 * BootstrapException}). Ordered first so that the property is named rather than the binding of the whole
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
