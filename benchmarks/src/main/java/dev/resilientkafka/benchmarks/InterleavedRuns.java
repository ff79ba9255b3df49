package dev.resilientkafka.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * Runs the arms of a comparison (e.g. plain and resilient under the same load) one child JVM at a time,
 * interleaved so that a change of the machine's load over the run falls on every arm alike: repetition 0
 * in the given order, repetition 1 reversed, and so on (A B, B A, A B, ...), which also cancels a steady
 * drift that plain alternation would charge to the arm that always runs second. Not thread-safe.
 */
final class InterleavedRuns {
  private InterleavedRuns() {}

  /**
   * One arm: a name for tables and what its client JVM does.
   *
   * @param name e.g. {@code resilient} or {@code resilient, 1000 topics}
   * @param spec the child's load
   * @param otherBuild the client-core jar (or classes directory) of another build of the library, which the
   *     client JVM runs instead of this build's, or null
   */
  record Arm(String name, ClientSpec spec, @Nullable Path otherBuild) {
    Arm(String name, ClientSpec spec) {
      this(name, spec, null);
    }
  }

  /**
   * One run of one arm.
   *
   * @param part the comparison this belongs to
   * @param arm the arm's name
   * @param repetition 0-based repetition
   * @param sequence 0-based position among all runs of the comparison
   * @param result what the child measured
   */
  record Sample(String part, String arm, int repetition, int sequence, ClientResult result) {}

  /**
   * Runs every arm {@code repetitions} times, interleaved.
   *
   * @param logs directory for the children's output
   * @param profile a directory for a flight recording of every run of the arms whose name contains
   *     {@code profileArm} ({@code all}: every arm), or null
   * @param countRequests whether the children count their clients' requests by API (see {@link ClientJvm})
   */
  static List<Sample> run(String part, List<Arm> arms, int repetitions, Path logs, @Nullable Path profile,
      String profileArm, boolean countRequests) throws InterruptedException {
    List<Sample> samples = new ArrayList<>();
    int sequence = 0;
    for (int rep = 0; rep < repetitions; rep++) {
      List<Arm> order = new ArrayList<>(arms);
      if (rep % 2 == 1) {
        java.util.Collections.reverse(order);
      }
      for (Arm arm : order) {
        String file = (part + "-" + arm.name() + "-" + rep).replaceAll("[^A-Za-z0-9.-]+", "_");
        boolean profiled = profile != null && (profileArm.equals("all") || arm.name().contains(profileArm));
        Path jfr = profiled ? profile.resolve(file + ".jfr") : null;
        ClientResult result = ClientJvm.run(arm.spec(), logs.resolve(file + ".log"), jfr, countRequests,
            arm.otherBuild());
        samples.add(new Sample(part, arm.name(), rep, sequence++, result));
        BenchmarkSuite.log("%s | %-24s rep %d: %8.0f acks/s, %6.1f us CPU/record, %.2f cores, p99.9 %s ms, load %.1f",
            part, arm.name(), rep, result.acksPerSecond(), result.cpuMicrosPerRecord(), result.cpuCores(),
            Double.isNaN(result.p999Millis()) ? "-" : String.format(Locale.ROOT, "%.1f", result.p999Millis()),
            result.loadAverage());
      }
    }
    return samples;
  }

  /** The spread of one quantity over the runs of {@code arm}. */
  static Spread spread(List<Sample> samples, String arm, ToDoubleFunction<ClientResult> value) {
    return Spread.of(samples.stream().filter(s -> s.arm().equals(arm)).map(s -> value.applyAsDouble(s.result())).toList());
  }

  /**
   * The spread of {@code value(numerator) / value(denominator)} over the repetitions, each repetition's
   * two runs paired (they ran next to each other).
   */
  static Spread pairedRatio(List<Sample> samples, String numerator, String denominator,
      ToDoubleFunction<ClientResult> value) {
    List<Double> ratios = new ArrayList<>();
    for (Sample top : samples) {
      if (!top.arm().equals(numerator)) {
        continue;
      }
      for (Sample bottom : samples) {
        if (bottom.arm().equals(denominator) && bottom.repetition() == top.repetition()) {
          ratios.add(value.applyAsDouble(top.result()) / value.applyAsDouble(bottom.result()));
        }
      }
    }
    return Spread.of(ratios);
  }
}
