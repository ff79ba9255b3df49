package dev.resilientkafka.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A healthy cluster and its layout: what every other test relies on. */
class LocalKafkaClusterTest {
  private static LocalKafkaCluster cluster;

  @BeforeAll
  static void startCluster() {
    long start = System.nanoTime();
    cluster = LocalKafkaCluster.start();
    System.out.printf("3-broker cluster ready in %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
  }

  @AfterAll
  static void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void s1ProducesAndConsumesHelloWorldThroughThePodFqdns() throws Exception {
    cluster.createTopic("healthy", 3, 3);
    try (KafkaProducer<String, String> producer = PlainClients.producer(cluster.bootstrapFqdns(), Map.of())) {
      RecordMetadata metadata = producer.send(new ProducerRecord<>("healthy", "greeting", "hello world")).get(30, TimeUnit.SECONDS);
      assertThat(metadata.offset()).isZero();
    }
    try (KafkaConsumer<String, String> consumer = PlainClients.consumer(cluster.bootstrapFqdns(), Map.of())) {
      List<ConsumerRecord<String, String>> records = PlainClients.readAll(consumer, "healthy", Duration.ofSeconds(30));
      assertThat(records).extracting(ConsumerRecord::value).containsExactly("hello world");
    }
  }

  @Test
  void brokersAdvertiseTheirPodFqdnsFromTheirOwnRacksAndAddresses() throws Exception {
    Set<String> advertised =
        cluster.admin().describeCluster().nodes().get(10, TimeUnit.SECONDS).stream()
            .map(n -> n.host() + ":" + n.port() + "@" + n.rack())
            .collect(Collectors.toSet());
    assertThat(advertised)
        .containsExactlyInAnyOrder(
            "kafka-0.kafka-svc.default.svc.cluster.local:9092@zone-a",
            "kafka-1.kafka-svc.default.svc.cluster.local:9092@zone-b",
            "kafka-2.kafka-svc.default.svc.cluster.local:9092@zone-c");
    Set<InetAddress> addresses =
        cluster.brokers().stream().map(LocalBroker::address).collect(Collectors.toSet());
    assertThat(addresses).hasSize(3);
    for (LocalBroker broker : cluster.brokers()) {
      assertThat(InetAddress.getByName(broker.fqdn())).isEqualTo(broker.address());
      assertThat(broker.address().getHostAddress()).startsWith("127.");
    }
    assertThat(List.of(InetAddress.getAllByName(cluster.serviceFqdn())))
        .containsExactlyInAnyOrderElementsOf(addresses);
  }

  @Test
  void topicsDefaultToDurableSettings() throws Exception {
    cluster.createTopic("defaults", 3, 3);
    var configs =
        cluster.admin()
            .describeConfigs(List.of(new org.apache.kafka.common.config.ConfigResource(
                org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "defaults")))
            .all()
            .get(10, TimeUnit.SECONDS)
            .values()
            .iterator()
            .next();
    assertThat(configs.get("min.insync.replicas").value()).isEqualTo("2");
    for (int p = 0; p < 3; p++) {
      List<Node> replicas = cluster.partitionInfo(new TopicPartition("defaults", p)).replicas();
      assertThat(replicas.stream().map(Node::rack).distinct()).hasSize(3);
    }
  }
}
