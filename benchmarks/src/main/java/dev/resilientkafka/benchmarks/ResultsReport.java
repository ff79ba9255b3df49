package dev.resilientkafka.benchmarks;

import java.util.List;
import java.util.Locale;

/**
 * Turns the fault scenarios' numbers into markdown for {@code benchmarks/results/results-<mode>.md}.
 * Stateless and thread-safe.
 */
public final class ResultsReport {
  private ResultsReport() {}

  /**
   * One resolver benchmark.
   *
   * @param benchmark the benchmark method
   * @param meanMicros mean time per resolution
   * @param p50Micros median
   * @param p99Micros 99th percentile
   */
  public record ResolverRow(String benchmark, double meanMicros, double p50Micros, double p99Micros) {}

  /** The resolver table. */
  public static String resolver(List<ResolverRow> rows) {
    StringBuilder md = new StringBuilder("| benchmark | mean µs | p50 µs | p99 µs |\n|---|---:|---:|---:|\n");
    for (ResolverRow row : rows) {
      md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f |%n", row.benchmark(), row.meanMicros(),
          row.p50Micros(), row.p99Micros()));
    }
    return md.toString();
  }

  /** Each client's outcome over a whole fault run. */
  public static String outcomes(List<ClientOutcome> clients) {
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

  /** Per fault: its window and each client's longest pause in acknowledgements. */
  public static String faults(List<FaultWindow> faults, List<FaultScenario.FaultGap> gaps) {
    StringBuilder md = new StringBuilder("| fault | from s | undone s | whole s | client | longest gap between acks s "
        + "| acks resumed after the fault was undone s |\n|---|---:|---:|---:|---|---:|---:|\n");
    for (FaultWindow f : faults) {
      for (FaultScenario.FaultGap g : gaps) {
        if (g.fault().equals(f.label())) {
          md.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %s | %.2f | %.2f |%n", f.label(),
              f.startSecond(), f.healedSecond(), f.endSecond(), g.client(), g.longestGapMillis() / 1000,
              g.resumedAfterHealMillis() / 1000));
        }
      }
    }
    return md.toString();
  }

  /** The 6-broker stall table. */
  public static String stall(List<StalledBrokerScenario.Result> rows) {
    StringBuilder md = new StringBuilder("| client | acks/s before | acks/s during stall, partitions without the "
        + "stalled broker | acks/s during stall, partitions with it | clean partitions (of 12) | longest gap s "
        + "| records-per-request-avg (end of stall) | records / requests during stall |\n"
        + "|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (StalledBrokerScenario.Result r : rows) {
      md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %d | %.2f | %.2f | %.2f |%n", r.client(),
          r.baselinePerSecond(), r.cleanPerSecond(), r.affectedPerSecond(), r.cleanPartitions(),
          r.longestGapMillis() / 1000, r.recordsPerRequestAvg(), r.recordsPerRequestInStall()));
    }
    return md.toString();
  }
}
