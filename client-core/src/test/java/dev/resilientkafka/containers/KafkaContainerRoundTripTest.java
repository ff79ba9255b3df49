package dev.resilientkafka.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.resilientkafka.RackDiscovery;
import dev.resilientkafka.ResilientConsumer;
import dev.resilientkafka.ResilientProducer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The library against the official {@code apache/kafka} image in Docker (one KRaft node, started by
 * Testcontainers): a producer-to-consumer round trip, and records sent while the container is paused
 * (the broker hangs with its connections open) are delivered once it is unpaused. Skipped, with the
 * reason, where no Docker engine runs; the testkit's cluster tests prove the same behaviour everywhere.
 */
@RequiresDocker
class KafkaContainerRoundTripTest {
  /** The image of the broker line this build's clients are (kafka.version). */
  static final String IMAGE = "apache/kafka:4.3.1";
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static KafkaContainer kafka;

  @BeforeAll
  static void startKafka() {
    kafka = new KafkaContainer(IMAGE);
    kafka.start();
  }

  @AfterAll
  static void stopKafka() {
    if (kafka != null) {
      kafka.stop();
    }
  }

  private static void createTopic(String name) throws Exception {
    try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", kafka.getBootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(name, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
  }

  private static ResilientProducer<String, String> producer() {
    return ResilientProducer.<String, String>builder()
        .config(Map.of("bootstrap.servers", kafka.getBootstrapServers()))
        .serializers(new StringSerializer(), new StringSerializer())
        .build();
  }

  private static List<String> readAll(String topic, int expected) {
    Map<String, Object> config = Map.of("bootstrap.servers", kafka.getBootstrapServers(),
        "auto.offset.reset", "earliest");
    List<String> values = new ArrayList<>();
    try (ResilientConsumer<String, String> consumer = ResilientConsumer.<String, String>builder()
        .config(config)
        .keyDeserializer(new StringDeserializer())
        .valueDeserializer(new StringDeserializer())
        .rackDiscovery(RackDiscovery.NONE)
        .build()) {
      consumer.assign(List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1), new TopicPartition(topic, 2)));
      await().atMost(WAIT).until(() -> {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          values.add(record.value());
        }
        return values.size() >= expected;
      });
    }
    return values;
  }

  @Test
  void recordsSentByTheResilientProducerAreReadByTheResilientConsumer() throws Exception {
    createTopic("round-trip");
    try (ResilientProducer<String, String> producer = producer()) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        sent.add(producer.send(new ProducerRecord<>("round-trip", "key-" + (i % 7), "value-" + i)));
      }
      producer.flush();
      for (Future<RecordMetadata> future : sent) {
        assertThat(future.get(30, TimeUnit.SECONDS).hasOffset()).isTrue();
      }
    }

    List<String> values = readAll("round-trip", 100);

    assertThat(values).hasSize(100);
    assertThat(new HashSet<>(values)).hasSize(100);
  }

  @Test
  void recordsSentWhileTheBrokerIsPausedAreDeliveredAfterItResumes() throws Exception {
    createTopic("paused");
    String id = kafka.getContainerId();
    Set<String> expected = new HashSet<>();
    try (ResilientProducer<String, String> producer = producer()) {
      producer.send(new ProducerRecord<>("paused", "warm-up")).get(30, TimeUnit.SECONDS);
      expected.add("warm-up");
      kafka.getDockerClient().pauseContainerCmd(id).exec();
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      try {
        for (int i = 0; i < 50; i++) {
          String value = "during-pause-" + i;
          expected.add(value);
          sent.add(producer.send(new ProducerRecord<>("paused", value)));
        }
        // the broker hangs: nothing is acknowledged, and nothing fails, while it is paused
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
            .until(() -> sent.stream().noneMatch(Future::isDone));
      } finally {
        kafka.getDockerClient().unpauseContainerCmd(id).exec();
      }
      producer.flush();
      for (Future<RecordMetadata> future : sent) {
        assertThat(future.get(60, TimeUnit.SECONDS).hasOffset()).isTrue();
      }
    }

    assertThat(new HashSet<>(readAll("paused", expected.size()))).isEqualTo(expected);
  }
}
