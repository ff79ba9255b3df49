package dev.resilientkafka.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The long soak: seeded random fault schedules (two brokers down at times) one after another for {@code
 * -Dresilientkafka.soak.minutes} (default 30). Not part of the normal build (the surefire configuration
 * excludes {@code *SoakTest}); run it with {@code ./mvnw -B -pl client-core -am verify -Dtest=SoakTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dresilientkafka.soak.minutes=30}. {@code -Dresilientkafka.seed=N}
 * replays a run.
 */
class SoakTest {
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
    System.out.println("SOAK SUMMARY");
    REPORTS.forEach(DeliveryReport::print);
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void randomFaultSchedulesForMinutesLoseNothing() {
    long minutes = Long.getLong("resilientkafka.soak.minutes", 30);
    long end = System.nanoTime() + Duration.ofMinutes(minutes).toNanos();
    long seed = Long.getLong("resilientkafka.seed", System.nanoTime());
    int round = 0;
    while (System.nanoTime() < end) {
      FailureMatrixTest.runSchedule(cluster, checker, REPORTS, FaultSchedule.draw(seed + round, 5, 3, true), "soak-" + round);
      FaultSchedule.heal(cluster);
      round++;
    }
    assertThat(round).isPositive();
  }
}
