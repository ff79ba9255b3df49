package dev.resilientkafka.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** Two clusters at once in one JVM: own addresses, directories, DNS servers and names. */
class ConcurrentClustersTest {

  @Test
  void twoClustersRunSideBySideWithoutSharingAnything() throws Exception {
    CompletableFuture<LocalKafkaCluster> first =
        CompletableFuture.supplyAsync(() -> LocalKafkaCluster.builder().brokers(1).namespace("team-a").start());
    CompletableFuture<LocalKafkaCluster> second =
        CompletableFuture.supplyAsync(() -> LocalKafkaCluster.builder().brokers(1).namespace("team-b").start());
    try (LocalKafkaCluster a = first.get(120, TimeUnit.SECONDS);
        LocalKafkaCluster b = second.get(120, TimeUnit.SECONDS)) {
      assertThat(a.broker(0).address()).isNotEqualTo(b.broker(0).address());
      assertThat(a.directory()).isNotEqualTo(b.directory());
      assertThat(a.dnsAddress()).isNotEqualTo(b.dnsAddress());
      assertThat(a.bootstrapFqdns()).isEqualTo("kafka-0.kafka-svc.team-a.svc.cluster.local:9092");

      write(a, "only-in-a");
      write(b, "only-in-b");
      assertThat(read(a)).isEqualTo("only-in-a");
      assertThat(read(b)).isEqualTo("only-in-b");

      assertThatThrownBy(() -> LocalKafkaCluster.builder().brokers(1).namespace("team-a").start())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("kafka-svc.team-a.svc.cluster.local already runs in this JVM");
    }
  }

  @Test
  void misconfiguredClustersCanBeBuiltForTheDoctorToFind() throws Exception {
    try (LocalKafkaCluster cluster =
        LocalKafkaCluster.builder().brokers(1).namespace("mistakes").advertisePodIps(true)
            .rackAwareReplicaSelector(false).start()) {
      var node = cluster.admin().describeCluster().nodes().get(10, TimeUnit.SECONDS).iterator().next();
      assertThat(node.host()).isEqualTo(cluster.broker(0).address().getHostAddress());
      var resource = new org.apache.kafka.common.config.ConfigResource(
          org.apache.kafka.common.config.ConfigResource.Type.BROKER, "0");
      var selector = cluster.admin().describeConfigs(java.util.List.of(resource)).all().get(10, TimeUnit.SECONDS)
          .get(resource).get("replica.selector.class");
      assertThat(selector == null || selector.value() == null || !selector.value().contains("RackAware")).isTrue();
    }
  }

  private static void write(LocalKafkaCluster cluster, String value) throws Exception {
    cluster.createTopic("t", 1, 1);
    try (KafkaProducer<String, String> producer = PlainClients.producer(cluster.bootstrapFqdns(), Map.of())) {
      producer.send(new ProducerRecord<>("t", value)).get(30, TimeUnit.SECONDS);
    }
  }

  private static String read(LocalKafkaCluster cluster) {
    try (KafkaConsumer<String, String> consumer = PlainClients.consumer(cluster.bootstrapFqdns(), Map.of())) {
      return PlainClients.readAll(consumer, "t", Duration.ofSeconds(30)).stream()
          .map(ConsumerRecord::value)
          .reduce((x, y) -> x + "," + y)
          .orElse("");
    }
  }
}
