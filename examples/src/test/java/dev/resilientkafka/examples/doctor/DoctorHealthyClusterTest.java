package dev.resilientkafka.examples.doctor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.resilientkafka.examples.CliProcess;
import dev.resilientkafka.examples.ExitCodes;
import dev.resilientkafka.testkit.BrokerState;
import dev.resilientkafka.testkit.LocalBroker;
import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code resilient-kafka doctor} in its own JVM against the testkit's cluster laid out as recommended
 * (3 brokers in zone-a/b/c, RF 3, min ISR 2, per-pod FQDNs, rack-aware selector): every check PASSes,
 * then each test breaks one rule on a topic of its own and sees its FAIL (or WARN) with the fix, and
 * {@code --drain} answers with all brokers up and with one down. Every test leaves the cluster as it
 * found it: only {@code orders}, every broker up and in sync.
 */
class DoctorHealthyClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String ORDERS = "orders";
  private static LocalKafkaCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = LocalKafkaCluster.start();
    cluster.createTopic(ORDERS, 3, 3);
    // a committed offset makes the brokers create __consumer_offsets, so it is judged as a real topic
    cluster.admin().alterConsumerGroupOffsets("doctor-test", Map.of(new TopicPartition(ORDERS, 0), new OffsetAndMetadata(0)))
        .all().get(30, TimeUnit.SECONDS);
    cluster.awaitFullyReplicated(WAIT);
  }

  @AfterAll
  static void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void backToOnlyOrdersEveryBrokerUpAndInSync() throws Exception {
    for (LocalBroker broker : cluster.brokers()) {
      if (broker.state() != BrokerState.RUNNING) {
        cluster.start(broker.id());
      }
    }
    cluster.awaitAllReady(WAIT);
    cluster.awaitFullyReplicated(WAIT);
    Set<String> extra = new java.util.HashSet<>(cluster.admin().listTopics().names().get(10, TimeUnit.SECONDS));
    extra.remove(ORDERS);
    if (!extra.isEmpty()) {
      cluster.admin().deleteTopics(extra).all().get(30, TimeUnit.SECONDS);
      await().atMost(WAIT).until(() -> {
        Set<String> names = cluster.admin().listTopics().names().get(10, TimeUnit.SECONDS);
        return names.stream().noneMatch(extra::contains);
      });
    }
  }

  private static CliProcess.Result doctor(String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of("doctor", "--bootstrap-server", cluster.bootstrapFqdns()));
    args.addAll(List.of(extra));
    return CliProcess.run(args.toArray(String[]::new));
  }

  @Test
  void theRecommendedLayoutPassesEveryCheck() {
    CliProcess.Result result = doctor();

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.OK);
    for (Check check : DoctorChecks.standard()) {
      List<String> rows = DoctorOutput.rows(result, check.id());
      assertThat(rows).as(check.id() + " in\n" + result).isNotEmpty().allMatch(row -> row.startsWith("PASS"));
    }
    assertThat(result.stdout()).doesNotContain("WARN ", "FAIL ", "fix:")
        .contains("0 WARN, 0 FAIL")
        .contains("(--bootstrap-server): 3 broker(s) registered, 3 serving, none fenced, expected unknown")
        .contains("kafka-0.kafka-svc.default.svc.cluster.local", "[zone-a, zone-b, zone-c]")
        .contains("topic __consumer_offsets", "replication factor 3, min.insync.replicas 2")
        .contains("__transaction_state (not created yet)");
  }

  @Test
  void replicationFactorTwoFailsWithTheReassignmentFix() {
    cluster.createTopic("rf-two", 2, 2);

    CliProcess.Result result = doctor();

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.FINDINGS);
    assertThat(DoctorOutput.statuses(result, "replication-factor", "topic rf-two")).containsExactly("FAIL");
    assertThat(DoctorOutput.statuses(result, "replication-factor", "topic orders")).isEmpty();
    assertThat(result.stdout()).contains("replication factor 2 < 3", "kafka-reassign-partitions.sh");
  }

  @Test
  void minIsrEqualToReplicationFactorFailsAndMinIsrOneWarns() {
    cluster.createTopic(new NewTopic("minisr-equals-rf", 1, (short) 3).configs(Map.of("min.insync.replicas", "3")));
    cluster.createTopic(new NewTopic("minisr-one", 1, (short) 3).configs(Map.of("min.insync.replicas", "1")));

    CliProcess.Result result = doctor();

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.FINDINGS);
    assertThat(DoctorOutput.statuses(result, "min-insync-replicas", "topic minisr-equals-rf")).containsExactly("FAIL");
    assertThat(DoctorOutput.statuses(result, "min-insync-replicas", "topic minisr-one")).containsExactly("WARN");
    assertThat(DoctorOutput.statuses(result, "replication-factor", "all topics")).containsExactly("PASS");
    assertThat(result.stdout()).contains("min.insync.replicas 3 >= replication factor 3",
        "--entity-name minisr-equals-rf --add-config min.insync.replicas=2");
  }

  @Test
  void aWarnAloneStillExitsZero() {
    cluster.createTopic(new NewTopic("minisr-one", 1, (short) 3).configs(Map.of("min.insync.replicas", "1")));

    CliProcess.Result result = doctor();

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.OK);
    assertThat(result.stdout()).contains("1 WARN, 0 FAIL");
  }

  @Test
  void uncleanLeaderElectionOnATopicFails() {
    cluster.createTopic(new NewTopic("unclean", 1, (short) 3).configs(Map.of("unclean.leader.election.enable", "true")));

    CliProcess.Result result = doctor();

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.FINDINGS);
    assertThat(DoctorOutput.statuses(result, "unclean-election", "topic unclean")).containsExactly("FAIL");
    assertThat(DoctorOutput.rows(result, "unclean-election")).hasSize(1);
    assertThat(result.stdout()).contains("--entity-name unclean --delete-config unclean.leader.election.enable");
  }

  @Test
  void consumerOffsetsWithMinIsrEqualToItsReplicationFactorFails() throws Exception {
    ConfigResource offsets = new ConfigResource(ConfigResource.Type.TOPIC, "__consumer_offsets");
    alter(offsets, new AlterConfigOp(new ConfigEntry("min.insync.replicas", "3"), AlterConfigOp.OpType.SET));
    try {
      CliProcess.Result result = doctor();

      assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.FINDINGS);
      assertThat(DoctorOutput.statuses(result, "internal-topics", "topic __consumer_offsets")).containsExactly("FAIL");
      assertThat(result.stdout()).contains("min.insync.replicas 3 >= replication factor 3");
    } finally {
      alter(offsets, new AlterConfigOp(new ConfigEntry("min.insync.replicas", ""), AlterConfigOp.OpType.DELETE));
    }
  }

  @Test
  void drainWithEveryBrokerUpIsSafe() {
    CliProcess.Result result = doctor("--drain", "0");

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.OK);
    assertThat(result.stdout()).startsWith("drain broker 0: yes").contains("no partition drops below min.insync.replicas");
  }

  @Test
  void drainOfAnUnknownBrokerIsAUsageError() {
    CliProcess.Result result = doctor("--drain", "7");

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.stderr()).contains("invalid value 7 for --drain: broker 7 is not in the cluster; brokers: [0, 1, 2]");
  }

  @Test
  void withOneBrokerDownPartitionsAtOrBelowMinIsrAreReportedAndNoOtherBrokerMayBeDrained() {
    // RF 2 on brokers 1 and 2 with min ISR 2: below min ISR as soon as broker 1 is gone
    cluster.createTopic(new NewTopic("fragile", Map.of(0, List.of(1, 2))).configs(Map.of("min.insync.replicas", "2")));
    long start = System.nanoTime();
    cluster.stop(1);
    for (int p = 0; p < 3; p++) {
      cluster.awaitIsrSize(new TopicPartition(ORDERS, p), 2, WAIT);
    }
    cluster.awaitIsrSize(new TopicPartition("fragile", 0), 1, WAIT);
    System.out.printf("broker 1 stopped and out of every ISR in %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));

    CliProcess.Result doctor = doctor();
    assertThat(doctor.exitCode()).as(doctor.toString()).isEqualTo(ExitCodes.FINDINGS);
    assertThat(DoctorOutput.statuses(doctor, "isr-now", "topic fragile")).containsExactly("FAIL");
    assertThat(DoctorOutput.statuses(doctor, "isr-now", "topic orders")).containsExactly("WARN");
    // the stopped broker is still registered (fenced): a finding of its own, and two serving brokers with min
    // ISR 2 leave no room for another loss
    assertThat(DoctorOutput.statuses(doctor, "broker-count", "broker 1")).containsExactly("FAIL");
    assertThat(DoctorOutput.statuses(doctor, "broker-count", "cluster")).containsExactly("FAIL");
    assertThat(doctor.stdout()).contains("3 broker(s) registered, 2 serving, 1 not serving (1 (kafka-1.",
        "is registered but fenced", "2 brokers serving (3 registered, 1 not serving)",
        "losing any broker stops acks=all writes", "fix: bring broker(s) 1 back");
    assertThat(doctor.stdout()).contains("fragile-0 isr [2] of [1, 2]", "--under-min-isr-partitions", "--at-min-isr-partitions");

    CliProcess.Result drain0 = doctor("--drain", "0");
    assertThat(drain0.exitCode()).as(drain0.toString()).isEqualTo(ExitCodes.FINDINGS);
    assertThat(drain0.stdout()).startsWith("drain broker 0: no")
        .contains("orders-0", "orders-1", "orders-2", "rejoin the ISR", "on brokers [1]")
        .contains("Already below min.insync.replicas without broker 0", "fragile-0");

    CliProcess.Result drain2 = doctor("--drain", "2");
    assertThat(drain2.exitCode()).as(drain2.toString()).isEqualTo(ExitCodes.FINDINGS);
    assertThat(drain2.stdout()).startsWith("drain broker 2: no").contains("orders-0", "fragile-0");

    // the stopped broker is in no ISR: taking it down changes nothing
    CliProcess.Result drain1 = doctor("--drain", "1");
    assertThat(drain1.exitCode()).as(drain1.toString()).isEqualTo(ExitCodes.OK);
    assertThat(drain1.stdout()).startsWith("drain broker 1: yes");
  }

  @Test
  void throughTheHeadlessServiceTheDoctorExpectsThePodsItLists() {
    CliProcess.Result result = CliProcess.run("doctor", "--bootstrap-service", cluster.serviceBootstrap(),
        "--dns-server", dnsServer());

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.OK);
    assertThat(result.stdout()).contains("(--bootstrap-service " + cluster.serviceBootstrap() + " via DNS server ",
        "3 broker(s) registered, 3 serving, none fenced, 3 expected (the pods of " + cluster.serviceBootstrap() + " in DNS)");
    assertThat(DoctorOutput.statuses(result, "broker-count", "cluster")).containsExactly("PASS");
  }

  @Test
  void fewerBrokersRegisteredThanExpectedFails() {
    CliProcess.Result result = doctor("--expected-brokers", "4");

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.FINDINGS);
    assertThat(DoctorOutput.statuses(result, "broker-count", "cluster")).containsExactly("FAIL");
    assertThat(result.stdout()).contains("4 brokers expected from --expected-brokers, only 3 registered (0, 1, 2)");
  }

  @Test
  void aServiceTheDnsServerDoesNotKnowIsNamedWithTheDnsServer() {
    CliProcess.Result result = CliProcess.run("doctor", "--bootstrap-service", "no-such-svc", "--dns-server", dnsServer(),
        "--timeout-ms", "3000");

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(result.stderr()).contains("no-such-svc", "via DNS server " + dnsServer(), "NXDOMAIN")
        .doesNotContain("KafkaAdminClient");
  }

  private static String dnsServer() {
    return cluster.dnsAddress().getHostString() + ":" + cluster.dnsAddress().getPort();
  }

  private static void alter(ConfigResource resource, AlterConfigOp op) throws Exception {
    Map<ConfigResource, Collection<AlterConfigOp>> ops = Map.of(resource, List.of(op));
    cluster.admin().incrementalAlterConfigs(ops).all().get(30, TimeUnit.SECONDS);
    String expected = op.opType() == AlterConfigOp.OpType.SET ? op.configEntry().value() : "2";
    await().atMost(WAIT).until(() -> Optional.ofNullable(cluster.admin().describeConfigs(List.of(resource)).all()
        .get(10, TimeUnit.SECONDS).get(resource).get("min.insync.replicas")).map(ConfigEntry::value).orElse(""),
        expected::equals);
  }
}
