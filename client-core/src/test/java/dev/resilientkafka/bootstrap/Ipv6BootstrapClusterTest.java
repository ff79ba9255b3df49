package dev.resilientkafka.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilientkafka.ResilientConsumer;
import dev.resilientkafka.internal.bootstrap.ClientBootstrap;
import dev.resilientkafka.metrics.MicrometerBootstrapMetrics;
import dev.resilientkafka.testkit.LocalBroker;
import dev.resilientkafka.testkit.LocalKafkaCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole path on an IPv6-only cluster: one broker listening on {@code ::1} (on a port of its own, so
 * that other clusters on the machine may use {@code ::1} too), its pod with only an AAAA record and three
 * named ports (Kafka, JMX, metrics), the DNS server on {@code ::1}. Clients configured with the Service
 * alone find the broker through SRV, AAAA and the listener check, and produce and consume.
 */
class Ipv6BootstrapClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static LocalKafkaCluster cluster;
  private static int kafkaPort;

  @BeforeAll
  static void startCluster() {
    cluster = LocalKafkaCluster.builder().brokers(1).namespace("ipv6-boot").ipv6Loopback(true).portName("kafka")
        .extraPort("jmx", 5555).extraPort("metrics", 9404).start();
    kafkaPort = cluster.broker(0).port();
    cluster.createTopic("v6", 2, 1);
  }

  @AfterAll
  static void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void producerAndConsumerBootstrapThroughAaaaRecordsToTheBrokerOnIpv6Loopback() throws Exception {
    LocalBroker broker = cluster.broker(0);
    assertThat(broker.address()).isEqualTo(InetAddress.getByName("::1"));
    String expected = broker.fqdn() + ":" + kafkaPort;

    Map<String, Object> producerConfig = serviceConfig("kafka-svc.ipv6-boot");
    producerConfig.put("resilient.bootstrap.port.name", "kafka");
    producerConfig.put("key.serializer", StringSerializer.class.getName());
    producerConfig.put("value.serializer", StringSerializer.class.getName());
    producerConfig.put("acks", "all");
    try (ClientBootstrap bootstrap = ClientBootstrap.configure(producerConfig);
        KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig)) {
      assertThat(producerConfig.get("bootstrap.servers")).isEqualTo(expected);
      for (int i = 0; i < 100; i++) {
        producer.send(new ProducerRecord<>("v6", Integer.toString(i), "v" + i));
      }
      producer.flush();
      producer.send(new ProducerRecord<>("v6", "last", "v100")).get(30, TimeUnit.SECONDS);
      assertThat(bootstrap.servers()).hasSize(1);
    }

    Map<String, Object> consumerConfig = serviceConfig("kafka-svc.ipv6-boot");
    consumerConfig.put("resilient.bootstrap.port.name", "kafka");
    consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "v6-readers");
    consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumerConfig.put("resilient.consumer.dedup.window", 1000);
    Set<String> values = new HashSet<>();
    try (ResilientConsumer<String, String> consumer = ResilientConsumer.<String, String>builder()
        .config(consumerConfig).keyDeserializer(new StringDeserializer()).valueDeserializer(new StringDeserializer())
        .build()) {
      consumer.subscribe(List.of("v6"));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (values.size() < 101 && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          values.add(record.value());
        }
      }
      // the consumer read from ::1: its only broker connection is the IPv6 one
      assertThat(consumer.fetchedBytesByBroker()).containsOnlyKeys(0);
    }
    System.out.printf("IPv6-only cluster: bootstrap.servers=%s (broker on [::1]:%d, DNS on %s); consumed %d of 101%n",
        expected, kafkaPort, cluster.dnsAddress(), values.size());
    assertThat(values).hasSize(101);
  }

  @Test
  void onlyTheKafkaPortOfTheThreeNamedPortsGoesIntoBootstrapServers() {
    String expected = cluster.broker(0).fqdn() + ":" + kafkaPort;
    // the port by number (as resilient.bootstrap.port), by name, and in the service name
    List<Map<String, Object>> configs = List.of(
        serviceConfig("kafka-svc.ipv6-boot"), serviceConfig("kafka-svc.ipv6-boot:" + kafkaPort),
        serviceConfig(cluster.serviceBootstrap()));
    configs.get(0).put("resilient.bootstrap.port", kafkaPort);
    for (Map<String, Object> config : configs) {
      String service = String.valueOf(config.get("resilient.bootstrap.service"));
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      try (MicrometerBootstrapMetrics metrics = new MicrometerBootstrapMetrics(registry);
          ClientBootstrap bootstrap = ClientBootstrap.configure(config, metrics)) {
        assertThat(config.get("bootstrap.servers")).as(service).isEqualTo(expected);
        double ignored = registry.find("resilientkafka.bootstrap.srv.records.ignored").counters().stream()
            .mapToDouble(c -> c.count()).sum();
        System.out.printf("service %s -> bootstrap.servers=%s, SRV records left out and reported: %.0f%n",
            service, config.get("bootstrap.servers"), ignored);
        // the Service's own SRV answer holds the JMX and metrics records; an SRV name holds only its port
        assertThat(ignored).as(service).isEqualTo(service.startsWith("_") ? 0.0 : 2.0);
      }
    }
  }

  /** What a user writes: the Service, and where the cluster's DNS server listens, in the IPv6 form. */
  private static Map<String, Object> serviceConfig(String service) {
    Map<String, Object> config = new HashMap<>();
    config.put("resilient.bootstrap.service", service);
    config.put("resilient.bootstrap.dns.server", "[::1]:" + cluster.dnsAddress().getPort());
    return config;
  }
}
