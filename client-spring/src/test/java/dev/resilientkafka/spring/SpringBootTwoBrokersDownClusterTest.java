package dev.resilientkafka.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.resilientkafka.testkit.LocalKafkaCluster;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;

/**
 * A real Spring Boot application (auto-configuration, {@code KafkaTemplate}, a {@code @KafkaListener})
 * on the testkit cluster, bootstrapped only from the headless Service through the testkit's DNS server,
 * while two of three brokers are drained for 45 s, longer than the 30 s {@code delivery.timeout.ms}
 * the application configures for Kafka ({@code spring.kafka.producer.properties.delivery.timeout.ms}),
 * which a plain producer with the same settings shows by failing its records. The library keeps the
 * application's records ({@code resilient.kafka.producer.delivery-timeout=3m}) and delivers them when the
 * brokers return; every record reaches the listener in per-key order; health goes DEGRADED and back to
 * UP, and with the health recipe of docs/spring-boot.md the application's overall health is DEGRADED while
 * its liveness group stays UP; the meters are in the application's {@link SimpleMeterRegistry}.
 */
class SpringBootTwoBrokersDownClusterTest {
  private static final String TOPIC = "orders";
  private static final Duration OUTAGE = Duration.ofSeconds(45);
  private static final int KEYS = 6;
  private static LocalKafkaCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = LocalKafkaCluster.start();
    cluster.createTopic(TOPIC, 3, 3);
    cluster.createTopic("plain-" + TOPIC, 3, 3);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void kafkaTemplateSendsSurviveTwoBrokersDownLongerThanTheDeliveryTimeout() throws Exception {
    String dns = cluster.dnsAddress().getHostString() + ":" + cluster.dnsAddress().getPort();
    try (ConfigurableApplicationContext app = new SpringApplicationBuilder(OrdersApp.class)
        .web(WebApplicationType.NONE)
        .properties(
            "resilient.kafka.service=" + cluster.serviceFqdn() + ":9092",
            "resilient.kafka.dns-server=" + dns,
            "resilient.kafka.rack=zone-b",
            "resilient.kafka.producer.delivery-timeout=3m",
            "resilient.kafka.health.degraded-oldest-record-age=20s",
            "spring.kafka.producer.properties.delivery.timeout.ms=30000",
            "spring.kafka.producer.properties.request.timeout.ms=10000",
            "spring.kafka.consumer.group-id=two-down-app",
            "spring.kafka.consumer.auto-offset-reset=earliest",
            // the health recipe of docs/spring-boot.md
            "management.endpoint.health.status.order=DOWN,OUT_OF_SERVICE,DEGRADED,UP,UNKNOWN",
            "management.endpoint.health.probes.enabled=true",
            "management.endpoint.health.group.kafka.include=resilientKafka",
            "management.endpoint.health.group.kafka.show-details=always",
            "management.endpoint.health.show-details=always")
        .run()) {
      @SuppressWarnings("unchecked")
      KafkaTemplate<String, String> template = app.getBean(KafkaTemplate.class);
      Received received = app.getBean(Received.class);
      ResilientKafkaHealthIndicator health = app.getBean(ResilientKafkaHealthIndicator.class);
      HealthEndpoint endpoint = app.getBean(HealthEndpoint.class);
      MeterRegistry registry = app.getBean(MeterRegistry.class);
      assertThat(app.getBean(ResilientKafkaConnectionDetails.class).getBootstrapServers())
          .allSatisfy(server -> assertThat(server).endsWith("." + cluster.serviceFqdn() + ":9092"));

      List<CompletableFuture<SendResult<String, String>>> sends = new ArrayList<>();
      AtomicInteger sequence = new AtomicInteger();
      for (int i = 0; i < 60; i++) {
        sends.add(send(template, sequence.getAndIncrement()));
      }
      CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(60, java.util.concurrent.TimeUnit.SECONDS);
      await("listener gets the first records").atMost(Duration.ofSeconds(60)).until(() -> received.distinct() == 60);
      await("health UP before the outage").atMost(Duration.ofSeconds(30))
          .until(() -> health.health().getStatus().equals(Status.UP));

      // drain two brokers; the application keeps sending, and so does a plain producer set up the same way
      PlainProducer plain = new PlainProducer(cluster.bootstrapFqdns());
      long outageStart = System.nanoTime();
      cluster.stop(1);
      cluster.stop(2);
      Map<String, Object> degradedDetails = null;
      Set<String> overallStatuses = new java.util.LinkedHashSet<>();
      Set<String> livenessStatuses = new java.util.LinkedHashSet<>();
      String kafkaGroupJson = null;
      long sendUntil = outageStart + OUTAGE.toNanos();
      while (System.nanoTime() < sendUntil) {
        sends.add(send(template, sequence.getAndIncrement()));
        plain.send(sequence.get());
        Health now = health.health();
        if (degradedDetails == null && now.getStatus().equals(ResilientKafkaHealthIndicator.DEGRADED)) {
          degradedDetails = now.getDetails();
          System.out.printf("health with two brokers down (%.1f s into the outage): %s %s%n",
              (System.nanoTime() - outageStart) / 1e9, now.getStatus(), now.getDetails());
        }
        // the recipe: the application's overall status shows DEGRADED, liveness is never failed by Kafka
        Status overall = endpoint.health().getStatus();
        overallStatuses.add(overall.getCode());
        livenessStatuses.add(endpoint.healthForPath("liveness").getStatus().getCode());
        if (kafkaGroupJson == null && overall.equals(ResilientKafkaHealthIndicator.DEGRADED)) {
          kafkaGroupJson = json(endpoint.healthForPath("kafka"));
          System.out.printf("GET /actuator/health/kafka during the outage:%n%s%n", kafkaGroupJson);
        }
        await().pollDelay(Duration.ofMillis(100)).atMost(Duration.ofSeconds(1)).until(() -> true);
      }
      int sent = sequence.get();
      long bufferedAtEnd = (long) registry.get("resilientkafka.producer.buffer.records").gauge().value();
      Health atEnd = health.health();
      System.out.printf("outage %.1f s: %d records sent through KafkaTemplate, %d still buffered; health %s %s%n",
          (System.nanoTime() - outageStart) / 1e9, sent, bufferedAtEnd, atEnd.getStatus(), atEnd.getDetails());
      assertThat(degradedDetails).as("health went DEGRADED during the outage").isNotNull();
      assertThat(overallStatuses).as("overall health during the outage").contains("DEGRADED");
      assertThat(livenessStatuses).as("liveness during the outage").containsExactly("UP");
      assertThat(endpoint.health().getStatus()).isEqualTo(ResilientKafkaHealthIndicator.DEGRADED);
      assertThat(kafkaGroupJson).contains("\"status\" : \"DEGRADED\"", "brokers.reachable");
      System.out.printf("GET /actuator/health/liveness during the outage:%n%s%n",
          json(endpoint.healthForPath("liveness")));
      assertThat((Integer) degradedDetails.get("brokers.reachable")).isLessThan((Integer) degradedDetails.get("brokers.expected"));
      // by the end the cluster has settled: one broker, every partition below min ISR, the cause named
      assertThat(atEnd.getStatus()).isEqualTo(ResilientKafkaHealthIndicator.DEGRADED);
      assertThat(atEnd.getDetails()).containsEntry("brokers.reachable", 1).containsEntry("partitionsBelowMinIsr", 3);
      assertThat(bufferedAtEnd).as("records waiting in the buffer at the end of the outage").isPositive();

      long restartAt = System.nanoTime();
      cluster.start(1);
      cluster.start(2);
      cluster.awaitAllReady(Duration.ofSeconds(60));
      CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(120, java.util.concurrent.TimeUnit.SECONDS);
      System.out.printf("every KafkaTemplate send acknowledged %.1f s after the brokers were restarted%n",
          (System.nanoTime() - restartAt) / 1e9);
      assertThat(sends).allSatisfy(f -> assertThat(f).isCompleted().isNotCompletedExceptionally());

      await("listener gets every record").atMost(Duration.ofSeconds(120)).until(() -> received.distinct() == sent);
      System.out.printf("listener: %d distinct of %d sent, %d deliveries (%d duplicates), last record %.1f s after restart%n",
          received.distinct(), sent, received.deliveries(), received.deliveries() - received.distinct(),
          (received.lastAtNanos() - restartAt) / 1e9);
      assertThat(received.outOfOrderKeys()).as("keys whose first deliveries came out of order").isEmpty();

      plain.awaitCompletion();
      System.out.printf("plain KafkaProducer (delivery.timeout.ms=30000, same outage): %d sent, %d failed (%d TimeoutException)%n",
          plain.sent.get(), plain.failed.get(), plain.timeouts.get());
      assertThat(plain.failed.get()).as("a plain producer with the app's delivery.timeout.ms loses records").isPositive();

      await("health back to UP").atMost(Duration.ofSeconds(60))
          .until(() -> health.health().getStatus().equals(Status.UP));
      System.out.printf("health after recovery: %s%n", health.health().getDetails());

      double recovered = registry.get("resilientkafka.producer.records.recovered").counter().count();
      assertThat(recovered).as("records delivered after waiting out the fault").isPositive();
      assertThat(registry.find("resilientkafka.producer.records.failed").counters()).allSatisfy(c -> assertThat(c.count()).isZero());
      assertThat(registry.find("resilientkafka.bootstrap.pods").gauge()).isNotNull();
      assertThat(registry.find("resilientkafka.consumer.coordinator.stalled").gauge()).isNotNull();
      assertThat(registry.find("kafka.producer.record.send.total").meters()).isNotEmpty();
      System.out.printf("meters: records.recovered=%.0f, resilient meters=%s%n", recovered,
          registry.getMeters().stream().map(Meter::getId).map(Meter.Id::getName)
              .filter(n -> n.startsWith("resilient")).distinct().sorted().toList());
    }
  }

  /** The descriptor as the actuator's web endpoint writes it (Jackson, indented). */
  private static String json(Object descriptor) throws Exception {
    return new com.fasterxml.jackson.databind.ObjectMapper()
        .disable(com.fasterxml.jackson.databind.SerializationFeature.FAIL_ON_EMPTY_BEANS)
        .setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
        .writerWithDefaultPrettyPrinter().writeValueAsString(descriptor);
  }

  private static CompletableFuture<SendResult<String, String>> send(KafkaTemplate<String, String> template, int value) {
    return template.send(TOPIC, "key-" + (value % KEYS), Integer.toString(value));
  }

  /** The application: Boot's auto-configuration, a meter registry and a listener. */
  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class OrdersApp {
    @Bean
    SimpleMeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }

    @Bean
    Received received() {
      return new Received();
    }
  }

  /** What the {@code @KafkaListener} got: values by key in arrival order. */
  static final class Received {
    private final Map<String, List<Integer>> byKey = new ConcurrentHashMap<>();
    private final Set<Integer> values = ConcurrentHashMap.newKeySet();
    private final AtomicInteger deliveries = new AtomicInteger();
    private final AtomicLong lastAt = new AtomicLong();

    @KafkaListener(topics = TOPIC)
    void onRecord(ConsumerRecord<String, String> record) {
      int value = Integer.parseInt(record.value());
      deliveries.incrementAndGet();
      if (values.add(value)) {
        byKey.computeIfAbsent(record.key(), k -> new CopyOnWriteArrayList<>()).add(value);
        lastAt.set(System.nanoTime());
      }
    }

    int distinct() {
      return values.size();
    }

    int deliveries() {
      return deliveries.get();
    }

    long lastAtNanos() {
      return lastAt.get();
    }

    List<String> outOfOrderKeys() {
      List<String> bad = new ArrayList<>();
      byKey.forEach((key, list) -> {
        for (int i = 1; i < list.size(); i++) {
          if (list.get(i) < list.get(i - 1)) {
            bad.add(key + " at " + list.get(i - 1) + " -> " + list.get(i));
            return;
          }
        }
      });
      return bad;
    }
  }

  /** A plain producer configured as the application configures Kafka, for comparison. */
  static final class PlainProducer {
    final AtomicInteger sent = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final AtomicInteger timeouts = new AtomicInteger();
    final AtomicInteger completed = new AtomicInteger();
    private final KafkaProducer<String, String> producer;

    PlainProducer(String bootstrap) {
      Map<String, Object> config = new HashMap<>();
      config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      config.put(ProducerConfig.ACKS_CONFIG, "all");
      config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
      config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
      producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
      producer.partitionsFor("plain-" + TOPIC); // metadata before the outage, so that send() does not block
    }

    void send(int value) {
      sent.incrementAndGet();
      producer.send(new ProducerRecord<>("plain-" + TOPIC, "key-" + (value % KEYS), Integer.toString(value)), (m, e) -> {
        if (e != null) {
          failed.incrementAndGet();
          if (e instanceof TimeoutException) {
            timeouts.incrementAndGet();
          }
        }
        completed.incrementAndGet();
      });
    }

    void awaitCompletion() {
      await("plain producer completes").atMost(Duration.ofSeconds(60)).until(() -> completed.get() == sent.get());
      producer.close(Duration.ofSeconds(5));
    }
  }
}
