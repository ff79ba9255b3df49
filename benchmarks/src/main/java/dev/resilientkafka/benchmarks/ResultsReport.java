package dev.resilientkafka.benchmarks;

import java.util.List;
import java.util.Locale;

/**
 * Turns the measured numbers into the markdown of {@code benchmarks/results/results-<mode>.md}. Every
 * ratio is resilient over plain, measured in the same run. Stateless and thread-safe.
 */
public final class ResultsReport {
  private ResultsReport() {}

  /**
   * One client's steady-state numbers.
   *
   * @param client {@code plain} or {@code resilient}
   * @param acksPerSecond acknowledgements per second with a bounded number in flight
   * @param p50Millis median send-to-ack latency, one record at a time
   * @param p99Millis 99th percentile of the same
   * @param p999Millis 99.9th percentile of the same
   */
  public record SteadyRow(String client, double acksPerSecond, double p50Millis, double p99Millis, double p999Millis) {}

  /**
   * One resolver benchmark.
   *
   * @param benchmark the benchmark method
   * @param meanMicros mean time per resolution
   * @param p50Micros median
   * @param p99Micros 99th percentile
   */
  public record ResolverRow(String benchmark, double meanMicros, double p50Micros, double p99Micros) {}

  /** The steady-state table with the ratio row; empty text when a client is missing. */
  public static String steady(List<SteadyRow> rows) {
    StringBuilder md = new StringBuilder();
    md.append("| client | acks/s (acks=all, 1 KiB, ").append(SteadyStateBenchmark.IN_FLIGHT)
        .append(" in flight) | send-to-ack p50 ms | p99 ms | p99.9 ms |\n|---|---:|---:|---:|---:|\n");
    for (SteadyRow row : rows) {
      md.append(String.format(Locale.ROOT, "| %s | %.0f | %.2f | %.2f | %.2f |%n", row.client(), row.acksPerSecond(),
          row.p50Millis(), row.p99Millis(), row.p999Millis()));
    }
    SteadyRow plain = find(rows, "plain");
    SteadyRow resilient = find(rows, "resilient");
    if (plain != null && resilient != null) {
      md.append(String.format(Locale.ROOT,
          "| **resilient / plain** | **%.3fx** (target >= 0.97x) | %.3fx | **%.3fx** (target <= 1.1x) | %.3fx |%n",
          resilient.acksPerSecond() / plain.acksPerSecond(), resilient.p50Millis() / plain.p50Millis(),
          resilient.p99Millis() / plain.p99Millis(), resilient.p999Millis() / plain.p999Millis()));
    }
    return md.toString();
  }

  /** The resolver table. */
  public static String resolver(List<ResolverRow> rows) {
    StringBuilder md = new StringBuilder("| benchmark | mean µs | p50 µs | p99 µs |\n|---|---:|---:|---:|\n");
    for (ResolverRow row : rows) {
      md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f |%n", row.benchmark(), row.meanMicros(),
          row.p50Micros(), row.p99Micros()));
    }
    return md.toString();
  }

  /** The churn table, one row per client. */
  public static String churn(List<ClientOutcome> clients) {
    StringBuilder md = new StringBuilder("| client | accepted | acked | failed (told) | delivered/accepted | lost "
        + "| duplicates | longest gap between acks s | p50 ms | p99 ms | failures |\n"
        + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (ClientOutcome c : clients) {
      md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %.3f | %d | %d | %.1f | %.1f | %.1f | %s |%n",
          c.client(), c.accepted(), c.acked(), c.failed(), c.deliveredRatio(), c.lost(), c.duplicates(),
          c.longestGapMillis() / 1000, c.p50Millis(), c.p99Millis(), c.failures()));
    }
    return md.toString();
  }

  /** The fault windows table. */
  public static String faults(List<FaultWindow> faults) {
    StringBuilder md = new StringBuilder("| fault | from s | to s (cluster whole again) |\n|---|---:|---:|\n");
    for (FaultWindow f : faults) {
      md.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f |%n", f.label(), f.startSecond(), f.endSecond()));
    }
    return md.toString();
  }

  /** The moved-broker table. */
  public static String moved(List<ChurnScenario.MovedBrokerResult> rows) {
    StringBuilder md = new StringBuilder("| client | broker restart on new IP until ready ms | first ack after ready ms "
        + "(target <= 5000) |\n|---|---:|---:|\n");
    for (ChurnScenario.MovedBrokerResult r : rows) {
      md.append(String.format(Locale.ROOT, "| %s | %d | %s |%n", r.client(), r.restartMillis(),
          r.firstAckAfterReadyMillis() < 0 ? "none within 60 s" : Long.toString(r.firstAckAfterReadyMillis())));
    }
    return md.toString();
  }

  /** The 6-broker stall table. */
  public static String stall(List<StalledBrokerScenario.Result> rows) {
    StringBuilder md = new StringBuilder("| client | acks/s before | acks/s during stall, partitions without the "
        + "stalled broker | acks/s during stall, partitions with it | clean partitions (of 12) | longest gap s |\n"
        + "|---|---:|---:|---:|---:|---:|\n");
    for (StalledBrokerScenario.Result r : rows) {
      md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %d | %.1f |%n", r.client(),
          r.baselinePerSecond(), r.cleanPerSecond(), r.affectedPerSecond(), r.cleanPartitions(),
          r.longestGapMillis() / 1000));
    }
    return md.toString();
  }

  private static @org.jspecify.annotations.Nullable SteadyRow find(List<SteadyRow> rows, String client) {
    return rows.stream().filter(r -> r.client().equals(client)).findFirst().orElse(null);
  }
}
