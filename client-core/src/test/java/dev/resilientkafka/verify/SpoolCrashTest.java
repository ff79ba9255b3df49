package dev.resilientkafka.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilientkafka.ResilientConsumer;
import dev.resilientkafka.metrics.MicrometerConsumerMetrics;
import dev.resilientkafka.testkit.LocalKafkaCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durable spool through the death of the producing application: the application ({@link SpoolClient})
 * runs in its own JVM, is killed with SIGKILL, and is started again on the same spool directory. Every
 * record whose {@code send()} returned must reach the topic, in per-key order, repeated only with a record
 * id already seen, and a {@link ResilientConsumer} with de-duplication must deliver each exactly once.
 */
class SpoolCrashTest {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static LocalKafkaCluster cluster;

  @TempDir
  Path temp;

  @BeforeAll
  static void startCluster() {
    cluster = VerifyClients.startFaultCluster();
  }

  @AfterAll
  static void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void heal() {
    cluster.healAll(WAIT);
  }

  @Test
  void killedDuringAnOutageThenRestartedDeliversEveryAcceptedRecordOnce() throws Exception {
    String topic = "spool-outage";
    cluster.createTopic(topic, 3, 3);
    Path spool = temp.resolve("spool");
    int survivor = cluster.leaderOf(new TopicPartition(topic, 0));
    int[] down = IntStream.range(0, 3).filter(i -> i != survivor).toArray();
    for (int id : down) {
      cluster.stop(id);
    }
    List<String> accepted;
    try (ChildJvm first = ChildJvm.startLikeTests("app-1", SpoolClient.class, spool.toString(),
        cluster.bootstrapFqdns(), topic, "a", "3000", "1000", "100")) {
      first.awaitLine("SENT", WAIT);
      accepted = first.linesStartingWith("ACCEPTED ");
      first.kill();
    }
    for (int id : down) {
      cluster.start(id);
    }
    cluster.awaitAllReady(WAIT);
    String status;
    try (ChildJvm second = ChildJvm.startLikeTests("app-2", SpoolClient.class, spool.toString(),
        cluster.bootstrapFqdns(), topic, "b", "0", "1", "100")) {
      second.awaitLine("DRAINED", WAIT);
      status = second.linesStartingWith("STATUS ").get(0);
    }
    Delivery delivery = Delivery.read(topic);
    int dropped = dedupConsume(topic, delivery.records.size());
    System.out.printf("SPOOL outage+SIGKILL: accepted N=%d, %s at restart; in topic %d (distinct %d), repeats %d "
            + "(all with an id seen before: %s), per-key order kept: %s; de-duplicating consumer delivered %d, dropped %d%n",
        accepted.size(), status, delivery.records.size(), delivery.distinct.size(), delivery.repeats,
        delivery.repeatsShareIds, delivery.reordered == 0, delivery.records.size() - dropped, dropped);
    assertThat(status).contains("recovered=" + accepted.size());
    assertThat(delivery.distinct).containsAll(accepted);
    assertThat(delivery.reordered).isZero();
    assertThat(delivery.repeatsShareIds).isTrue();
    assertThat(delivery.records.size() - dropped).as("delivered exactly once by the de-duplicating consumer")
        .isEqualTo(delivery.distinct.size());
  }

  @Test
  void killedWhileStreamingLosesNothingWhoseSendReturned() throws Exception {
    for (String fsync : List.of("always", "100")) {
      String topic = "spool-stream-" + fsync;
      cluster.createTopic(topic, 3, 3);
      Path spool = temp.resolve("stream-" + fsync);
      List<String> accepted;
      try (ChildJvm first = ChildJvm.startLikeTests("stream-" + fsync, SpoolClient.class, spool.toString(),
          cluster.bootstrapFqdns(), topic, "s", "1000000", "2000", fsync)) {
        first.awaitLine("STATUS records=0 recovered=0 torn=0", WAIT);
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> first.linesStartingWith("ACCEPTED ").size() > 6_000);
        first.kill();
        accepted = first.linesStartingWith("ACCEPTED ");
      }
      String status;
      try (ChildJvm second = ChildJvm.startLikeTests("restart-" + fsync, SpoolClient.class, spool.toString(),
          cluster.bootstrapFqdns(), topic, "t", "0", "1", fsync)) {
        second.awaitLine("DRAINED", WAIT);
        status = second.linesStartingWith("STATUS ").get(0);
      }
      Delivery delivery = Delivery.read(topic);
      List<String> lost = accepted.stream().filter(v -> !delivery.distinct.contains(v)).toList();
      System.out.printf("SPOOL SIGKILL at 2,000 records/s, fsync=%s: send() returned for %d, %s at restart; in topic "
              + "%d distinct, lost %d, repeats %d (same ids: %s)%n", fsync, accepted.size(), status,
          delivery.distinct.size(), lost.size(), delivery.repeats, delivery.repeatsShareIds);
      assertThat(lost).as("records whose send() returned and that are not in the topic").isEmpty();
      assertThat(delivery.reordered).isZero();
      assertThat(delivery.repeatsShareIds).isTrue();
    }
  }

  /** The topic read back without a group: values, record ids, repeats and per-key order. */
  private static final class Delivery {
    final List<ConsumerRecord<String, String>> records = new ArrayList<>();
    final Set<String> distinct = new HashSet<>();
    long repeats;
    boolean repeatsShareIds = true;
    long reordered;

    static Delivery read(String topic) {
      Delivery delivery = new Delivery();
      Map<String, String> idOf = new HashMap<>();
      Map<String, Integer> lastSeq = new HashMap<>();
      VerifyClients.checker(cluster).readAll(topic, delivery.records);
      for (ConsumerRecord<String, String> record : delivery.records) {
        Header header = record.headers().lastHeader(VerifyClients.ID_HEADER);
        String id = header == null ? "none" : new String(header.value(), StandardCharsets.US_ASCII);
        if (!delivery.distinct.add(record.value())) {
          delivery.repeats++;
          delivery.repeatsShareIds &= id.equals(idOf.get(record.value()));
          continue; // a repeat comes after its first copy by nature; order is about first copies
        }
        idOf.put(record.value(), id);
        // value <run>-k<key>-<seq>: per run and key, sequences grow with the offsets of the partition
        int dash = record.value().lastIndexOf('-');
        String runKey = record.value().substring(0, dash) + "@" + record.partition();
        int seq = Integer.parseInt(record.value().substring(dash + 1));
        Integer previous = lastSeq.put(runKey, seq);
        if (previous != null && seq < previous) {
          delivery.reordered++;
        }
      }
      return delivery;
    }
  }

  /** Reads the topic with a de-duplicating {@link ResilientConsumer} in a group; returns duplicates dropped. */
  private static int dedupConsume(String topic, int inTopic) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapFqdns());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "dedup-" + topic);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    config.put("resilient.consumer.dedup.window", 100_000);
    int delivered = 0;
    try (ResilientConsumer<String, String> consumer = ResilientConsumer.<String, String>builder().config(config)
        .listener(new MicrometerConsumerMetrics(registry)).build()) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + WAIT.toNanos();
      double dropped = 0;
      while (delivered + dropped < inTopic && System.nanoTime() < deadline) {
        delivered += consumer.poll(Duration.ofMillis(200)).count();
        dropped = registry.find("resilientkafka.consumer.duplicates.dropped").counters().stream()
            .mapToDouble(c -> c.count()).sum();
      }
      return (int) dropped;
    }
  }
}
