package dev.resilientkafka.spring;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.util.StringUtils;

/**
 * {@link KafkaConnectionDetails} whose bootstrap servers are the broker pods behind the headless Service
 * ({@link ResilientKafkaBootstrap#servers()}): every client Boot builds (producers, consumers, the admin
 * of {@code KafkaAdmin}) bootstraps from the pods DNS serves at the time it is built. Security protocol
 * and SSL bundle come from {@code spring.kafka.security.protocol} and {@code spring.kafka.ssl.bundle}
 * (the top-level ones; per-client overrides are not applied). Thread-safe.
 */
public final class ResilientKafkaConnectionDetails implements KafkaConnectionDetails {
  private final ResilientKafkaBootstrap bootstrap;
  private final KafkaProperties kafkaProperties;
  private final @Nullable SslBundles sslBundles;

  /**
   * @param bootstrap the application's bootstrap from the service
   * @param kafkaProperties Boot's Kafka properties, for security protocol and SSL bundle
   * @param sslBundles the application's SSL bundles, or null when there are none
   */
  public ResilientKafkaConnectionDetails(ResilientKafkaBootstrap bootstrap, KafkaProperties kafkaProperties,
      @Nullable SslBundles sslBundles) {
    this.bootstrap = bootstrap;
    this.kafkaProperties = kafkaProperties;
    this.sslBundles = sslBundles;
  }

  @Override
  public List<String> getBootstrapServers() {
    return bootstrap.servers();
  }

  @Override
  public @Nullable SslBundle getSslBundle() {
    String name = kafkaProperties.getSsl().getBundle();
    if (!StringUtils.hasLength(name)) {
      return null;
    }
    if (sslBundles == null) {
      throw new IllegalStateException("spring.kafka.ssl.bundle=" + name + " but the application has no SslBundles");
    }
    return sslBundles.getBundle(name);
  }

  @Override
  public @Nullable String getSecurityProtocol() {
    return kafkaProperties.getSecurity().getProtocol();
  }

  @Override
  public String toString() {
    return "ResilientKafkaConnectionDetails" + getBootstrapServers();
  }
}
