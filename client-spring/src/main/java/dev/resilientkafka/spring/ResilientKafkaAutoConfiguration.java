package dev.resilientkafka.spring;

import dev.resilientkafka.BootstrapListener;
import dev.resilientkafka.ConsumerListener;
import dev.resilientkafka.ProducerListener;
import dev.resilientkafka.RackDiscovery;
import dev.resilientkafka.ResilientBootstrapConfig;
import dev.resilientkafka.ResilientConsumer;
import dev.resilientkafka.ResilientConsumerConfig;
import dev.resilientkafka.ResilientProducer;
import dev.resilientkafka.ResilientRackConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaConsumerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.kafka.autoconfigure.SslBundleSslEngineFactory;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;

/**
 * Auto-configuration of resilient-kafka for Spring for Apache Kafka, applied before Boot's {@link
 * KafkaAutoConfiguration} so that Boot's factories and connection details back off:
 *
 * <ul>
 *   <li>{@link ResilientKafkaBootstrap} and {@link ResilientKafkaConnectionDetails} when {@code
 *       resilient.kafka.service} is set: {@code bootstrap.servers} is the pods behind the headless Service;
 *   <li>{@code kafkaProducerFactory}: a {@link ResilientKafkaProducerFactory} built like Boot's (from
 *       {@code spring.kafka.*}, the connection details and every {@link DefaultKafkaProducerFactoryCustomizer});
 *   <li>{@code kafkaConsumerFactory}: a {@link ResilientKafkaConsumerFactory}, built the same way;
 *   <li>customizers adding {@code acks=all} and idempotence to producers, {@code client.rack} to consumers,
 *       and the rebootstrap settings to both (they apply to Boot's plain factories too when wrapping is
 *       turned off with {@code resilient.kafka.producer.enabled=false} / {@code consumer.enabled=false});
 *   <li>{@code kafkaAdmin}: Boot's {@link KafkaAdmin}, built as Boot builds it, with the headless Service's pod
 *       FQDNs and client settings when one is configured;
 *   <li>with {@code spring.kafka.producer.transaction-id-prefix} (or a customizer setting the prefix) the
 *       factory's transactional producers are {@code ResilientProducer}s as well, and Boot's {@code
 *       KafkaTransactionManager} uses them;
 *   <li>{@link RackDiscovery} (settled once) and the {@link ResilientKafkaClients} registry.
 * </ul>
 *
 * Every bean backs off when the application defines its own.
 */
@AutoConfiguration(before = KafkaAutoConfiguration.class)
@ConditionalOnClass({ResilientProducer.class, KafkaTemplate.class, KafkaAutoConfiguration.class})
@EnableConfigurationProperties({ResilientKafkaProperties.class, KafkaProperties.class})
public final class ResilientKafkaAutoConfiguration {
  @Bean
  @ConditionalOnMissingBean
  ResilientKafkaClients resilientKafkaClients() {
    return new ResilientKafkaClients();
  }

  @Bean
  @ConditionalOnMissingBean
  RackDiscovery resilientKafkaRackDiscovery(ResilientKafkaProperties properties) {
    return SettledRackDiscovery.from(properties);
  }

  @Bean
  @ConditionalOnMissingBean(name = "resilientKafkaProducerFactoryCustomizer")
  DefaultKafkaProducerFactoryCustomizer resilientKafkaProducerFactoryCustomizer(ResilientKafkaProperties properties,
      ObjectProvider<ResilientKafkaBootstrap> bootstrap) {
    return factory -> {
      Map<String, Object> defaults = new HashMap<>();
      if (!properties.producer().availabilityMode()) {
        defaults.put(ProducerConfig.ACKS_CONFIG, "all");
        defaults.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      }
      bootstrap.ifAvailable(b -> defaults.putAll(b.clientSettings()));
      addAbsent(factory.getConfigurationProperties(), defaults, factory::updateConfigs);
    };
  }

  @Bean
  @ConditionalOnMissingBean(name = "resilientKafkaConsumerFactoryCustomizer")
  DefaultKafkaConsumerFactoryCustomizer resilientKafkaConsumerFactoryCustomizer(RackDiscovery rackDiscovery,
      ObjectProvider<ResilientKafkaBootstrap> bootstrap) {
    return factory -> {
      Map<String, Object> defaults = new HashMap<>();
      rackDiscovery.discover().ifPresent(rack -> defaults.put(ConsumerConfig.CLIENT_RACK_CONFIG, rack));
      bootstrap.ifAvailable(b -> defaults.putAll(b.clientSettings()));
      addAbsent(factory.getConfigurationProperties(), defaults, factory::updateConfigs);
    };
  }

  @Bean
  @ConditionalOnMissingBean(ProducerFactory.class)
  @ConditionalOnBooleanProperty(name = "resilient.kafka.producer.enabled", matchIfMissing = true)
  ResilientKafkaProducerFactory<?, ?> kafkaProducerFactory(KafkaProperties kafkaProperties,
      ResilientKafkaProperties properties, KafkaConnectionDetails connectionDetails,
      ObjectProvider<DefaultKafkaProducerFactoryCustomizer> customizers, ResilientKafkaClients clients,
      ObjectProvider<ResilientKafkaClientListeners> listeners) {
    Map<String, Object> configs = kafkaProperties.buildProducerProperties();
    KafkaConnectionDetails.Configuration producer = connectionDetails.getProducer();
    applyConnection(configs, producer.getBootstrapServers(), producer.getSecurityProtocol(), producer.getSslBundle());
    configs.putAll(producerKeys(properties));
    ResilientKafkaProducerFactory<Object, Object> factory = new ResilientKafkaProducerFactory<>(configs, () -> {
      List<ProducerListener> all = new ArrayList<>();
      all.add(clients.producerTracker());
      listeners.orderedStream().forEach(l -> all.add(l.producerListener()));
      return all;
    });
    String transactionIdPrefix = kafkaProperties.getProducer().getTransactionIdPrefix();
    if (transactionIdPrefix != null) {
      factory.setTransactionIdPrefix(transactionIdPrefix);
    }
    customizers.orderedStream().forEach(customizer -> customizer.customize(factory));
    // fail start-up, not the first send, on a setting the resilient producer rejects (acks=1, retries=0, ...)
    String transactional = factory.getTransactionIdPrefix();
    if (transactional != null) {
      checkTransactional(properties, transactional);
      // as the factory will build its first transactional producer: the checks of transactional.id apply too
      Map<String, Object> first = new HashMap<>(factory.getConfigurationProperties());
      first.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactional + "0");
      ResilientProducer.checkConfig(first);
    } else {
      ResilientProducer.checkConfig(factory.getConfigurationProperties());
    }
    return factory;
  }

  @Bean
  @ConditionalOnMissingBean(ConsumerFactory.class)
  @ConditionalOnBooleanProperty(name = "resilient.kafka.consumer.enabled", matchIfMissing = true)
  ResilientKafkaConsumerFactory<?, ?> kafkaConsumerFactory(KafkaProperties kafkaProperties,
      ResilientKafkaProperties properties, KafkaConnectionDetails connectionDetails, RackDiscovery rackDiscovery,
      ObjectProvider<DefaultKafkaConsumerFactoryCustomizer> customizers, ResilientKafkaClients clients,
      ObjectProvider<ResilientKafkaClientListeners> listeners) {
    Map<String, Object> configs = kafkaProperties.buildConsumerProperties();
    KafkaConnectionDetails.Configuration consumer = connectionDetails.getConsumer();
    applyConnection(configs, consumer.getBootstrapServers(), consumer.getSecurityProtocol(), consumer.getSslBundle());
    configs.putAll(consumerKeys(properties));
    ResilientKafkaConsumerFactory<Object, Object> factory = new ResilientKafkaConsumerFactory<>(configs, rackDiscovery, () -> {
      List<ConsumerListener> all = new ArrayList<>();
      all.add(clients.consumerTracker());
      listeners.orderedStream().forEach(l -> all.add(l.consumerListener()));
      return all;
    });
    customizers.orderedStream().forEach(customizer -> customizer.customize(factory));
    ResilientConsumer.checkConfig(factory.getConfigurationProperties());
    return factory;
  }

  /**
   * Boot's {@code KafkaAdmin}, built as Boot builds it (spring.kafka.admin.*, the connection details) plus
   * what the resilient clients get: with the headless Service, its pod FQDNs and the settings a client
   * bootstrapped from it needs (rebootstrap trigger, reconnect backoffs, DNS lookup), so that topic
   * creation at start-up and admin calls follow moving brokers as the producers and consumers do.
   */
  @Bean
  @ConditionalOnMissingBean
  KafkaAdmin kafkaAdmin(KafkaProperties kafkaProperties, KafkaConnectionDetails connectionDetails,
      ObjectProvider<ResilientKafkaBootstrap> bootstrap) {
    Map<String, Object> configs = kafkaProperties.buildAdminProperties();
    KafkaConnectionDetails.Configuration admin = connectionDetails.getAdmin();
    applyConnection(configs, admin.getBootstrapServers(), admin.getSecurityProtocol(), admin.getSslBundle());
    bootstrap.ifAvailable(b -> b.clientSettings().forEach(configs::putIfAbsent));
    KafkaAdmin kafkaAdmin = new KafkaAdmin(configs);
    KafkaProperties.Admin settings = kafkaProperties.getAdmin();
    if (settings.getCloseTimeout() != null) {
      kafkaAdmin.setCloseTimeout((int) settings.getCloseTimeout().getSeconds());
    }
    if (settings.getOperationTimeout() != null) {
      kafkaAdmin.setOperationTimeout((int) settings.getOperationTimeout().getSeconds());
    }
    kafkaAdmin.setFatalIfBrokerNotAvailable(settings.isFailFast());
    kafkaAdmin.setModifyTopicConfigs(settings.isModifyTopicConfigs());
    kafkaAdmin.setAutoCreate(settings.isAutoCreate());
    return kafkaAdmin;
  }

  /** The headless-Service bootstrap, when {@code resilient.kafka.service} is set. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(prefix = ResilientKafkaProperties.PREFIX, name = "service")
  static final class ServiceBootstrapConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ResilientKafkaBootstrap resilientKafkaBootstrap(ResilientKafkaProperties properties, Environment environment,
        ObjectProvider<ResilientKafkaClientListeners> listeners) {
      String plain = environment.getProperty("spring.kafka.bootstrap-servers");
      if (plain != null && !plain.isBlank()) {
        throw ResilientKafkaProperties.invalid("service", properties.service(),
            "use either resilient.kafka.service or spring.kafka.bootstrap-servers (" + plain + "), not both;"
                + " a list used only when DNS fails goes in resilient.kafka.fallback-servers");
      }
      List<BootstrapListener> all = listeners.orderedStream().map(ResilientKafkaClientListeners::bootstrapListener).toList();
      return ResilientKafkaBootstrap.start(properties, CompositeBootstrapListener.of(all));
    }

    @Bean
    @ConditionalOnMissingBean(KafkaConnectionDetails.class)
    ResilientKafkaConnectionDetails resilientKafkaConnectionDetails(ResilientKafkaBootstrap bootstrap,
        KafkaProperties kafkaProperties, ObjectProvider<SslBundles> sslBundles) {
      return new ResilientKafkaConnectionDetails(bootstrap, kafkaProperties, sslBundles.getIfAvailable());
    }
  }

  /**
   * The producer settings a transaction cannot have, named as the application sets them (the client's
   * check names {@code transactional.id} and the client keys, which a Boot application does not write).
   */
  private static void checkTransactional(ResilientKafkaProperties properties, String transactionIdPrefix) {
    String because = " while the producer factory is transactional (transaction-id-prefix '" + transactionIdPrefix
        + "', from spring.kafka.producer.transaction-id-prefix or a customizer)";
    String spoolDir = properties.producer().spoolDir();
    if (spoolDir != null && !spoolDir.isBlank()) {
      throw ResilientKafkaProperties.invalid("producer.spool-dir", spoolDir, "unset" + because
          + ": a transaction cannot outlive its producer, and the spool sends records again after a restart");
    }
    if (properties.producer().availabilityMode()) {
      throw ResilientKafkaProperties.invalid("producer.availability-mode", true, "false" + because
          + ": transactions need acks=all and idempotence");
    }
  }

  static Map<String, Object> producerKeys(ResilientKafkaProperties properties) {
    return ClientKeys.keys(properties, ClientKeys.PRODUCER, key -> !key.startsWith(ResilientConsumerConfig.PREFIX)
        && !key.startsWith(ResilientRackConfig.PREFIX) && !key.startsWith(ResilientBootstrapConfig.PREFIX));
  }

  static Map<String, Object> consumerKeys(ResilientKafkaProperties properties) {
    return ClientKeys.keys(properties, ClientKeys.CONSUMER,
        key -> key.startsWith(ResilientConsumerConfig.PREFIX) || key.startsWith(ResilientRackConfig.PREFIX));
  }

  /** Mirrors Boot's {@code KafkaAutoConfiguration#applyKafkaConnectionDetailsFor*}. */
  static void applyConnection(Map<String, Object> configs, List<String> servers, @Nullable String securityProtocol,
      @Nullable SslBundle sslBundle) {
    configs.put("bootstrap.servers", servers);
    if (securityProtocol != null && !securityProtocol.isEmpty()) {
      configs.put("security.protocol", securityProtocol);
    }
    if (sslBundle != null) {
      configs.put("ssl.engine.factory.class", SslBundleSslEngineFactory.class);
      configs.put(SslBundle.class.getName(), sslBundle);
    }
  }

  /** Puts into the factory only the keys its configuration does not have: the user's values win. */
  private static void addAbsent(Map<String, Object> current, Map<String, Object> defaults,
      java.util.function.Consumer<Map<String, Object>> update) {
    Map<String, Object> absent = new HashMap<>();
    defaults.forEach((key, value) -> {
      if (!current.containsKey(key)) {
        absent.put(key, value);
      }
    });
    if (!absent.isEmpty()) {
      update.accept(absent);
    }
  }
}
