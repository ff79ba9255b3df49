package dev.resilientkafka.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Every process a cluster starts ends with it: on close(), and when its JVM dies without running hooks. */
class ProcessCleanupTest {

  @Test
  void closeEndsEveryNodeProcess() {
    List<Long> pids;
    try (LocalKafkaCluster cluster = LocalKafkaCluster.builder().brokers(1).start()) {
      pids = cluster.processIds();
      assertThat(pids).hasSize(2).allMatch(ProcessCleanupTest::alive);
    }
    assertThat(pids).noneMatch(ProcessCleanupTest::alive);
  }

  @Test
  void nodesHaltWhenTheirParentIsKilledWithSigkill() throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-D" + "jdk.net.hosts.file=" + System.getProperty("jdk.net.hosts.file"));
    command.add("-Dsun.net.inetaddr.ttl=1");
    command.add("-Djava.security.properties=" + System.getProperty("java.security.properties"));
    command.add("-Dresilientkafka.testkit.dir=" + System.getProperty("resilientkafka.testkit.dir", "target/testkit"));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ClusterHolder.class.getName());
    Process holder = new ProcessBuilder(command).redirectErrorStream(true).start();
    List<Long> pids = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("PIDS ")) {
          Arrays.stream(line.substring(5).split(",")).map(Long::parseLong).forEach(pids::add);
          break;
        }
      }
      assertThat(pids).as("PIDs printed by the holder JVM").hasSize(2).allMatch(ProcessCleanupTest::alive);

      holder.destroyForcibly(); // SIGKILL: no shutdown hook runs in the holder
      assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
      await("the holder's nodes to halt").atMost(Duration.ofSeconds(30))
          .until(() -> pids.stream().noneMatch(ProcessCleanupTest::alive));
    } finally {
      holder.destroyForcibly();
      pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** Runs in its own JVM: starts a one-broker cluster, prints its PIDs, then waits to be killed. */
  static final class ClusterHolder {
    public static void main(String[] args) throws Exception {
      LocalKafkaCluster cluster = LocalKafkaCluster.builder().brokers(1).start();
      List<String> pids = cluster.processIds().stream().map(String::valueOf).toList();
      System.out.println("PIDS " + String.join(",", pids));
      System.out.flush();
      new java.util.concurrent.CountDownLatch(1).await(); // until SIGKILL
    }
  }
}
