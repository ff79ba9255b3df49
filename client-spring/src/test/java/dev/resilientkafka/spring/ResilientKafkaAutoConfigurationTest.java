package dev.resilientkafka.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilientkafka.RackDiscovery;
import dev.resilientkafka.ResilientProducer;
import dev.resilientkafka.testkit.KubeDnsServer;
import dev.resilientkafka.testkit.PodRecord;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaConsumerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.transaction.KafkaTransactionManager;

/**
 * Wiring and back-off of the auto-configuration with {@link ApplicationContextRunner}: no cluster, the
 * testkit's real DNS server answers for the headless Service (pods on loopback addresses nobody listens
 * on, so the start-up listener check is off), and a real {@link SimpleMeterRegistry}.
 */
class ResilientKafkaAutoConfigurationTest {
  private static final String SERVICE = "kafka-svc.default.svc.cluster.local:9092";
  private static KubeDnsServer dns;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ResilientKafkaMetricsAutoConfiguration.class,
          ResilientKafkaAutoConfiguration.class, KafkaAutoConfiguration.class,
          ResilientKafkaHealthAutoConfiguration.class))
      .withPropertyValues("resilient.kafka.rack-discovery=false");

  @BeforeAll
  static void startDns() throws Exception {
    dns = KubeDnsServer.builder().start();
    for (int i = 0; i < 3; i++) {
      dns.putPod(new PodRecord("default", "kafka-svc", "kafka-" + i, InetAddress.getByName("127.0.0." + (101 + i)),
          Map.of("9092", 9092)));
    }
  }

  @AfterAll
  static void stopDns() {
    dns.close();
  }

  private ApplicationContextRunner withService() {
    return runner.withPropertyValues("resilient.kafka.service=" + SERVICE,
        "resilient.kafka.dns-server=" + dns.address().getHostString() + ":" + dns.address().getPort(),
        "resilient.kafka.check-listener=false", "resilient.kafka.check-advertised-hosts=false");
  }

  @Test
  void serviceBootstrapGivesPodFqdnsToEveryFactoryThroughConnectionDetails() {
    withService().withPropertyValues("resilient.kafka.rack=zone-b", "resilient.kafka.producer.buffer-max-records=500")
        .withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
        .run(context -> {
          assertThat(context.getBean(MeterRegistry.class).find("resilientkafka.bootstrap.pods").gauge().value()).isEqualTo(3.0);
          assertThat(context).hasNotFailed().hasSingleBean(ResilientKafkaBootstrap.class)
              .hasSingleBean(KafkaConnectionDetails.class).hasSingleBean(KafkaTemplate.class)
              .hasSingleBean(ResilientKafkaHealthIndicator.class);
          List<String> pods = List.of("kafka-0.kafka-svc.default.svc.cluster.local:9092",
              "kafka-1.kafka-svc.default.svc.cluster.local:9092", "kafka-2.kafka-svc.default.svc.cluster.local:9092");
          assertThat(context.getBean(KafkaConnectionDetails.class)).isInstanceOf(ResilientKafkaConnectionDetails.class);
          assertThat(context.getBean(KafkaConnectionDetails.class).getBootstrapServers()).isEqualTo(pods);

          Map<String, Object> producer = context.getBean(ResilientKafkaProducerFactory.class).getConfigurationProperties();
          assertThat(producer).containsEntry("bootstrap.servers", pods).containsEntry("acks", "all")
              .containsEntry("enable.idempotence", true).containsEntry("metadata.recovery.strategy", "rebootstrap")
              .containsEntry("client.dns.lookup", "use_all_dns_ips").containsEntry("resilient.buffer.max.records", 500)
              .containsEntry("resilient.record.id.header", "resilient-record-id");
          Map<String, Object> consumer = context.getBean(ResilientKafkaConsumerFactory.class).getConfigurationProperties();
          assertThat(consumer).containsEntry("bootstrap.servers", pods).containsEntry("client.rack", "zone-b")
              .containsEntry("metadata.recovery.strategy", "rebootstrap")
              .containsEntry("resilient.consumer.dedup.header", "resilient-record-id");
          assertThat(context.getBean(RackDiscovery.class).discover()).contains("zone-b");

          // Boot's own KafkaAdmin (topic creation at start-up) follows moving brokers like the clients do
          Map<String, Object> admin = context.getBean(KafkaAdmin.class).getConfigurationProperties();
          assertThat(admin).containsEntry("bootstrap.servers", pods)
              .containsEntry("metadata.recovery.strategy", "rebootstrap")
              .containsEntry("client.dns.lookup", "use_all_dns_ips")
              .containsKeys("metadata.recovery.rebootstrap.trigger.ms", "reconnect.backoff.ms", "reconnect.backoff.max.ms");
          assertThat(Long.parseLong(String.valueOf(admin.get("metadata.recovery.rebootstrap.trigger.ms"))))
              .as("rebootstrap trigger, Kafka's default being 300000 ms").isLessThan(300_000L);
        });
  }

  @Test
  void bootsAdminSettingsStayOnTheKafkaAdmin() {
    withService().withPropertyValues("spring.kafka.admin.client-id=admin-7",
            "spring.kafka.admin.properties.reconnect.backoff.ms=77")
        .run(context -> {
          KafkaAdmin admin = context.getBean(KafkaAdmin.class);
          assertThat(admin.getConfigurationProperties()).containsEntry("client.id", "admin-7")
              .containsEntry("reconnect.backoff.ms", "77")
              .containsEntry("metadata.recovery.strategy", "rebootstrap");
        });
  }

  @Test
  void aTransactionalProducerFactoryStartsWithResilientProducersAndBootsTransactionManager() {
    runner.withPropertyValues("spring.kafka.bootstrap-servers=127.0.0.1:1",
            "spring.kafka.producer.transaction-id-prefix=orders-tx-")
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(KafkaTransactionManager.class);
          ResilientKafkaProducerFactory<?, ?> factory = context.getBean(ResilientKafkaProducerFactory.class);
          assertThat(factory.transactionCapable()).isTrue();
          assertThat(factory.getTransactionIdPrefix()).isEqualTo("orders-tx-");
          assertThat(context.getBean(KafkaTransactionManager.class).getProducerFactory()).isSameAs(factory);
        });
  }

  @Test
  void aTransactionalProducerFactoryRefusesTheSpoolAndAvailabilityModeAtStartUp() {
    ApplicationContextRunner transactional = runner.withPropertyValues("spring.kafka.bootstrap-servers=127.0.0.1:1",
        "spring.kafka.producer.transaction-id-prefix=orders-tx-");
    assertFailure(transactional.withPropertyValues("resilient.kafka.producer.spool-dir=/var/spool/orders"),
        "Invalid value '/var/spool/orders' for property 'resilient.kafka.producer.spool-dir'",
        "transaction-id-prefix 'orders-tx-'");
    assertFailure(transactional.withPropertyValues("resilient.kafka.producer.availability-mode=true",
            "spring.kafka.producer.acks=1"),
        "'resilient.kafka.producer.availability-mode'", "transactions need acks=all and idempotence");
    // a client key given through properties[...] is checked as the first transactional producer will have it
    assertFailure(transactional.withPropertyValues("resilient.kafka.properties[resilient.spool.dir]=/var/spool/x"),
        "Invalid value /var/spool/x for configuration resilient.spool.dir: a transaction cannot outlive its producer",
        "resilient.kafka.*");
  }

  @Test
  void explicitBootstrapKeepsBootsConnectionDetailsAndProducersAreResilientWithMeters() {
    runner.withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues("spring.kafka.bootstrap-servers=127.0.0.1:1")
        .run(context -> {
          assertThat(context).hasNotFailed().doesNotHaveBean(ResilientKafkaBootstrap.class)
              .hasSingleBean(KafkaConnectionDetails.class);
          assertThat(context.getBean(KafkaConnectionDetails.class)).isNotInstanceOf(ResilientKafkaConnectionDetails.class);
          assertThat(context.getBean(ProducerFactory.class)).isInstanceOf(ResilientKafkaProducerFactory.class);
          assertThat(context.getBean(ConsumerFactory.class)).isInstanceOf(ResilientKafkaConsumerFactory.class);
          assertThat(context.getBean(ResilientKafkaProducerFactory.class).getConfigurationProperties())
              .containsEntry("bootstrap.servers", List.of("127.0.0.1:1")).doesNotContainKey("metadata.recovery.strategy");

          Producer<?, ?> producer = context.getBean(ResilientKafkaProducerFactory.class).createProducer();
          ResilientKafkaClients clients = context.getBean(ResilientKafkaClients.class);
          assertThat(clients.producers()).hasSize(1).first().isInstanceOf(ResilientProducer.class);
          MeterRegistry registry = context.getBean(MeterRegistry.class);
          assertThat(registry.find("resilientkafka.producer.buffer.records").gauge()).isNotNull();
          assertThat(registry.find("resilientkafka.producer.partitions.below.min.isr").gauge()).isNotNull();
          producer.close();
        });
  }

  @Test
  void eachBeanBacksOffWhenTheApplicationDefinesItsOwn() {
    withService().withUserConfiguration(UserBeans.class).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(ProducerFactory.class)).isSameAs(context.getBean("userProducerFactory"));
      assertThat(context.getBean(ConsumerFactory.class)).isSameAs(context.getBean("userConsumerFactory"));
      assertThat(context.getBean(KafkaConnectionDetails.class)).isSameAs(context.getBean("userConnectionDetails"));
      assertThat(context.getBean(RackDiscovery.class)).isSameAs(context.getBean("userRack"));
      assertThat(context.getBean(ResilientKafkaClients.class)).isSameAs(context.getBean("userClients"));
      assertThat(context.getBean("resilientKafkaHealthIndicator")).isSameAs(UserBeans.HEALTH);
      assertThat(context.getBean("resilientKafkaProducerFactoryCustomizer")).isSameAs(UserBeans.PRODUCER_CUSTOMIZER);
      assertThat(context.getBean("resilientKafkaConsumerFactoryCustomizer")).isSameAs(UserBeans.CONSUMER_CUSTOMIZER);
      assertThat(context.getBean("resilientKafkaMeters")).isSameAs(UserBeans.METERS);
      assertThat(context).doesNotHaveBean(ResilientKafkaProducerFactory.class)
          .doesNotHaveBean(ResilientKafkaConsumerFactory.class).doesNotHaveBean(ResilientKafkaConnectionDetails.class);
    });
    withService().withBean("userBootstrap", ResilientKafkaBootstrap.class,
        () -> ResilientKafkaBootstrap.start(BoundProperties.of("resilient.kafka.service=kafka-svc:9092",
            "resilient.kafka.dns-server=" + dns.address().getHostString() + ":" + dns.address().getPort(),
            "resilient.kafka.bootstrap-timeout=5s", "resilient.kafka.check-listener=false",
            "resilient.kafka.check-advertised-hosts=false"), dev.resilientkafka.BootstrapListener.NONE))
        .run(context -> assertThat(context).hasNotFailed().getBean(ResilientKafkaBootstrap.class)
            .isSameAs(context.getBean("userBootstrap")));
  }

  @Test
  void turningWrappingOffLeavesBootsPlainFactoriesWithTheCustomizersApplied() {
    withService().withPropertyValues("resilient.kafka.producer.enabled=false", "resilient.kafka.consumer.enabled=false",
        "resilient.kafka.rack=zone-c").run(context -> {
          assertThat(context).hasNotFailed().doesNotHaveBean(ResilientKafkaProducerFactory.class)
              .doesNotHaveBean(ResilientKafkaConsumerFactory.class);
          DefaultKafkaProducerFactory<?, ?> producer = context.getBean(DefaultKafkaProducerFactory.class);
          assertThat(producer.getConfigurationProperties()).containsEntry("acks", "all")
              .containsEntry("metadata.recovery.strategy", "rebootstrap").doesNotContainKey("resilient.buffer.max.records");
          DefaultKafkaConsumerFactory<?, ?> consumer = context.getBean(DefaultKafkaConsumerFactory.class);
          assertThat(consumer.getConfigurationProperties()).containsEntry("client.rack", "zone-c")
              .containsEntry("metadata.recovery.strategy", "rebootstrap");
        });
  }

  @Test
  void invalidPropertiesFailStartUpWithAReportNamingTheProperty() {
    assertFailure(runner.withPropertyValues("resilient.kafka.producer.buffer-max-records=0"),
        "Invalid value '0' for property 'resilient.kafka.producer.buffer-max-records': a whole number from 1 to 16777215",
        "Update 'resilient.kafka.producer.buffer-max-records'");
    assertFailure(runner.withPropertyValues("resilient.kafka.health.degraded-buffer-fill=0.8",
            "resilient.kafka.health.down-buffer-fill=0.6"),
        "'resilient.kafka.health.down-buffer-fill'", ">= health.degraded-buffer-fill (0.8)");
    assertFailure(runner.withPropertyValues("resilient.kafka.jvm-dns-cache-ttl=1500ms"),
        "'resilient.kafka.jvm-dns-cache-ttl'", "whole seconds");
    assertFailure(withService().withPropertyValues("spring.kafka.bootstrap-servers=10.0.0.1:9092"),
        "'resilient.kafka.service'", "not both");
    // a Kafka setting the resilient producer rejects fails start-up, not the first send
    assertFailure(runner.withPropertyValues("spring.kafka.producer.acks=1"),
        "A Kafka client setting was rejected: Invalid value 1 for configuration acks", "spring.kafka");
  }

  @Test
  void aServiceDnsDoesNotKnowFailsStartUpNamingTheServiceAndTheDnsServer() {
    assertFailure(runner.withPropertyValues("resilient.kafka.service=nowhere-svc.default.svc.cluster.local:9092",
            "resilient.kafka.dns-server=" + dns.address().getHostString() + ":" + dns.address().getPort(),
            "resilient.kafka.bootstrap-timeout=1s"),
        "headless Service 'nowhere-svc.default.svc.cluster.local:9092'", "resilient.kafka.dns-server");
  }

  @Test
  void healthIsDownWithReasonsWhenNoBrokerAnswers() {
    runner.withPropertyValues("spring.kafka.bootstrap-servers=127.0.0.1:1", "resilient.kafka.health.timeout=500ms")
        .run(context -> {
          HealthIndicator health = context.getBean(ResilientKafkaHealthIndicator.class);
          var result = health.health();
          assertThat(result.getStatus()).isEqualTo(Status.DOWN);
          assertThat(result.getDetails()).containsEntry("brokers.reachable", 0).containsKey("reasons")
              .containsEntry("rack", "none");
        });
  }

  private static void assertFailure(ApplicationContextRunner runner, String description, String action) {
    runner.run((AssertableApplicationContext context) -> {
      assertThat(context).hasFailed();
      FailureAnalysis analysis = new ResilientKafkaFailureAnalyzer().analyze(context.getStartupFailure());
      assertThat(analysis).as("failure analysis of %s", context.getStartupFailure()).isNotNull();
      System.out.printf("start-up failure report:%n  %s%n  action: %s%n", analysis.getDescription(), analysis.getAction());
      assertThat(analysis.getDescription() + " / " + analysis.getAction()).contains(description).contains(action);
    });
  }

  @Configuration(proxyBeanMethods = false)
  static class UserBeans {
    static final ResilientKafkaHealthIndicator HEALTH = new ResilientKafkaHealthIndicator(new ResilientKafkaClients(),
        null, RackDiscovery.NONE, BoundProperties.of("resilient.kafka.health.timeout=1s"), Map::of);
    static final DefaultKafkaProducerFactoryCustomizer PRODUCER_CUSTOMIZER = factory -> {};
    static final DefaultKafkaConsumerFactoryCustomizer CONSUMER_CUSTOMIZER = factory -> {};
    static final ResilientKafkaClientListeners METERS = new ResilientKafkaClientListeners() {};

    @Bean
    ProducerFactory<Object, Object> userProducerFactory() {
      return new DefaultKafkaProducerFactory<>(Map.of("bootstrap.servers", "user:9092"));
    }

    @Bean
    ConsumerFactory<Object, Object> userConsumerFactory() {
      return new DefaultKafkaConsumerFactory<>(Map.of("bootstrap.servers", "user:9092"));
    }

    @Bean
    KafkaConnectionDetails userConnectionDetails() {
      return () -> List.of("user:9092");
    }

    @Bean
    RackDiscovery userRack() {
      return RackDiscovery.fixed("user-zone");
    }

    @Bean
    ResilientKafkaClients userClients() {
      return new ResilientKafkaClients();
    }

    @Bean
    ResilientKafkaHealthIndicator resilientKafkaHealthIndicator() {
      return HEALTH;
    }

    @Bean
    DefaultKafkaProducerFactoryCustomizer resilientKafkaProducerFactoryCustomizer() {
      return PRODUCER_CUSTOMIZER;
    }

    @Bean
    DefaultKafkaConsumerFactoryCustomizer resilientKafkaConsumerFactoryCustomizer() {
      return CONSUMER_CUSTOMIZER;
    }

    @Bean
    ResilientKafkaClientListeners resilientKafkaMeters() {
      return METERS;
    }
  }
}
