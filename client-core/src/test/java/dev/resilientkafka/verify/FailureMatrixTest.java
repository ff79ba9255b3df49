package dev.resilientkafka.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The failure matrix and the seeded random fault schedules on one real cluster (3 brokers; topics with 3
 * partitions, RF 3, min ISR 2), every fault applied while a {@link VerifyingProducer} writes at 100
 * records/s through a {@code ResilientProducer} bootstrapped from the headless Service, every topic
 * checked by {@link DeliveryChecker}.
 *
 * <p>The controller fences a silent broker after 5 s ({@code broker.session.timeout.ms}, Kafka's default
 * is 9 s) to keep the suite short; the hard bounces still wait for that fencing before restarting.
 *
 * <p>Random schedules: {@code -Dresilientkafka.seed=N} replays a run. Tagged {@code long}: the normal build
 * leaves this class out, so a replay names the profile: {@code ./mvnw -B -pl client-core -am verify
 * -Plong-tests -Dtest=FailureMatrixTest -Dsurefire.failIfNoSpecifiedTests=false -Dresilientkafka.seed=N}.
 * The long soak is {@link SoakTest}.
 */
@Tag("long")
class FailureMatrixTest {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final List<DeliveryReport> REPORTS = new CopyOnWriteArrayList<>();
  private static LocalKafkaCluster cluster;
  private static DeliveryChecker checker;

  @BeforeAll
  static void startCluster() {
    cluster = VerifyClients.startFaultCluster();
    checker = VerifyClients.checker(cluster);
  }

  @AfterAll
  static void closeCluster() {
    System.out.println("FAILURE MATRIX SUMMARY");
    REPORTS.forEach(DeliveryReport::print);
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void leaveTheClusterHealthy() {
    FaultSchedule.heal(cluster);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(LeaderFault.class)
  void nothingAckedIsLostDuplicatedOrReorderedWhenTheLeaderOfPartitionZeroFails(LeaderFault fault) {
    String topic = "matrix-" + fault.name().toLowerCase(Locale.ROOT).replace('_', '-');
    cluster.createTopic(topic, 3, 3);
    VerifyClients.EventCounts events = new VerifyClients.EventCounts();
    DeliveryReport report;
    try (VerifyingProducer producer = new VerifyingProducer(VerifyClients.producer(cluster, events), topic, 6, 1)) {
      producer.start();
      producer.awaitAckedMore(100, WAIT);
      long start = System.nanoTime();
      fault.inject(new LeaderFault.Context(cluster, new TopicPartition(topic, 0), producer));
      long faultMs = (System.nanoTime() - start) / 1_000_000;
      // the producer keeps getting acks after the faults
      producer.awaitAckedMore(100, WAIT);
      producer.stopAndAwaitCallbacks(WAIT);
      report = checker.check(fault.name(), topic, producer).print();
      System.out.printf("fault %s took %d ms; producer events: resent=%d failed=%d%n", fault, faultMs,
          events.resent.get(), events.failed.get());
    }
    REPORTS.add(report);
    report.assertGuarantees("fault " + fault);
    assertThat(report.failed()).as("records failed although the outage was shorter than the delivery timeout: "
        + report.summary()).isZero();
    assertThat(report.duplicates()).as("duplicates without a re-send after an unknown outcome: " + report.summary())
        .isLessThanOrEqualTo(events.resent.get());
  }

  @Test
  void aShortSeededRandomScheduleLosesNothing() {
    long seed = Long.getLong("resilientkafka.seed", System.nanoTime());
    runSchedule(FaultSchedule.draw(seed, 3, 3, false), "random-short");
  }

  private static void runSchedule(FaultSchedule schedule, String name) {
    runSchedule(cluster, checker, REPORTS, schedule, name);
  }

  /** Runs one schedule on {@code cluster} while a verifying producer writes, and checks the topic. */
  static void runSchedule(LocalKafkaCluster cluster, DeliveryChecker checker, List<DeliveryReport> reports,
      FaultSchedule schedule, String name) {
    try {
      runScheduleOnce(cluster, checker, reports, schedule, name);
    } catch (RuntimeException | AssertionError e) {
      throw new AssertionError("failed with " + schedule + "; replay with -Dresilientkafka.seed=" + schedule.seed(), e);
    }
  }

  private static void runScheduleOnce(LocalKafkaCluster cluster, DeliveryChecker checker,
      List<DeliveryReport> reports, FaultSchedule schedule, String name) {
    System.out.printf("SEED %d (replay with -Dresilientkafka.seed=%d): %s%n", schedule.seed(), schedule.seed(), schedule);
    String topic = name + "-" + schedule.seed();
    cluster.createTopic(topic, 3, 3);
    VerifyClients.EventCounts events = new VerifyClients.EventCounts();
    DeliveryReport report;
    try (VerifyingProducer producer = new VerifyingProducer(VerifyClients.producer(cluster, events), topic, 6, 1)) {
      producer.start();
      producer.awaitAckedMore(100, WAIT);
      schedule.run(cluster, producer);
      producer.awaitAckedMore(100, WAIT);
      producer.stopAndAwaitCallbacks(WAIT);
      report = checker.check(name + "@" + schedule.seed(), topic, producer).print();
    }
    reports.add(report);
    report.assertGuarantees(schedule.toString() + " (replay with -Dresilientkafka.seed=" + schedule.seed() + ")");
    assertThat(report.failed()).as(schedule + ": " + report.summary()).isZero();
    assertThat(report.duplicates()).as(schedule + ": " + report.summary()).isLessThanOrEqualTo(events.resent.get());
  }
}
