package dev.resilientkafka.spring;

import dev.resilientkafka.RackDiscovery;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;

/**
 * The {@link ResilientKafkaHealthIndicator} (contributor name {@code resilientKafka}) when Boot's health
 * support is on the classpath; {@code management.health.resilientkafka.enabled=false} turns it off, a bean
 * named {@code resilientKafkaHealthIndicator} replaces it.
 */
@AutoConfiguration(after = ResilientKafkaAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(ResilientKafkaClients.class)
@ConditionalOnEnabledHealthIndicator("resilientkafka")
public final class ResilientKafkaHealthAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(name = "resilientKafkaHealthIndicator")
  ResilientKafkaHealthIndicator resilientKafkaHealthIndicator(ResilientKafkaClients clients,
      ObjectProvider<ResilientKafkaBootstrap> bootstrap, RackDiscovery rack, ResilientKafkaProperties properties,
      KafkaProperties kafkaProperties, KafkaConnectionDetails connectionDetails) {
    ResilientKafkaBootstrap serviceBootstrap = bootstrap.getIfAvailable();
    return new ResilientKafkaHealthIndicator(clients, serviceBootstrap, rack, properties, () -> {
      Map<String, Object> config = kafkaProperties.buildAdminProperties();
      KafkaConnectionDetails.Configuration admin = connectionDetails.getAdmin();
      ResilientKafkaAutoConfiguration.applyConnection(config, admin.getBootstrapServers(), admin.getSecurityProtocol(),
          admin.getSslBundle());
      if (serviceBootstrap != null) {
        serviceBootstrap.clientSettings().forEach(config::putIfAbsent);
      }
      return config;
    });
  }
}
