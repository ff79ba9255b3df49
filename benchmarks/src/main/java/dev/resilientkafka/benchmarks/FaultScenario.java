package dev.resilientkafka.benchmarks;

import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;

/**
 * Faults on a 3-broker testkit cluster with both clients producing beside each other: the tuned twin and
 * the resilient producer each send keyed 1 KiB records at the same offered rate to their own topic (6
 * partitions, RF 3, {@code min.insync.replicas=2}) while the partition leader is SIGSTOPped and then every
 * broker is killed and restarted on a new IP at once (the full schedule adds a rolling restart on new
 * IPs, a SIGKILLed leader and two brokers down); then both topics are read back for lost and duplicated
 * records. Not thread-safe; one run at a time.
 */
public final class FaultScenario {
  private static final Duration WAIT = Duration.ofSeconds(180);
  private static final int VALUE_BYTES = 1024;

  private final ChurnSchedule schedule;
  private final List<FaultWindow> windows = new ArrayList<>();
  private long startNanos;
  private double healed;

  /** A run following {@code schedule}. */
  public FaultScenario(ChurnSchedule schedule) {
    this.schedule = schedule;
  }

  /**
   * Everything the run measured.
   *
   * @param clients each client's outcome over the whole run
   * @param faults the faults and their windows
   * @param gaps per fault and client: the longest pause in acknowledgements
   */
  public record Result(List<ClientOutcome> clients, List<FaultWindow> faults, List<FaultGap> gaps) {}

  /**
   * One client's longest pause in acknowledgements around one fault.
   *
   * @param fault the fault's label
   * @param client {@code plain} or {@code resilient}
   * @param longestGapMillis longest gap overlapping the fault's window (start to whole again plus settle)
   * @param resumedAfterHealMillis from the fault being undone until the end of that gap (0 if it ended before)
   */
  public record FaultGap(String fault, String client, double longestGapMillis, double resumedAfterHealMillis) {}

  /** Starts a cluster, runs the faults, reads back, closes the cluster. */
  public Result run() throws InterruptedException {
    try (LocalKafkaCluster cluster = BenchClusters.builder("bench-faults").start()) {
      for (ClientKind kind : ClientKind.values()) {
        cluster.createTopic(new NewTopic("faults-" + kind.label(), 6, (short) 3)
            .configs(Map.of("min.insync.replicas", "2")));
      }
      startNanos = System.nanoTime();
      List<PacedProducer> runs = new ArrayList<>();
      for (ClientKind kind : ClientKind.values()) {
        runs.add(new PacedProducer(kind.label(), kind.create(cluster.bootstrapFqdns(), "faults-" + kind.label(),
            Map.of()), "faults-" + kind.label(), schedule.rate(), true, VALUE_BYTES, startNanos, null));
      }
      try {
        script(cluster);
      } finally {
        runs.forEach(PacedProducer::stopOffering);
      }
      int seconds = (int) Math.ceil(secondsSinceStart());
      List<ClientOutcome> outcomes = new ArrayList<>();
      for (PacedProducer run : runs) {
        boolean done = run.awaitCompletion(Duration.ofSeconds(150));
        BenchmarkSuite.log("%s: %d accepted, %d acked, %d failed%s", run.name(), run.accepted(), run.acked(),
            run.failed(), done ? "" : " (some still pending after 150 s)");
        run.close();
        TopicAudit audit = TopicAudit.read(cluster.bootstrapFqdns(), "faults-" + run.name(), run.offered(), run.refused());
        outcomes.add(ClientOutcome.of(run, audit, seconds));
      }
      List<FaultGap> gaps = new ArrayList<>();
      for (int w = 0; w < windows.size(); w++) {
        FaultWindow window = windows.get(w);
        for (PacedProducer run : runs) {
          // settle time after the fault, but never into the next fault: a gap still open when the next fault
          // began is that fault's
          double to = window.endSecond() + schedule.settle();
          double endBy = Double.POSITIVE_INFINITY;
          if (w + 1 < windows.size()) {
            to = Math.min(to, windows.get(w + 1).startSecond());
            endBy = windows.get(w + 1).startSecond();
          }
          double longest = run.timeline().longestGapMillis(window.startSecond(), to, endBy);
          double gapEnd = run.timeline().gapEndSecond(window.startSecond(), to, endBy);
          gaps.add(new FaultGap(window.label(), run.name(), longest,
              Double.isNaN(gapEnd) ? 0 : Math.max(0, (gapEnd - window.healedSecond()) * 1000)));
        }
      }
      return new Result(outcomes, List.copyOf(windows), gaps);
    }
  }

  private void script(LocalKafkaCluster cluster) throws InterruptedException {
    TopicPartition first = new TopicPartition("faults-plain", 0);
    pauseSeconds(schedule.baseline());

    int paused = cluster.leaderOf(first);
    window("SIGSTOP leader kafka-" + paused + " " + schedule.pausedFor() + " s", () -> {
      cluster.pause(paused);
      pauseSeconds(schedule.pausedFor());
      cluster.resume(paused);
      healed();
      cluster.awaitFullyReplicated(WAIT);
    });
    pauseSeconds(schedule.settle());

    window("all brokers killed, restarted on new IPs at once", () -> {
      cluster.restartAllOnNewIps();
      healed();
      cluster.awaitFullyReplicated(WAIT);
    });
    pauseSeconds(schedule.settle());

    if (!schedule.moreFaults()) {
      return;
    }
    window("rolling restart, new IPs", () -> {
      cluster.rollingRestartOnNewIps();
      healed();
    });
    pauseSeconds(schedule.settle());

    int killed = cluster.leaderOf(first);
    window("SIGKILL leader kafka-" + killed + " " + schedule.killedFor() + " s", () -> {
      cluster.kill(killed);
      pauseSeconds(schedule.killedFor());
      cluster.start(killed);
      cluster.awaitReady(killed, WAIT);
      healed();
      cluster.awaitFullyReplicated(WAIT);
    });
    pauseSeconds(schedule.settle());

    window("kafka-1 + kafka-2 down " + schedule.twoDownFor() + " s", () -> {
      cluster.stop(1);
      cluster.stop(2);
      pauseSeconds(schedule.twoDownFor());
      cluster.start(1);
      cluster.start(2);
      cluster.awaitReady(1, WAIT);
      cluster.awaitReady(2, WAIT);
      healed();
      cluster.awaitFullyReplicated(WAIT);
    });
    pauseSeconds(schedule.settle());
  }

  private interface Step {
    void run() throws InterruptedException;
  }

  private void healed() {
    healed = secondsSinceStart();
  }

  private void window(String label, Step step) throws InterruptedException {
    double from = secondsSinceStart();
    BenchmarkSuite.log("fault: %s", label);
    step.run();
    double to = secondsSinceStart();
    windows.add(new FaultWindow(label, from, healed, to));
    BenchmarkSuite.log("fault over: %s (%.1f s .. healed %.1f s .. whole %.1f s)", label, from, healed, to);
  }

  private double secondsSinceStart() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  static void pauseSeconds(int seconds) throws InterruptedException {
    TimeUnit.SECONDS.sleep(seconds); // the schedule's own timing, not a wait for a condition
  }
}
