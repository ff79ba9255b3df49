package dev.resilientkafka.benchmarks;

import dev.resilientkafka.benchmarks.InterleavedRuns.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.regression.OLSMultipleLinearRegression;
import org.jspecify.annotations.Nullable;

/**
 * CPU per record of two arms compared at the same throughput. At saturation the brokers set the pace, and
 * how fast they acknowledged in a run moves the client's CPU per record by more than the clients differ
 * (fewer records per wake-up of each thread when acknowledgements come slower): on this machine 9.0 µs at
 * 30,500 acks/s and 11.3 µs at 24,900 for the same client. A run of one client that met slower brokers
 * than its neighbour of the other makes their ratio of medians swing either way.
 *
 * <p>So the runs of all the arms are fitted together by least squares (Apache Commons Math): CPU per record
 * = the arm's own level + one slope over acks/s, common to all arms. The difference of two levels is what
 * one client costs more than the other at any throughput both reached. Reported at the median throughput
 * of all the runs, as a ratio, with a 95 % interval from the fit's residuals (the delta method over both
 * levels and the slope, Student's t with runs - arms - 1 degrees of freedom).
 *
 * <p>What it assumes: the slope is a local, linear description over the range the runs covered, the same
 * for every arm; and throughput is the brokers' doing. It is not only theirs: on two shared cores a client
 * that costs more leaves the brokers a little less, and this fit then credits it with the faster runs'
 * amortisation, pulling the ratio towards 1. So it stands beside the ratio of medians and the throughput
 * target (judged on its own), not in place of them.
 *
 * @param ratio top / bottom CPU per record at {@link #atAcksPerSecond}
 * @param low lower end of the ratio's 95 % interval
 * @param high upper end of the ratio's 95 % interval
 * @param atAcksPerSecond the throughput compared at: the median of all the runs
 * @param microsPerThousandAcks the common slope: µs per record for 1,000 acks/s more
 * @param residualMicros the standard deviation of the fit's residuals, µs per record
 * @param runs runs fitted (of every arm)
 */
record EqualThroughputCpu(double ratio, double low, double high, double atAcksPerSecond,
    double microsPerThousandAcks, double residualMicros, int runs) {

  /**
   * The fit of {@code top} against {@code bottom}, over the runs of every arm in {@code samples} (each arm
   * its own level, one slope for all: more runs for the slope and the residuals); null with fewer than two
   * runs of either arm.
   */
  static @Nullable EqualThroughputCpu of(List<Sample> samples, String top, String bottom) {
    List<Sample> fitted = samples.stream().filter(s -> s.result().acked() > 0).toList();
    List<String> arms = fitted.stream().map(Sample::arm).distinct().toList();
    int topColumn = arms.indexOf(top);
    int bottomColumn = arms.indexOf(bottom);
    int n = fitted.size();
    int parameters = arms.size() + 1;
    if (runsOf(fitted, top) < 2 || runsOf(fitted, bottom) < 2 || n - parameters < 1) {
      return null;
    }
    double[] cpu = new double[n];
    double[][] x = new double[n][parameters];
    List<Double> throughputs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ClientResult result = fitted.get(i).result();
      x[i][arms.indexOf(fitted.get(i).arm())] = 1; // the arm's level
      x[i][parameters - 1] = result.acksPerSecond() / 1000; // the common slope per 1,000 acks/s
      cpu[i] = result.cpuMicrosPerRecord();
      throughputs.add(result.acksPerSecond());
    }
    OLSMultipleLinearRegression fit = new OLSMultipleLinearRegression();
    fit.setNoIntercept(true);
    fit.newSampleData(cpu, x);
    double[] beta = fit.estimateRegressionParameters();
    double[][] covariance = fit.estimateRegressionParametersVariance();
    double errorVariance = fit.estimateErrorVariance();
    int slopeColumn = parameters - 1;
    double slope = beta[slopeColumn];
    double at = Spread.of(throughputs).median();
    double topAt = beta[topColumn] + slope * at / 1000;
    double bottomAt = beta[bottomColumn] + slope * at / 1000;
    double ratio = topAt / bottomAt;
    // the ratio's variance by the delta method, over the covariance of the two levels and the slope
    int[] columns = {topColumn, bottomColumn, slopeColumn};
    double[] gradient = {1 / bottomAt, -topAt / (bottomAt * bottomAt), at / 1000 * (bottomAt - topAt) / (bottomAt * bottomAt)};
    double variance = 0;
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        variance += gradient[i] * gradient[j] * covariance[columns[i]][columns[j]];
      }
    }
    double halfWidth = new TDistribution(n - parameters).inverseCumulativeProbability(0.975)
        * Math.sqrt(errorVariance * variance);
    return new EqualThroughputCpu(ratio, ratio - halfWidth, ratio + halfWidth, at, slope, Math.sqrt(errorVariance), n);
  }

  private static long runsOf(List<Sample> samples, String arm) {
    return samples.stream().filter(s -> s.arm().equals(arm)).count();
  }

  /** A markdown list item: the ratio, its interval and the verdict against {@code bound} (none when NaN). */
  String line(String top, String bottom, double bound) {
    String verdict = Double.isNaN(bound) ? ""
        : String.format(Locale.ROOT, " (<= %.2fx: %s)", bound, high <= bound
            ? "**met** and settled: the whole interval is within the bound"
            : low > bound ? "**missed** and settled: the whole interval is beyond the bound"
            : "not settled: the interval holds the bound");
    return String.format(Locale.ROOT, "- CPU per record %s / %s at equal throughput (%.0f acks/s): **%.3fx**, 95 %% "
        + "interval %.3f-%.3f%s; fit over %d runs, slope %+.2f µs per 1,000 acks/s, residuals %.2f µs%n",
        top, bottom, atAcksPerSecond, ratio, low, high, verdict, runs, microsPerThousandAcks, residualMicros);
  }
}
