package dev.resilientkafka.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Short runs of the client JVMs against a real testkit cluster: each client reports acks, CPU per record and
 * latency percentiles, and the library's Admin requests are found over JMX (the plain twin has no Admin
 * client, so it counts none); a resilient client with a spool leaves no spool behind; a spool filled by a JVM
 * that is then killed with SIGKILL is sent in full by the next one.
 */
class ClientJvmSmokeTest {
  private static LocalKafkaCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = LocalKafkaCluster.builder().name("bench-smoke").start();
  }

  @AfterAll
  static void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void eachClientJvmReportsWhatItMeasured(@TempDir Path logs) throws Exception {
    cluster.createTopic("smoke", 3, 3);
    ClientResult plain = ClientJvm.run(ClientSpec.paced(ClientKind.PLAIN, cluster.bootstrapFqdns(), List.of("smoke"),
        1, 200, 2, 2), logs.resolve("plain.log"), null, false);
    ClientResult resilient = ClientJvm.run(ClientSpec.paced(ClientKind.RESILIENT, cluster.bootstrapFqdns(),
        List.of("smoke"), 1, 200, 2, 2), logs.resolve("resilient.log"), null, true);
    for (ClientResult result : List.of(plain, resilient)) {
      assertThat(result.acked()).isGreaterThan(100);
      assertThat(result.failed()).isZero();
      assertThat(result.cpuMicrosPerRecord()).isPositive();
      assertThat(result.p50Millis()).isPositive().isLessThanOrEqualTo(result.p999Millis());
      assertThat(result.histogram()).isNotBlank();
      assertThat(result.producerRequests()).isPositive();
      // warmed up for the spec's 2 s, then at most until the JIT compilers were quiet
      assertThat(result.warmupSeconds()).isBetween(2.0, 2.0 + JitSettle.maxSeconds(2) + JitSettle.SLICE_MILLIS / 1e3);
      assertThat(result.cpuByThread()).containsKeys(ThreadCpuSnapshot.SENDERS, ThreadCpuSnapshot.KAFKA_IO,
          ThreadCpuSnapshot.JIT, ThreadCpuSnapshot.GC);
      assertThat(result.cpuOf(ThreadCpuSnapshot.KAFKA_IO)).isPositive();
    }
    assertThat(resilient.cpuByThread()).containsKey(ThreadCpuSnapshot.DISPATCHER);
    assertThat(plain.cpuByThread()).doesNotContainKey(ThreadCpuSnapshot.DISPATCHER);
    assertThat(plain.adminRequestsBefore() + plain.adminRequests()).isZero();
    // the library read the topic's min.insync.replicas through its shared Admin client
    assertThat(resilient.adminRequestsBefore() + resilient.adminRequests()).isPositive();
    // counted from the clients' debug log inside the window: the produce requests at least
    assertThat(resilient.requestsByApi()).containsKey("Producer PRODUCE");
    assertThat(plain.requestsByApi()).isEmpty();
  }

  @Test
  void aSpooledClientMeasuresAndLeavesNoSpoolBehind(@TempDir Path temp) throws Exception {
    cluster.createTopic("smoke-spooled", 3, 3);
    Path root = temp.resolve("spools");
    ClientResult spooled = ClientJvm.run(ClientSpec.saturate(ClientKind.RESILIENT, cluster.bootstrapFqdns(),
        List.of("smoke-spooled"), 1, 64, 1, 2).withSpool(root.toString(), "100"), temp.resolve("spooled.log"), null,
        false);
    assertThat(spooled.acked()).isPositive();
    assertThat(spooled.failed()).isZero();
    assertThat(root).as("made by the child for its run's spool directory").isDirectory();
    try (Stream<Path> left = Files.list(root)) {
      assertThat(left).as("the run's spool directory, deleted when the child ended").isEmpty();
    }
  }

  @Test
  void aSpoolFilledByAKilledJvmIsSentInFullByTheNext(@TempDir Path temp) throws Exception {
    String topic = "smoke-replay";
    cluster.createTopic(topic, 3, 3);
    String unreachable;
    try (ServerSocket socket = new ServerSocket(0)) {
      unreachable = "127.0.0.1:" + socket.getLocalPort(); // closed again: nothing listens there
    }
    Path dir = temp.resolve("spool");
    ObjectMapper json = new ObjectMapper();
    try (ClientJvm.Child fill = ClientJvm.start(SpoolReplayClient.class, List.of(), List.of("fill", dir.toString(),
        unreachable, topic, "2000", "100"), temp.resolve("fill.log"))) {
      SpoolReplayClient.Filled filled = json.readValue(fill.awaitLine("FILLED ", Duration.ofMinutes(2))
          .substring("FILLED ".length()), SpoolReplayClient.Filled.class);
      assertThat(filled.records()).isEqualTo(2000);
      assertThat(filled.bytes()).isGreaterThan(2000L * 1024);
      assertThat(fill.kill()).as("SIGKILL").isEqualTo(128 + 9);
    }
    try (ClientJvm.Child replay = ClientJvm.start(SpoolReplayClient.class, List.of(), List.of("replay",
        dir.toString(), cluster.bootstrapFqdns(), "100", "120"), temp.resolve("replay.log"))) {
      SpoolReplayClient.Replayed replayed = json.readValue(replay.awaitResult("replay", Duration.ofMinutes(3)),
          SpoolReplayClient.Replayed.class);
      assertThat(replayed.recovered()).isEqualTo(2000);
      assertThat(replayed.remaining()).isZero();
      assertThat(replayed.replaySeconds()).isGreaterThan(replayed.openSeconds());
      assertThat(replayed.cpuSeconds()).isPositive();
    }
    Map<TopicPartition, OffsetSpec> latest = IntStream.range(0, 3).mapToObj(p -> new TopicPartition(topic, p))
        .collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()));
    long inTopic = cluster.admin().listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
        .mapToLong(o -> o.offset()).sum();
    assertThat(inTopic).isEqualTo(2000);
  }
}
