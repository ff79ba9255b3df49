package dev.resilientkafka.benchmarks;

/**
 * What one client did through a churn schedule.
 *
 * @param client {@code plain} or {@code resilient}
 * @param accepted records {@code send()} accepted
 * @param acked acknowledged records (callback without exception)
 * @param failed records whose callback reported a failure
 * @param refused records {@code send()} threw for
 * @param delivered distinct ids found when reading the topic back
 * @param lost accepted ids not in the topic
 * @param duplicates copies beyond the first found in the topic
 * @param longestGapMillis longest time between two consecutive acknowledgements while offering
 * @param p50Millis median send-to-ack latency
 * @param p99Millis 99th percentile send-to-ack latency
 * @param failures failure counts by exception type
 * @param acksPerSecond acknowledgements in each second of the schedule
 */
public record ClientOutcome(String client, long accepted, long acked, long failed, long refused, long delivered,
    long lost, long duplicates, double longestGapMillis, double p50Millis, double p99Millis, String failures,
    long[] acksPerSecond) {

  /** Delivered over accepted; 1.0 when nothing was accepted. */
  public double deliveredRatio() {
    return accepted == 0 ? 1.0 : (double) delivered / accepted;
  }

  private static double percentileMillis(PacedProducer run, double percentile) {
    org.HdrHistogram.Histogram micros = run.latencies();
    return micros.getTotalCount() == 0 ? Double.NaN : micros.getValueAtPercentile(percentile) / 1e3;
  }

  static ClientOutcome of(PacedProducer run, TopicAudit audit, int lastSecond) {
    return new ClientOutcome(run.name(), run.accepted(), run.acked(), run.failed(), run.refused(), audit.distinct(),
        audit.missing(), audit.duplicates(), run.timeline().longestGapMillis(),
        percentileMillis(run, 50), percentileMillis(run, 99), run.failureSummary(),
        run.timeline().perSecond(lastSecond));
  }
}
