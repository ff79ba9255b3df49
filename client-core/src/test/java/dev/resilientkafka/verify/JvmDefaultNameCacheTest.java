package dev.resilientkafka.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
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
        await(child.mode + " producing and consuming").atMost(WAIT).until(() -> child.acks(0) > 20 && child.reads(0) > 20);
      }
      long rotated = System.currentTimeMillis();
      cluster.restartAllOnNewIps();
      long lastReady = System.currentTimeMillis();
      for (Child child : List.of(resilient, plain)) {
        await(child.mode + " producing again").atMost(WAIT).until(() -> child.acksAfter(lastReady) > 50);
      }
      long resilientAck = resilient.recoveredAfter(rotated, lastReady, "ACK");
      long resilientRead = resilient.recoveredAfter(rotated, lastReady, "READ");
      long plainAck = plain.recoveredAfter(rotated, lastReady, "ACK");
      long plainRead = plain.recoveredAfter(rotated, lastReady, "READ");
      System.out.printf("JDK-DEFAULTS %s: all brokers restarted on new IPs, last ready %d ms after the kill; every "
              + "partition acked again / read again after the last broker was ready: resilient %d / %d ms (%s), "
              + "plain twin %d / %d ms (%s)%n", label, lastReady - rotated, resilientAck, resilientRead,
          resilient.cacheLine, plainAck, plainRead, plain.cacheLine);
      assertThat(resilient.cacheLine).as("the library set the name cache").contains("networkaddress.cache.ttl=5");
      assertThat(resilientAck).as("producer recovery after the last broker was ready").isLessThanOrEqualTo(3_000);
      assertThat(resilientRead).as("consumer recovery after the last broker was ready").isLessThanOrEqualTo(3_000);
    }
  }

  /** A {@link RotationClient} JVM; ended by closing its stdin, killed if it does not end. */
  private static final class Child implements AutoCloseable {
    final String mode;
    final Process process;
    final Thread shutdownHook;
    final List<String> lines = new CopyOnWriteArrayList<>();
    volatile String cacheLine = "";

    private Child(String mode, Process process) {
      this.mode = mode;
      this.process = process;
      this.shutdownHook = new Thread(process::destroyForcibly);
      Runtime.getRuntime().addShutdownHook(shutdownHook);
      Thread reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null) {
            if (line.startsWith("CACHE")) {
              cacheLine = line;
            }
            lines.add(line);
          }
        } catch (IOException e) {
          // process ended
        }
      }, "child-" + mode);
      reader.setDaemon(true);
      reader.start();
    }

    static Child start(String java, String mode, String bootstrap, String topic) throws IOException {
      List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC"));
      // only the hosts file: the JDK's default name cache, as a user's application has it
      command.add("-Djdk.net.hosts.file=" + System.getProperty("jdk.net.hosts.file"));
      command.addAll(List.of("-cp", System.getProperty("java.class.path"), RotationClient.class.getName(),
          mode, bootstrap, topic));
      Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      return new Child(mode, process);
    }

    long acks(long after) {
      return count("ACK", after);
    }

    long reads(long after) {
      return count("READ", after);
    }

    long acksAfter(long after) {
      return count("ACK", after);
    }

    private long count(String kind, long after) {
      return lines.stream().filter(l -> l.startsWith(kind + " ")).filter(l -> time(l) > after).count();
    }

    /**
     * How long after {@code lastReady} every partition had an event of {@code kind} again (0 when all did
     * before); the rotation began at {@code rotated}.
     */
    long recoveredAfter(long rotated, long lastReady, String kind) {
      Map<Integer, Long> firstAfterRotation = new TreeMap<>();
      for (String line : lines) {
        String[] parts = line.split(" ");
        if (parts[0].equals(kind) && Long.parseLong(parts[2]) > rotated + 500) {
          firstAfterRotation.putIfAbsent(Integer.parseInt(parts[1]), Long.parseLong(parts[2]));
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
      try {
        process.getOutputStream().close();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor();
        }
      } finally {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      }
    }
  }
}
