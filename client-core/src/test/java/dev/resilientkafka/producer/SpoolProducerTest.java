package dev.resilientkafka.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.resilientkafka.DeliveryFailedException;
import dev.resilientkafka.FailureCause;
import dev.resilientkafka.OverflowPolicy;
import dev.resilientkafka.ResilientProducer;
import dev.resilientkafka.ResilientProducerConfig;
import dev.resilientkafka.SpoolStatus;
import dev.resilientkafka.metrics.MicrometerProducerMetrics;
import dev.resilientkafka.testkit.LocalKafkaCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durable spool inside one producer: an outage longer than the memory bound can hold (records wait
 * on disk, not in memory, and all arrive in order), one producer per directory, and a full spool under
 * the overflow policies with cause SPOOL_FULL. The spool's survival of a dead process is in {@code
 * SpoolCrashTest}.
 */
class SpoolProducerTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static LocalKafkaCluster cluster;
  private static String deadBootstrap;

  @TempDir
  Path temp;

  static {
    QuietKafkaLogs.apply();
  }

  @BeforeAll
  static void startCluster() throws IOException {
    cluster = LocalKafkaCluster.start();
    try (ServerSocket socket = new ServerSocket(0)) {
      deadBootstrap = "127.0.0.1:" + socket.getLocalPort();
    }
  }

  @AfterAll
  static void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static ResilientProducer.Builder<String, String> builder(String bootstrap, Path spool) {
    return ResilientProducer.<String, String>builder()
        .bootstrapServers(bootstrap)
        .serializers(new StringSerializer(), new StringSerializer())
        .config(ResilientProducerConfig.SPOOL_DIR, spool.toString());
  }

  @Test
  void anOutageLongerThanTheMemoryBoundWaitsOnDiskAndEverythingArrivesInOrder() {
    String topic = "spool-long-outage";
    cluster.createTopic(topic, 3, 3);
    long memory = 256 * 1024;
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ResilientProducer<String, String> producer = builder(cluster.bootstrapFqdns(), temp.resolve("long"))
        .bufferMaxBytes(memory).listener(new MicrometerProducerMetrics(registry)).build();
    int survivor = cluster.leaderOf(new TopicPartition(topic, 0));
    int[] down = IntStream.range(0, 3).filter(i -> i != survivor).toArray();
    try {
      for (int id : down) {
        cluster.stop(id);
      }
      cluster.awaitIsrSize(new TopicPartition(topic, 0), 1, WAIT);
      Outcomes outcomes = new Outcomes();
      String value = "x".repeat(1_000);
      int count = (int) (11 * memory / 1_000);
      long maxMemory = 0;
      for (int i = 0; i < count; i++) {
        producer.send(new ProducerRecord<>(topic, "s-" + (i % 12), i + "-" + value), outcomes.callback(i));
        maxMemory = Math.max(maxMemory, producer.bufferedBytes());
      }
      SpoolStatus during = producer.spoolStatus().orElseThrow();
      System.out.printf("SPOOL outage beyond memory: %d records accepted, memory bound %d bytes (held at most %d), "
              + "spool %d records / %d bytes (%.1fx the memory bound), failures %d%n", count, memory, maxMemory,
          during.records(), during.bytes(), during.bytes() / (double) memory, outcomes.failures().size());
      assertThat(outcomes.failures()).as("nothing refused while the spool has room").isEmpty();
      assertThat(maxMemory).isLessThanOrEqualTo(memory);
      assertThat(during.bytes()).as("the spool holds at least 10x what memory would").isGreaterThanOrEqualTo(10 * memory);
      assertThat(registry.get("resilientkafka.producer.spool.records").gauge().value()).isEqualTo(count);
      for (int id : down) {
        cluster.start(id);
      }
      cluster.awaitAllReady(WAIT);
      await().atMost(WAIT).until(() -> outcomes.completed() == count);
      assertThat(outcomes.failures()).isEmpty();
      await().atMost(WAIT).until(() -> producer.spoolStatus().orElseThrow().records() == 0);
      TopicContents contents = TopicContents.read(cluster.bootstrapFqdns(), topic, WAIT);
      assertThat(contents.of("s")).hasSize(count);
      assertThat(contents.keyOrderViolations("s")).isEmpty();
      outcomes.assertNoCallbackTwice();
    } finally {
      producer.close(Duration.ofSeconds(5));
      cluster.healAll(WAIT);
    }
  }

  @Test
  void aSecondProducerOnTheSameDirectoryIsRefusedNamingTheDirectoryAndTheHolder() {
    Path dir = temp.resolve("shared");
    try (ResilientProducer<String, String> first = builder(deadBootstrap, dir).build()) {
      assertThatThrownBy(() -> builder(deadBootstrap, dir).build())
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining(ResilientProducerConfig.SPOOL_DIR)
          .hasMessageContaining(dir.toString())
          .hasMessageContaining(Long.toString(ProcessHandle.current().pid()));
      first.close(Duration.ZERO);
    }
  }

  @Test
  void aFullSpoolAppliesTheOverflowPolicyWithCauseSpoolFull() {
    String value = "y".repeat(1_000);
    try (ResilientProducer<String, String> dropping = builder(deadBootstrap, temp.resolve("full-drop"))
        .config(ResilientProducerConfig.SPOOL_MAX_BYTES, 50_000).overflowPolicy(OverflowPolicy.DROP_NEWEST).build()) {
      Outcomes outcomes = new Outcomes();
      for (int i = 0; i < 100; i++) {
        dropping.send(new ProducerRecord<>("t", "k", value), outcomes.callback(i));
      }
      System.out.printf("SPOOL full (50,000 bytes, DROP_NEWEST): %d of 100 refused with SPOOL_FULL, spool holds %d%n",
          outcomes.failedWith(FailureCause.SPOOL_FULL).size(), dropping.spoolStatus().orElseThrow().records());
      assertThat(outcomes.failedWith(FailureCause.SPOOL_FULL)).hasSizeBetween(40, 60);
      assertThat(outcomes.failures().get(99)).hasMessageContaining("spool");
      dropping.close(Duration.ZERO);
    }
    try (ResilientProducer<String, String> failing = builder(deadBootstrap, temp.resolve("full-fail"))
        .config(ResilientProducerConfig.SPOOL_MAX_BYTES, 5_000).overflowPolicy(OverflowPolicy.FAIL).build()) {
      assertThatThrownBy(() -> {
        for (int i = 0; i < 10; i++) {
          failing.send(new ProducerRecord<>("t", "k", value));
        }
      }).isInstanceOfSatisfying(DeliveryFailedException.class,
          e -> assertThat(e.failureCause()).isEqualTo(FailureCause.SPOOL_FULL));
      failing.close(Duration.ZERO);
    }
  }
}
