package dev.resilientkafka.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Broker faults (drained, killed, paused, two of three down, rescheduled) against plain clients: what the
 * cluster does, before any library is involved.
 * Every test leaves all brokers running and every partition fully in sync.
 */
class ClusterFaultsTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static LocalKafkaCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = LocalKafkaCluster.builder().brokerSessionTimeout(Duration.ofSeconds(5)).start();
  }

  @AfterAll
  static void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void everyBrokerBackAndInSync() {
    cluster.healAll(WAIT);
  }

  @Test
  void afterEveryIpRotatedAPinnedIpClientCannotBootstrapButAnFqdnClientCan() throws Exception {
    cluster.createTopic("rotation", 3, 3);
    String pinned = cluster.bootstrapIps();
    List<InetAddress> before = cluster.brokers().stream().map(LocalBroker::address).toList();

    long start = System.nanoTime();
    cluster.restartAllOnNewIps();
    System.out.printf("all brokers on new addresses and ready in %d ms%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    List<InetAddress> after = cluster.brokers().stream().map(LocalBroker::address).toList();
    assertThat(after).doesNotContainAnyElementsOf(before);

    Map<String, Object> quick = Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
    try (KafkaProducer<String, String> ipClient = PlainClients.producer(pinned, quick)) {
      assertThatThrownBy(() -> ipClient.send(new ProducerRecord<>("rotation", "k", "v")).get(30, TimeUnit.SECONDS))
          .hasRootCauseInstanceOf(TimeoutException.class);
      // ... the old addresses have nothing behind them
    }
    try (KafkaProducer<String, String> fqdnClient = PlainClients.producer(cluster.bootstrapFqdns(), quick)) {
      RecordMetadata metadata =
          fqdnClient.send(new ProducerRecord<>("rotation", "k", "v")).get(30, TimeUnit.SECONDS);
      assertThat(metadata.hasOffset()).isTrue();
    }
  }

  @Test
  void twoBrokersDownFailsAcksAllSendsUntilTheyReturn() throws Exception {
    cluster.createTopic("two-down", 3, 3);
    Map<String, Object> shortDelivery =
        Map.of(
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 8_000,
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000,
            ProducerConfig.LINGER_MS_CONFIG, 0);
    try (KafkaProducer<String, String> producer = PlainClients.producer(cluster.bootstrapFqdns(), shortDelivery)) {
      producer.send(new ProducerRecord<>("two-down", "key", "before")).get(30, TimeUnit.SECONDS);
      TopicPartition partition = new TopicPartition("two-down", 0);
      int survivor = cluster.leaderOf(partition);
      for (LocalBroker broker : cluster.brokers()) {
        if (broker.id() != survivor) {
          cluster.stop(broker.id());
        }
      }
      cluster.awaitIsrSize(partition, 1, WAIT);

      Future<RecordMetadata> during = producer.send(new ProducerRecord<>("two-down", 0, "key", "during"));
      assertThatThrownBy(() -> during.get(60, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOfAny(TimeoutException.class, NotEnoughReplicasException.class);

      for (LocalBroker broker : cluster.brokers()) {
        if (broker.id() != survivor) {
          cluster.start(broker.id());
        }
      }
      cluster.awaitAllReady(WAIT);
      cluster.awaitIsrSize(partition, 3, WAIT);
      RecordMetadata after = producer.send(new ProducerRecord<>("two-down", 0, "key", "after")).get(30, TimeUnit.SECONDS);
      assertThat(after.hasOffset()).isTrue();
    }
  }

  @Test
  void aReplacedBrokerWithAnEmptyDiskRejoinsAndServesEveryMessageAlone() throws Exception {
    cluster.createTopic("replaced", 3, 3);
    List<String> sent = new ArrayList<>();
    try (KafkaProducer<String, String> producer = PlainClients.producer(cluster.bootstrapFqdns(), Map.of())) {
      for (int i = 0; i < 300; i++) {
        String value = "m" + i;
        producer.send(new ProducerRecord<>("replaced", "k" + (i % 10), value));
        sent.add(value);
      }
      producer.flush();
    }
    LocalBroker replaced = cluster.broker(2);
    InetAddress oldAddress = replaced.address();
    InetAddress newAddress = cluster.replace(2);
    assertThat(newAddress).isNotEqualTo(oldAddress);
    cluster.awaitReady(2, WAIT);
    for (int p = 0; p < 3; p++) {
      TopicPartition partition = new TopicPartition("replaced", p);
      cluster.awaitIsrSize(partition, 3, WAIT);
      assertThat(cluster.isrOf(partition)).contains(2);
    }
    // the other two drain away, so the new broker leads every partition and serves every read
    cluster.stop(0);
    cluster.stop(1);
    for (int p = 0; p < 3; p++) {
      TopicPartition partition = new TopicPartition("replaced", p);
      cluster.awaitIsrSize(partition, 1, WAIT);
      assertThat(cluster.leaderOf(partition)).isEqualTo(2);
    }
    try (KafkaConsumer<String, String> consumer = PlainClients.consumer(replaced.hostPort(), Map.of())) {
      List<ConsumerRecord<String, String>> records = PlainClients.readAll(consumer, "replaced", WAIT);
      assertThat(records).extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(sent);
    }
  }
}
