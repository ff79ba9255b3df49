package dev.resilientkafka.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What users get with the JDK's default name cache (30 s): every broker killed and restarted on a new
 * address at once, while an application in its own JVM (started with JDK defaults; only the hosts file
 * points at the testkit) produces and consumes. With resilient-kafka's clients it must produce and
 * consume again within 3 s of the last broker being ready, with no setting made by the user, on JDK 17
 * and on JDK 25; the same application with plain clients (the tuned twin) is run beside it and printed.
 */
class JvmDefaultNameCacheTest {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final Path JDK25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
  private static LocalKafkaCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = LocalKafkaCluster.start();
  }

  @AfterAll
  static void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void recoversWithin3sOfTheLastBrokerOnJdk17() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    assertRecovery("jdk17", java);
  }

  @Test
  void recoversWithin3sOfTheLastBrokerOnJdk25() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(JDK25), "no JDK 25 at " + JDK25 + " on this machine");
    assertRecovery("jdk25", JDK25.toString());
  }

  private void assertRecovery(String label, String java) throws Exception {
    String topic = "rotation-" + label;
    cluster.createTopic(topic, 3, 3);
    try (Child resilient = Child.start(java, "resilient", cluster.bootstrapFqdns(), topic);
        Child plain = Child.start(java, "plain", cluster.bootstrapFqdns(), topic)) {
      for (Child child : List.of(resilient, plain)) {
        await(child.mode + " producing and consuming").atMost(WAIT).until(() -> child.count("ACK", 0) > 20
            && child.count("READ", 0) > 20);
      }
      long rotated = System.currentTimeMillis();
      cluster.restartAllOnNewIps();
      // "ready" as a client sees it: every partition takes writes again (leaders elected), shown by a fresh
      // producer in this JVM (1 s name cache, so it knows the new addresses at once): no client can do better
      long lastReady = writableAgain(topic);
      for (Child child : List.of(resilient, plain)) {
        await(child.mode + " producing and consuming again").atMost(WAIT)
            .until(() -> child.partitionsWith("ACK", rotated) == 3 && child.partitionsWith("READ", rotated) == 3);
      }
      long resilientAck = resilient.recoveredAfter(rotated, lastReady, "ACK");
      long resilientRead = resilient.recoveredAfter(rotated, lastReady, "READ");
      long plainAck = plain.recoveredAfter(rotated, lastReady, "ACK");
      long plainRead = plain.recoveredAfter(rotated, lastReady, "READ");
      System.out.printf("JDK-DEFAULTS %s: all brokers restarted on new IPs, every partition writable again %d ms "
              + "after the kill; every partition acked again / read again after that: resilient %d / %d ms (%s), "
              + "plain twin %d / %d ms (%s)%n", label, lastReady - rotated, resilientAck, resilientRead,
          resilient.cacheLine, plainAck, plainRead, plain.cacheLine);
      assertThat(resilient.cacheLine).as("the library set the name cache").contains("networkaddress.cache.ttl=5");
      assertThat(resilientAck).as("producer recovery after the last broker was ready").isLessThanOrEqualTo(3_000);
      assertThat(resilientRead).as("consumer recovery after the last broker was ready").isLessThanOrEqualTo(3_000);
    }
  }

  /** When a new producer of this JVM got every partition of {@code topic} acknowledged (epoch ms). */
  private static long writableAgain(String topic) throws Exception {
    Map<String, Object> config = Map.of("bootstrap.servers", cluster.bootstrapFqdns(), "acks", "all",
        "key.serializer", StringSerializer.class, "value.serializer", StringSerializer.class);
    try (KafkaProducer<String, String> probe = new KafkaProducer<>(config)) {
      for (int partition = 0; partition < 3; partition++) {
        probe.send(new ProducerRecord<>(topic, partition, "probe", "probe")).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      }
    }
    return System.currentTimeMillis();
  }

  /** A {@link RotationClient} JVM started with JDK defaults (only the hosts file). */
  private static final class Child implements AutoCloseable {
    final String mode;
    final ChildJvm jvm;
    final String cacheLine;

    private Child(String mode, ChildJvm jvm) {
      this.mode = mode;
      this.jvm = jvm;
      await(mode + " started").atMost(WAIT).until(() -> !jvm.linesStartingWith("CACHE ").isEmpty());
      this.cacheLine = "CACHE " + jvm.linesStartingWith("CACHE ").get(0);
    }

    static Child start(String java, String mode, String bootstrap, String topic) throws IOException {
      // only the hosts file: the JDK's default name cache, as a user's application has it
      return new Child(mode, ChildJvm.start(mode, java, List.of("-Djdk.net.hosts.file=" + System.getProperty("jdk.net.hosts.file")),
          RotationClient.class, mode, bootstrap, topic));
    }

    /** Partitions with an event of {@code kind} more than 500 ms after {@code after}. */
    long partitionsWith(String kind, long after) {
      return jvm.linesStartingWith(kind + " ").stream().filter(l -> time(l) > after + 500)
          .map(l -> l.substring(0, l.indexOf(' '))).distinct().count();
    }

    long count(String kind, long after) {
      return jvm.linesStartingWith(kind + " ").stream().filter(l -> time(l) > after).count();
    }

    /**
     * How long after {@code lastReady} every partition had an event of {@code kind} again (0 when all did
     * before); the rotation began at {@code rotated}.
     */
    long recoveredAfter(long rotated, long lastReady, String kind) {
      Map<Integer, Long> firstAfterRotation = new TreeMap<>();
      for (String line : jvm.linesStartingWith(kind + " ")) {
        String[] parts = line.split(" ");
        if (Long.parseLong(parts[1]) > rotated + 500) {
          firstAfterRotation.putIfAbsent(Integer.parseInt(parts[0]), Long.parseLong(parts[1]));
        }
      }
      assertThat(firstAfterRotation).as(mode + " " + kind + " on every partition after the rotation").hasSize(3);
      return Math.max(0, firstAfterRotation.values().stream().mapToLong(Long::longValue).max().orElseThrow() - lastReady);
    }

    private static long time(String line) {
      return Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
    }

    @Override
    public void close() throws Exception {
      jvm.close();
    }
  }
}
