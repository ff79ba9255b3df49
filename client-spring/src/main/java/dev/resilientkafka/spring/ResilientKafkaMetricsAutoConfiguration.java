package dev.resilientkafka.spring;

import dev.resilientkafka.BootstrapListener;
import dev.resilientkafka.ConsumerListener;
import dev.resilientkafka.ProducerListener;
import dev.resilientkafka.metrics.MicrometerBootstrapMetrics;
import dev.resilientkafka.metrics.MicrometerConsumerMetrics;
import dev.resilientkafka.metrics.MicrometerProducerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Puts the meters of every auto-configured producer, consumer and of the bootstrap into the application's
 * {@link MeterRegistry} (the unique one, looked up when each client is built, so the order of Boot's
 * metrics auto-configuration does not matter), and the failures of all the factory's producers, closed
 * ones included ({@link ProducerFactoryMeters}: spring-kafka replaces a transactional producer after a
 * failed transaction, and a producer's own meters go with it). Nothing is registered when the application
 * has no registry. Each bean backs off when one of its name exists ({@code resilientKafkaMeters}, {@code
 * resilientKafkaFactoryMeters}).
 */
@AutoConfiguration(before = ResilientKafkaAutoConfiguration.class)
@ConditionalOnClass({MeterRegistry.class, MicrometerProducerMetrics.class})
public final class ResilientKafkaMetricsAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(name = "resilientKafkaMeters")
  ResilientKafkaClientListeners resilientKafkaMeters(ObjectProvider<MeterRegistry> registry) {
    return new ResilientKafkaClientListeners() {
      @Override
      public ProducerListener producerListener() {
        MeterRegistry meters = registry.getIfUnique();
        return meters == null ? ProducerListener.NONE : new MicrometerProducerMetrics(meters);
      }

      @Override
      public ConsumerListener consumerListener() {
        MeterRegistry meters = registry.getIfUnique();
        return meters == null ? ConsumerListener.NONE : new MicrometerConsumerMetrics(meters);
      }

      @Override
      public BootstrapListener bootstrapListener() {
        MeterRegistry meters = registry.getIfUnique();
        return meters == null ? BootstrapListener.NONE : new MicrometerBootstrapMetrics(meters);
      }
    };
  }

  @Bean
  @ConditionalOnMissingBean(name = "resilientKafkaFactoryMeters")
  ResilientKafkaClientListeners resilientKafkaFactoryMeters(ObjectProvider<MeterRegistry> registry) {
    return new ResilientKafkaClientListeners() {
      @Override
      public ProducerListener producerListener() {
        MeterRegistry meters = registry.getIfUnique();
        return meters == null ? ProducerListener.NONE : new ProducerFactoryMeters(meters);
      }
    };
  }
}
