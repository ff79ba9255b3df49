package dev.resilientkafka.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.resilientkafka.DeliveryFailedException;
import dev.resilientkafka.FailureCause;
import dev.resilientkafka.OverflowPolicy;
import dev.resilientkafka.ResilientProducer;
import dev.resilientkafka.ResilientProducerConfig;
import dev.resilientkafka.metrics.MicrometerProducerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The buffer's bound and overflow policies while no broker answers (bootstrap on a loopback port where
 * nothing listens: the outage where Kafka never gets metadata, so every record waits in the buffer).
 * No cluster needed; real Kafka client, real registry.
 */
class ResilientProducerOverflowTest {
  private static final String TOPIC = "nowhere";
  private static String deadBootstrap;

  static {
    QuietKafkaLogs.apply();
  }

  @BeforeAll
  static void findDeadPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      deadBootstrap = "127.0.0.1:" + socket.getLocalPort();
    }
  }

  private static ResilientProducer.Builder<String, String> builder(SimpleMeterRegistry registry) {
    return ResilientProducer.<String, String>builder()
        .bootstrapServers(deadBootstrap)
        .serializers(new StringSerializer(), new StringSerializer())
        .config("reconnect.backoff.max.ms", 1000)
        .listener(new MicrometerProducerMetrics(registry));
  }

  private static List<Future<RecordMetadata>> sendNumbered(ResilientProducer<String, String> producer,
      Outcomes outcomes, int count) {
    List<Future<RecordMetadata>> futures = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      futures.add(producer.send(new ProducerRecord<>(TOPIC, "k" + (i % 3), "v" + i), outcomes.callback(i)));
    }
    return futures;
  }

  @Test
  void dropNewestRefusesNewRecordsAndCloseFailsTheRestAllCounted() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RemovedMeters meters = new RemovedMeters(registry);
    Outcomes outcomes = new Outcomes();
    ResilientProducer<String, String> producer =
        builder(registry).bufferMaxRecords(5).overflowPolicy(OverflowPolicy.DROP_NEWEST).build();
    List<Future<RecordMetadata>> futures = sendNumbered(producer, outcomes, 20);

    assertThat(outcomes.failedWith(FailureCause.BUFFER_FULL)).containsExactlyElementsOf(IntStream.range(5, 20).boxed().toList());
    assertThat(producer.bufferedRecords()).isEqualTo(5);
    assertThat(registry.get("resilientkafka.producer.buffer.records").gauge().value()).isEqualTo(5.0);
    assertThat(meters.count("resilientkafka.producer.records.dropped", "drop_newest", null)).isEqualTo(15.0);

    producer.close(Duration.ofMillis(300));

    assertThat(outcomes.completed()).isEqualTo(20);
    assertThat(outcomes.failedWith(FailureCause.CLOSED)).containsExactly(0, 1, 2, 3, 4);
    assertThat(futures).allMatch(Future::isDone);
    assertThat(meters.count("resilientkafka.producer.records.failed", null, "closed")).isEqualTo(5.0);
    assertThat(meters.count("resilientkafka.producer.records.failed", null, "buffer_full")).isEqualTo(15.0);
    assertThat(registry.find("resilientkafka.producer.buffer.records").gauge()).as("meters removed on close").isNull();
    outcomes.assertNoCallbackTwice();
    assertThatThrownBy(() -> producer.send(new ProducerRecord<>(TOPIC, "k", "late")))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void dropOldestEvictsTheOldestWaitingRecords() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RemovedMeters meters = new RemovedMeters(registry);
    Outcomes outcomes = new Outcomes();
    try (ResilientProducer<String, String> producer =
        builder(registry).bufferMaxRecords(5).overflowPolicy(OverflowPolicy.DROP_OLDEST).build()) {
      sendNumbered(producer, outcomes, 20);
      assertThat(outcomes.failedWith(FailureCause.BUFFER_FULL)).containsExactlyElementsOf(IntStream.range(0, 15).boxed().toList());
      assertThat(meters.count("resilientkafka.producer.records.dropped", "drop_oldest", null)).isEqualTo(15.0);
      assertThat(producer.bufferedRecords()).isEqualTo(5);
      producer.close(Duration.ZERO);
      assertThat(outcomes.failedWith(FailureCause.CLOSED)).containsExactly(15, 16, 17, 18, 19);
    }
    outcomes.assertNoCallbackTwice();
  }

  @Test
  void failPolicyMakesSendThrowAndCounts() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RemovedMeters meters = new RemovedMeters(registry);
    Outcomes outcomes = new Outcomes();
    try (ResilientProducer<String, String> producer =
        builder(registry).bufferMaxRecords(3).overflowPolicy(OverflowPolicy.FAIL).build()) {
      sendNumbered(producer, outcomes, 3);
      assertThatThrownBy(() -> producer.send(new ProducerRecord<>(TOPIC, "k", "fourth"), outcomes.callback(3)))
          .isInstanceOfSatisfying(DeliveryFailedException.class,
              e -> assertThat(e.failureCause()).isEqualTo(FailureCause.BUFFER_FULL));
      assertThat(meters.count("resilientkafka.producer.records.dropped", "fail", null)).isEqualTo(1.0);
      producer.close(Duration.ZERO);
    }
    assertThat(outcomes.failedWith(FailureCause.CLOSED)).containsExactly(0, 1, 2);
    outcomes.assertNoCallbackTwice();
  }

  @Test
  void blockPolicyWaitsUpToItsBoundThenFailsTheRecord() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RemovedMeters meters = new RemovedMeters(registry);
    Outcomes outcomes = new Outcomes();
    try (ResilientProducer<String, String> producer = builder(registry).bufferMaxRecords(2)
        .overflowPolicy(OverflowPolicy.BLOCK).blockTimeout(Duration.ofMillis(400)).build()) {
      sendNumbered(producer, outcomes, 2);
      long start = System.nanoTime();
      Future<RecordMetadata> third = producer.send(new ProducerRecord<>(TOPIC, "k", "third"), outcomes.callback(2));
      long blockedMs = (System.nanoTime() - start) / 1_000_000;
      System.out.printf("BLOCK policy: send() blocked %d ms (bound 400 ms)%n", blockedMs);
      assertThat(blockedMs).isBetween(390L, 5_000L);
      assertThatThrownBy(third::get).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOfSatisfying(DeliveryFailedException.class,
              e -> assertThat(e.failureCause()).isEqualTo(FailureCause.BUFFER_FULL));
      assertThat(meters.count("resilientkafka.producer.records.dropped", "block", null)).isEqualTo(1.0);
      producer.close(Duration.ZERO);
    }
    assertThat(outcomes.completed()).isEqualTo(3);
    outcomes.assertNoCallbackTwice();
  }

  @Test
  void bufferedBytesNeverExceedTheBoundWhileTenTimesTheBoundIsOffered() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Outcomes outcomes = new Outcomes();
    long bound = 20_000;
    String value = "x".repeat(200);
    long offered = 0;
    long maxSeen = 0;
    try (ResilientProducer<String, String> producer = builder(registry).bufferMaxBytes(bound)
        .overflowPolicy(OverflowPolicy.DROP_OLDEST).build()) {
      int i = 0;
      while (offered < 10 * bound) {
        producer.send(new ProducerRecord<>(TOPIC, "key-" + i, value), outcomes.callback(i));
        offered += value.length() + ("key-" + i).length();
        maxSeen = Math.max(maxSeen, (long) registry.get("resilientkafka.producer.buffer.bytes").gauge().value());
        i++;
      }
      System.out.printf("byte bound %d: offered %d bytes in %d records, buffered-bytes gauge max %d, now %d records / %d bytes%n",
          bound, offered, i, maxSeen, producer.bufferedRecords(), producer.bufferedBytes());
      assertThat(maxSeen).isLessThanOrEqualTo(bound).isGreaterThan(bound / 2);
      assertThat(outcomes.failedWith(FailureCause.BUFFER_FULL).size() + producer.bufferedRecords()).isEqualTo(i);
      producer.close(Duration.ZERO);
    }
  }

  @Test
  void recordsThatCannotBeHandedOffExpireWithANamedCause() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Outcomes outcomes = new Outcomes();
    try (ResilientProducer<String, String> producer = builder(registry)
        .config("request.timeout.ms", 1000)
        .deliveryTimeout(Duration.ofSeconds(6)).build()) {
      sendNumbered(producer, outcomes, 3);
      await().atMost(Duration.ofSeconds(20)).until(() -> outcomes.completed() == 3);
      outcomes.failures().values().forEach(e -> System.out.printf("expired in an outage: %s%n", e.getMessage()));
      assertThat(outcomes.failedWith(FailureCause.BROKERS_UNREACHABLE)).containsExactly(0, 1, 2);
    }
  }

  @Test
  void settingsThatWeakenDurabilityAreRejectedNamingTheKey() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    assertThatThrownBy(() -> builder(registry).config("acks", "1").build())
        .isInstanceOf(ConfigException.class).hasMessageContaining("acks").hasMessageContaining("all");
    assertThatThrownBy(() -> builder(registry).config("enable.idempotence", "false").build())
        .isInstanceOf(ConfigException.class).hasMessageContaining("enable.idempotence");
    assertThatThrownBy(() -> builder(registry).config("partitioner.class", "org.example.Custom").build())
        .isInstanceOf(ConfigException.class).hasMessageContaining("partitioner.class").hasMessageContaining("not supported");
    assertThatThrownBy(() -> builder(registry).config(ResilientProducerConfig.BUFFER_OVERFLOW_POLICY, "sometimes").build())
        .isInstanceOf(ConfigException.class).hasMessageContaining(ResilientProducerConfig.BUFFER_OVERFLOW_POLICY)
        .hasMessageContaining("DROP_OLDEST");
    assertThatThrownBy(() -> builder(registry).config(Map.of("transactional.id", "t",
        ResilientProducerConfig.AVAILABILITY_MODE, "true")).build())
        .isInstanceOf(ConfigException.class).hasMessageContaining(ResilientProducerConfig.AVAILABILITY_MODE)
        .hasMessageContaining("transactions need acks=all");
    assertThatThrownBy(() -> builder(registry).deliveryTimeout(Duration.ofSeconds(1)).build())
        .isInstanceOf(ConfigException.class).hasMessageContaining(ResilientProducerConfig.DELIVERY_TIMEOUT_MS);
    try (ResilientProducer<String, String> producer =
        builder(registry).config(Map.of("acks", "1", ResilientProducerConfig.AVAILABILITY_MODE, "true")).build()) {
      assertThat(producer.availabilityMode()).isTrue();
      assertThat(registry.get("resilientkafka.producer.availability.mode").gauge().value()).isEqualTo(1.0);
      assertThatThrownBy(producer::initTransactions).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("transactional.id");
      producer.close(Duration.ZERO);
    }
  }
}
