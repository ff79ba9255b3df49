package dev.resilientkafka.examples.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilientkafka.examples.CliProcess;
import dev.resilientkafka.examples.ExitCodes;
import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Set-up mistakes made at the cluster level, where one topic cannot show them: 3 brokers
 * on 2 zones (zone-a, zone-a, zone-b), {@code min.insync.replicas=3} as the brokers' default (so 3
 * brokers are not min ISR + 1), unclean leader election on by default, {@code __consumer_offsets} to be
 * created with RF 2, brokers advertising pod IPs, no rack-aware replica selector. The doctor, in its own JVM, must FAIL each with its fix and still PASS what is right.
 */
class DoctorMisconfiguredClusterTest {
  private static LocalKafkaCluster cluster;

  @BeforeAll
  static void startCluster() {
    LocalKafkaCluster.Builder builder = LocalKafkaCluster.builder()
        .racks("zone-a", "zone-a", "zone-b")
        .advertisePodIps(true)
        .rackAwareReplicaSelector(false);
    for (String[] setting : new String[][] {
      {"min.insync.replicas", "3"}, {"unclean.leader.election.enable", "true"}, {"offsets.topic.replication.factor", "2"}}) {
      builder.brokerProperty(setting[0], setting[1]).controllerProperty(setting[0], setting[1]);
    }
    cluster = builder.start();
    cluster.createTopic("spread", 3, 3);
  }

  @AfterAll
  static void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void everyClusterLevelMistakeFailsWithItsFix(@TempDir Path dir) throws Exception {
    // the Admin settings come from --command-config, as with Kafka's own tools
    Path config = Files.writeString(dir.resolve("admin.properties"), "client.id=doctor-from-file\nrequest.timeout.ms=8000\n");

    CliProcess.Result result = CliProcess.run("doctor", "--bootstrap-server", cluster.bootstrapFqdns(),
        "--command-config", config.toString());

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.FINDINGS);
    assertThat(DoctorOutput.statuses(result, "broker-count", "cluster")).containsExactly("FAIL");
    assertThat(DoctorOutput.statuses(result, "rack-count", "cluster")).containsExactly("FAIL");
    assertThat(DoctorOutput.statuses(result, "replica-racks", "topic spread")).containsExactly("FAIL");
    assertThat(DoctorOutput.statuses(result, "unclean-election", "brokers [0, 1, 2]")).containsExactly("FAIL");
    assertThat(DoctorOutput.statuses(result, "internal-topics", "topic __consumer_offsets (not created yet)"))
        .containsExactly("FAIL");
    assertThat(DoctorOutput.statuses(result, "min-insync-replicas", "topic spread")).containsExactly("FAIL");
    assertThat(result.stdout()).containsPattern("FAIL +advertised-listeners");
    assertThat(result.stdout()).containsPattern("WARN +replica-selector");
    // what is right stays PASS
    assertThat(DoctorOutput.statuses(result, "replication-factor", "all topics")).containsExactly("PASS");
    assertThat(result.stdout())
        .contains("3 brokers serving (3 registered), highest min.insync.replicas 3", "run at least 4 brokers")
        // the topics take min ISR 3 from the cluster default: on KRaft that is changed as a dynamic default
        .contains("--alter --entity-type brokers --entity-default --add-config min.insync.replicas=2",
            "in the controllers' server.properties")
        .doesNotContain("every broker's server.properties")
        .contains("3 brokers on 2 rack(s) [zone-a, zone-b]", "topologySpreadConstraints")
        .contains("replicas sharing a rack", "kafka-reassign-partitions.sh")
        .contains("offsets.topic.replication.factor=2", "set offsets.topic.replication.factor=3")
        .contains("--entity-default --add-config unclean.leader.election.enable=false");
  }

  @Test
  void commandConfigIsUsedForTheConnection(@TempDir Path dir) throws Exception {
    // TLS against a plaintext listener never completes: proof that the file's settings reach the client
    Path config = Files.writeString(dir.resolve("tls.properties"), "security.protocol=SSL\n");

    CliProcess.Result result = CliProcess.run("doctor", "--bootstrap-server", cluster.bootstrapFqdns(),
        "--command-config", config.toString(), "--timeout-ms", "3000");

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(result.stderr()).contains("cannot reach the cluster", "within 3000 ms");
  }
}
