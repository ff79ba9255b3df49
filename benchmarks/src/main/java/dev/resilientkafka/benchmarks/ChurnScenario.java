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
 * The scripted churn run on a 3-broker testkit cluster: both clients produce keyed records at the same
 * offered rate to their own topic (6 partitions, RF 3, {@code min.insync.replicas=2}) while the cluster
 * goes through a rolling restart on new IPs, a SIGKILLed leader, a leader SIGSTOPped for 20 s and two
 * brokers down together; then both topics are read back. Afterwards, on the same cluster, the time a
 * moved broker takes to get its first ack. Not thread-safe; one run at a time.
 */
public final class ChurnScenario {
  private static final Duration WAIT = Duration.ofSeconds(180);
  private static final int VALUE_BYTES = 100;

  private final ChurnSchedule schedule;
  private final List<FaultWindow> windows = new ArrayList<>();
  private long startNanos;

  /** A run following {@code schedule}. */
  public ChurnScenario(ChurnSchedule schedule) {
    this.schedule = schedule;
  }

  /** Everything the churn run measured. */
  public record Result(List<ClientOutcome> clients, List<FaultWindow> faults, int seconds,
      List<MovedBrokerResult> movedBroker) {}

  /**
   * Time from a broker being ready again on its new address to the first ack from a partition it alone
   * holds.
   *
   * @param client {@code plain} or {@code resilient}
   * @param restartMillis from the start of the move until the broker was ready
   * @param firstAckAfterReadyMillis from ready until the client's first ack (negative: none within 60 s)
   */
  public record MovedBrokerResult(String client, long restartMillis, long firstAckAfterReadyMillis) {}

  /** Starts a cluster, runs the schedule, reads back, measures a move, closes the cluster. */
  public Result run() throws InterruptedException {
    try (LocalKafkaCluster cluster = LocalKafkaCluster.builder().name("bench-churn").start()) {
      for (ClientKind kind : ClientKind.values()) {
        cluster.createTopic(new NewTopic("churn-" + kind.label(), 6, (short) 3)
            .configs(Map.of("min.insync.replicas", "2")));
      }
      startNanos = System.nanoTime();
      List<PacedProducer> runs = new ArrayList<>();
      for (ClientKind kind : ClientKind.values()) {
        runs.add(new PacedProducer(kind.label(), kind.create(cluster.bootstrapFqdns(), "churn-" + kind.label(), Map.of()),
            "churn-" + kind.label(), schedule.rate(), true, VALUE_BYTES, startNanos, null));
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
        log("%s: %d accepted, %d acked, %d failed%s", run.name(), run.accepted(), run.acked(), run.failed(),
            done ? "" : " (some still pending after 150 s)");
        run.close();
        TopicAudit audit = TopicAudit.read(cluster.bootstrapFqdns(), "churn-" + run.name(), run.offered(), run.refused());
        outcomes.add(ClientOutcome.of(run, audit, seconds));
      }
      List<MovedBrokerResult> moved = movedBroker(cluster);
      return new Result(outcomes, List.copyOf(windows), seconds, moved);
    }
  }

  private void script(LocalKafkaCluster cluster) throws InterruptedException {
    TopicPartition first = new TopicPartition("churn-plain", 0);
    pauseSeconds(schedule.baseline());

    window("rolling restart, new IPs", cluster::rollingRestartOnNewIps);
    pauseSeconds(schedule.settle());

    int killed = cluster.leaderOf(first);
    window("SIGKILL leader kafka-" + killed, () -> {
      cluster.kill(killed);
      pauseSeconds(schedule.killedFor());
      cluster.start(killed);
      whole(cluster, killed);
    });
    pauseSeconds(schedule.settle());

    int paused = cluster.leaderOf(first);
    window("SIGSTOP leader kafka-" + paused + " " + schedule.pausedFor() + " s", () -> {
      cluster.pause(paused);
      pauseSeconds(schedule.pausedFor());
      cluster.resume(paused);
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
      cluster.awaitFullyReplicated(WAIT);
    });
    pauseSeconds(schedule.settle());
  }

  private static void whole(LocalKafkaCluster cluster, int id) {
    cluster.awaitReady(id, WAIT);
    cluster.awaitFullyReplicated(WAIT);
  }

  private List<MovedBrokerResult> movedBroker(LocalKafkaCluster cluster) throws InterruptedException {
    List<PacedProducer> runs = new ArrayList<>();
    for (ClientKind kind : ClientKind.values()) {
      String topic = "moved-" + kind.label();
      // one replica, on kafka-0 only: the partition is served by the moved broker or by nobody
      cluster.createTopic(new NewTopic(topic, Map.of(0, List.of(0))));
      runs.add(new PacedProducer(kind.label(), kind.create(cluster.bootstrapFqdns(), topic, Map.of()), topic, 100,
          false, VALUE_BYTES, System.nanoTime(), null));
    }
    List<MovedBrokerResult> results = new ArrayList<>();
    try {
      pauseSeconds(5);
      long begin = System.nanoTime();
      cluster.restartOnNewIp(0);
      cluster.awaitReady(0, WAIT);
      long ready = System.nanoTime();
      long[] before = runs.stream().mapToLong(PacedProducer::acked).toArray();
      long[] firstAck = new long[runs.size()];
      java.util.Arrays.fill(firstAck, -1);
      long deadline = ready + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline && java.util.Arrays.stream(firstAck).anyMatch(t -> t < 0)) {
        for (int i = 0; i < runs.size(); i++) {
          if (firstAck[i] < 0 && runs.get(i).acked() > before[i]) {
            firstAck[i] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ready);
          }
        }
        TimeUnit.MILLISECONDS.sleep(2);
      }
      for (int i = 0; i < runs.size(); i++) {
        results.add(new MovedBrokerResult(runs.get(i).name(), TimeUnit.NANOSECONDS.toMillis(ready - begin), firstAck[i]));
        log("moved broker: %s first ack %d ms after ready (restart took %d ms)", runs.get(i).name(), firstAck[i],
            TimeUnit.NANOSECONDS.toMillis(ready - begin));
      }
    } finally {
      runs.forEach(PacedProducer::stopOffering);
      runs.forEach(PacedProducer::close);
    }
    return results;
  }

  private interface Step {
    void run() throws InterruptedException;
  }

  private void window(String label, Step step) throws InterruptedException {
    double from = secondsSinceStart();
    log("fault: %s", label);
    step.run();
    double to = secondsSinceStart();
    windows.add(new FaultWindow(label, from, to));
    log("fault over: %s (%.1f s .. %.1f s)", label, from, to);
  }

  private double secondsSinceStart() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  static void pauseSeconds(int seconds) throws InterruptedException {
    TimeUnit.SECONDS.sleep(seconds); // the schedule's own timing, not a wait for a condition
  }

  static void log(String format, Object... args) {
    System.out.printf("[bench] " + format + "%n", args);
  }
}
