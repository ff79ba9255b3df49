package dev.resilientkafka.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.resilientkafka.DeliveryFailedException;
import dev.resilientkafka.FailureCause;
import dev.resilientkafka.OverflowPolicy;
import dev.resilientkafka.ResilientProducer;
import dev.resilientkafka.metrics.MicrometerProducerMetrics;
import dev.resilientkafka.testkit.BrokerState;
import dev.resilientkafka.testkit.LocalBroker;
import dev.resilientkafka.testkit.LocalKafkaCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two of three brokers down for 130 s (longer than Kafka's default delivery.timeout.ms of 120 s), ISR below
 * min.insync.replicas, 200 keyed records/s into a ResilientProducer and the same into a plain
 * KafkaProducer. During the outage, small-buffer producers show the overflow policy, the named cause and
 * close() with records outstanding.
 */
@Tag("long")
class ResilientProducerOutageTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final Duration OUTAGE = Duration.ofSeconds(130);
  private static final int RATE = 200;
  private static final String TOPIC = "two-down";
  private static LocalKafkaCluster cluster;

  static {
    QuietKafkaLogs.apply();
  }

  @BeforeAll
  static void startCluster() {
    cluster = LocalKafkaCluster.start();
    cluster.createTopic(TOPIC, 3, 3);
    cluster.createTopic("two-down-small", 3, 3);
  }

  @AfterAll
  static void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static ResilientProducer.Builder<String, String> resilient(SimpleMeterRegistry registry) {
    return ResilientProducer.<String, String>builder()
        .bootstrapServers(cluster.bootstrapFqdns())
        .serializers(new StringSerializer(), new StringSerializer())
        .listener(new MicrometerProducerMetrics(registry));
  }

  @Test
  void twoBrokersDownLongerThanKafkasDefaultDeliveryTimeoutNothingAcceptedIsLost() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RemovedMeters meters = new RemovedMeters(registry);
    ResilientProducer<String, String> producer = resilient(registry).build();
    KafkaProducer<String, String> plain = plainProducer();
    KeyedWorkload resilientLoad = new KeyedWorkload(producer, TOPIC, "r", RATE);
    KeyedWorkload plainLoad = new KeyedWorkload(plain, TOPIC, "p", RATE);
    long drainMs;
    try {
      await().atMost(WAIT).until(() -> resilientLoad.outcomes.acked() > RATE && plainLoad.outcomes.acked() > RATE);
      int survivor = cluster.leaderOf(new TopicPartition(TOPIC, 0));
      int[] stopped = IntStream.range(0, 3).filter(i -> i != survivor).toArray();
      for (int id : stopped) {
        cluster.stop(id);
      }
      long outageStart = System.nanoTime();
      cluster.awaitIsrSize(new TopicPartition(TOPIC, 0), 1, WAIT);

      SimpleMeterRegistry smallRegistry = new SimpleMeterRegistry();
      RemovedMeters smallMeters = new RemovedMeters(smallRegistry);
      checkOverflowAndCausesDuringOutage(smallRegistry, smallMeters);

      await().atMost(OUTAGE.plusSeconds(30)).pollInterval(Duration.ofSeconds(1))
          .until(() -> System.nanoTime() - outageStart >= OUTAGE.toNanos());
      System.out.printf("two brokers down: during the outage the gauges read %.0f buffered records, %.0f bytes, oldest %.1f s, %.0f partitions below min ISR%n",
          registry.get("resilientkafka.producer.buffer.records").gauge().value(),
          registry.get("resilientkafka.producer.buffer.bytes").gauge().value(),
          registry.get("resilientkafka.producer.buffer.oldest.age").timeGauge().value(java.util.concurrent.TimeUnit.SECONDS),
          registry.get("resilientkafka.producer.partitions.below.min.isr").gauge().value());
      assertThat(producer.partitionsBelowMinIsr()).as("partitions below min ISR while records wait").isEqualTo(3);
      for (int id : stopped) {
        cluster.start(id);
      }
      for (int id : stopped) {
        cluster.awaitReady(id, WAIT);
      }
      long back = System.nanoTime();
      System.out.printf("two brokers down: brokers %d and %d down for %d s%n", stopped[0], stopped[1], (back - outageStart) / 1_000_000_000);
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
          .until(() -> producer.oldestBufferedAge().compareTo(Duration.ofSeconds(5)) < 0);
      drainMs = (System.nanoTime() - back) / 1_000_000;
      // acknowledged again: not below min ISR any more, whatever the inner producer's older metadata says
      await("no partition counted below min ISR once records are acknowledged").atMost(Duration.ofSeconds(10))
          .until(() -> producer.partitionsBelowMinIsr() == 0);
    } finally {
      resilientLoad.close();
      plainLoad.close();
    }
    producer.flush();
    plain.flush();
    await().atMost(WAIT).until(() -> resilientLoad.outcomes.completed() == resilientLoad.sent()
        && plainLoad.outcomes.completed() == plainLoad.sent());
    producer.close(Duration.ofSeconds(10));
    plain.close(Duration.ofSeconds(10));

    TopicContents contents = TopicContents.read(cluster.bootstrapFqdns(), TOPIC, WAIT);
    int resilientInTopic = contents.assertExactlyOnceInKeyOrder(resilientLoad, true);
    System.out.printf("two brokers down: resilient sent %d, acked %d, failed %d, in topic %d, longest ack gap %d ms, buffer drained %d ms after the brokers were ready, recovered %.0f%n",
        resilientLoad.sent(), resilientLoad.outcomes.acked(), resilientLoad.outcomes.failures().size(), resilientInTopic,
        resilientLoad.outcomes.longestAckGapMs(), drainMs, meters.count("resilientkafka.producer.records.recovered", null, null));
    System.out.printf("two brokers down: plain     sent %d, acked %d, LOST %d (callbacks failed: %s), in topic %d, longest ack gap %d ms%n",
        plainLoad.sent(), plainLoad.outcomes.acked(), plainLoad.outcomes.failures().size(),
        plainLoad.outcomes.failures().values().stream().map(e -> e.getClass().getSimpleName()).distinct().toList(),
        contents.of("p").size(), plainLoad.outcomes.longestAckGapMs());
    assertThat(resilientLoad.thrown()).as("no exception reached the application").isNull();
    assertThat(resilientLoad.outcomes.failures()).as("no resilient record failed").isEmpty();
    assertThat(resilientInTopic).isEqualTo(resilientLoad.sent());
    assertThat(drainMs).isLessThan(60_000);
    assertThat(plainLoad.outcomes.failures()).as("the plain producer loses records").isNotEmpty();
    resilientLoad.outcomes.assertNoCallbackTwice();
  }

  /** Overflow, a named cause and close() while the ISR is short: every callback told and counted. */
  private void checkOverflowAndCausesDuringOutage(SimpleMeterRegistry registry, RemovedMeters meters) {
    Outcomes dropping = new Outcomes();
    ResilientProducer<String, String> small = resilient(registry).bufferMaxRecords(20)
        .overflowPolicy(OverflowPolicy.DROP_NEWEST).config("request.timeout.ms", 5_000)
        .deliveryTimeout(Duration.ofSeconds(15)).build();
    for (int i = 0; i < 50; i++) {
      small.send(new ProducerRecord<>("two-down-small", "k" + (i % 3), "v" + i), dropping.callback(i));
    }
    assertThat(dropping.failedWith(FailureCause.BUFFER_FULL)).hasSize(30);
    await().atMost(WAIT).until(() -> dropping.completed() == 50);
    System.out.printf("two brokers down: small buffer (20 records, DROP_NEWEST, deadline 15 s): causes %s%n",
        dropping.failures().values().stream().map(e -> ((DeliveryFailedException) e).failureCause()).distinct().toList());
    assertThat(dropping.failedWith(FailureCause.ISR_SHORTFALL)).as("deadline passed with the ISR short").hasSize(20);
    small.close(Duration.ofSeconds(1));
    assertThat(meters.count("resilientkafka.producer.records.dropped", "drop_newest", null)).isEqualTo(30.0);
    assertThat(meters.count("resilientkafka.producer.records.failed", null, "isr_shortfall")).isEqualTo(20.0);

    Outcomes closing = new Outcomes();
    ResilientProducer<String, String> closed = resilient(registry).build();
    for (int i = 0; i < 10; i++) {
      closed.send(new ProducerRecord<>("two-down-small", "k" + i, "v" + i), closing.callback(i));
    }
    closed.close(Duration.ofSeconds(1));
    assertThat(closing.failedWith(FailureCause.CLOSED)).hasSize(10);
    assertThat(meters.count("resilientkafka.producer.records.failed", null, "closed")).isEqualTo(10.0);
    dropping.assertNoCallbackTwice();
    closing.assertNoCallbackTwice();
  }

  private static KafkaProducer<String, String> plainProducer() {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapFqdns());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    return new KafkaProducer<>(props);
  }
}
