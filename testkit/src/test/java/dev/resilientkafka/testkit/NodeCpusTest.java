package dev.resilientkafka.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code cpus(...)} keeps every node on the given CPUs, and the PID the testkit signals is the node's JVM. */
class NodeCpusTest {

  @Test
  void everyNodeRunsOnTheGivenCpusOnly() throws IOException {
    try (LocalKafkaCluster cluster = LocalKafkaCluster.builder().brokers(1).cpus("0").start()) {
      assertThat(cluster.processIds()).hasSize(2);
      for (long pid : cluster.processIds()) {
        assertThat(status(pid)).as("PID %d", pid).contains("Cpus_allowed_list:\t0\n");
        // taskset execs the JVM: the PID signals go to is the JVM's own
        String command = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"), StandardCharsets.UTF_8);
        assertThat(command.split("\0")[0]).as("PID %d's program", pid).endsWith("/bin/java");
      }
    }
  }

  @Test
  void aCpuListThatIsNotOneIsRefusedWithTheAcceptedForm() {
    assertThatThrownBy(() -> LocalKafkaCluster.builder().cpus("first"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cpus must be a CPU list such as 0, 0-3 or 0,2; was first");
    assertThat(LocalKafkaCluster.builder().cpus("0-1,3")).isNotNull();
  }

  private static String status(long pid) throws IOException {
    return Files.readString(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.UTF_8);
  }
}
