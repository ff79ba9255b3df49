package dev.resilientkafka.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.resilientkafka.ResilientProducer;
import dev.resilientkafka.metrics.MicrometerProducerMetrics;
import dev.resilientkafka.testkit.LocalKafkaCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A partition leader drained (SIGTERM), hung (SIGSTOP) or killed with records in flight (SIGKILL): a
 * ResilientProducer and a plain KafkaProducer write the same keyed workload at the same
 * time; nothing the resilient producer accepted is lost, duplicated or reordered per key.
 */
class ResilientProducerLeaderFaultsTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final int RATE = 200;
  private static LocalKafkaCluster cluster;

  static {
    QuietKafkaLogs.apply();
  }

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
  void leaderDrainedNothingLost() throws Exception {
    runLeaderFault("leader-drained", "leader drained (SIGTERM)", cluster::stop, cluster::start, false);
  }

  @Test
  void leaderPausedNothingLost() throws Exception {
    runLeaderFault("leader-paused", "leader hung (SIGSTOP)", cluster::pause, cluster::resume, true);
  }

  /** The leader dies (SIGKILL) with records of its partitions in flight; per-key order holds. */
  @Test
  void leaderKilledWithRecordsInFlightKeepsPerKeyOrder() throws Exception {
    runLeaderFault("leader-killed", "leader killed (SIGKILL) with records in flight", cluster::kill, cluster::start,
        false);
  }

  /**
   * @param hung whether the leader stops answering without closing its connections: then the records it
   *     holds in flight wait out the request timeout, 15 s in the library and Kafka's default 30 s in the
   *     plain producer, and partition 0 must be written through its new leader by the library first
   */
  private void runLeaderFault(String topic, String label, IntConsumer fault, IntConsumer heal, boolean hung)
      throws Exception {
    cluster.createTopic(topic, 3, 3);
    TopicPartition partition0 = new TopicPartition(topic, 0);
    int leader = cluster.leaderOf(partition0);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RemovedMeters meters = new RemovedMeters(registry);
    ResilientProducer<String, String> resilient = ResilientProducer.<String, String>builder()
        .bootstrapServers(cluster.bootstrapFqdns())
        .serializers(new StringSerializer(), new StringSerializer())
        .listener(new MicrometerProducerMetrics(registry))
        .build();
    KafkaProducer<String, String> plain = plainProducer();
    KeyedWorkload resilientLoad = new KeyedWorkload(resilient, topic, "r", RATE);
    KeyedWorkload plainLoad = new KeyedWorkload(plain, topic, "p", RATE);
    try {
      await().atMost(WAIT).until(() -> resilientLoad.outcomes.acked() > RATE && plainLoad.outcomes.acked() > RATE);
      fault.accept(leader);
      long faultStart = System.nanoTime();
      // counted from the fault: partition 0's leader acknowledges nothing from here until it is replaced
      int resilientOnPartition0 = resilientLoad.outcomes.ackedOn(0);
      int plainOnPartition0 = plainLoad.outcomes.ackedOn(0);
      // the fault lasts until partition 0 has a new leader and the library wrote records through it
      int newLeader = cluster.awaitLeaderChange(partition0, leader, WAIT);
      long leaderChangedMs = (System.nanoTime() - faultStart) / 1_000_000;
      // when each client first acked a quarter second's records on partition 0 after the change, polled
      // together so that neither time is taken after waiting for the other
      long[] resumedMs = {-1, -1};
      await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
        long now = (System.nanoTime() - faultStart) / 1_000_000;
        if (resumedMs[0] < 0 && resilientLoad.outcomes.ackedOn(0) > resilientOnPartition0 + RATE / 4) {
          resumedMs[0] = now;
        }
        if (resumedMs[1] < 0 && plainLoad.outcomes.ackedOn(0) > plainOnPartition0 + RATE / 4) {
          resumedMs[1] = now;
        }
        return resumedMs[0] >= 0 && (!hung || resumedMs[1] >= 0);
      });
      System.out.printf("%s: partition 0 led by broker %d instead of %d after %d ms; written through it %d ms after"
          + " the fault by the library, %s by the plain producer (request.timeout.ms 30 s)%n", label, newLeader, leader,
          leaderChangedMs, resumedMs[0], resumedMs[1] < 0 ? "not yet" : resumedMs[1] + " ms");
      if (hung) {
        // fenced after 5 s here, then the requests held by the hung leader time out: 15 s against 30 s
        assertThat(resumedMs[0]).as("partition 0 written through its new leader by the library (request timeout"
            + " 15 s) well before a producer with Kafka's 30 s").isLessThan(22_000).isLessThan(resumedMs[1] - 8_000);
      }
      heal.accept(leader);
      cluster.awaitReady(leader, WAIT);
      System.out.printf("%s: broker %d faulted for %d ms%n", label, leader, (System.nanoTime() - faultStart) / 1_000_000);
      await().atMost(WAIT).until(() -> resilientLoad.outcomes.acked() > resilientLoad.sent() - RATE);
    } finally {
      resilientLoad.close();
      plainLoad.close();
    }
    resilient.flush();
    plain.flush();
    await().atMost(WAIT).until(() -> resilientLoad.outcomes.completed() == resilientLoad.sent()
        && plainLoad.outcomes.completed() == plainLoad.sent());
    resilient.close(Duration.ofSeconds(10));
    plain.close(Duration.ofSeconds(10));

    TopicContents contents = TopicContents.read(cluster.bootstrapFqdns(), topic, WAIT);
    int resilientInTopic = contents.assertExactlyOnceInKeyOrder(resilientLoad, true);
    System.out.printf("%s: resilient sent %d, acked %d, failed %d, in topic %d, longest ack gap %d ms, recovered %.0f%n",
        label, resilientLoad.sent(), resilientLoad.outcomes.acked(), resilientLoad.outcomes.failures().size(),
        resilientInTopic, resilientLoad.outcomes.longestAckGapMs(),
        meters.count("resilientkafka.producer.records.recovered", null, null));
    System.out.printf("%s: plain     sent %d, acked %d, failed %d, in topic %d, longest ack gap %d ms%n",
        label, plainLoad.sent(), plainLoad.outcomes.acked(), plainLoad.outcomes.failures().size(),
        contents.of("p").size(), plainLoad.outcomes.longestAckGapMs());
    assertThat(resilientLoad.thrown()).as("nothing thrown to the application").isNull();
    assertThat(resilientLoad.outcomes.failures()).as("no record failed").isEmpty();
    assertThat(resilientInTopic).isEqualTo(resilientLoad.sent());
    resilientLoad.outcomes.assertNoCallbackTwice();
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
