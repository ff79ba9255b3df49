package dev.resilientkafka.benchmarks;

import java.util.Arrays;

/**
 * Send-to-ack latencies, kept in full so that percentiles are exact (nearest rank), without a histogram
 * library. Thread-safe: producer callbacks record from their I/O threads.
 */
public final class LatencyRecorder {
  private long[] nanos = new long[1024];
  private int size;

  /** Records one latency in nanoseconds. */
  public synchronized void record(long latencyNanos) {
    if (size == nanos.length) {
      nanos = Arrays.copyOf(nanos, size * 2);
    }
    nanos[size++] = latencyNanos;
  }

  /** How many latencies were recorded. */
  public synchronized int count() {
    return size;
  }

  /**
   * The nearest-rank percentile in milliseconds, or {@code NaN} when nothing was recorded.
   *
   * @param percentile between 0 (exclusive) and 100 (inclusive)
   * @throws IllegalArgumentException for a percentile outside that range
   */
  public synchronized double percentileMillis(double percentile) {
    if (!(percentile > 0 && percentile <= 100)) {
      throw new IllegalArgumentException("Invalid value " + percentile + " for percentile: must be in (0, 100]");
    }
    if (size == 0) {
      return Double.NaN;
    }
    long[] sorted = Arrays.copyOf(nanos, size);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(percentile / 100.0 * size);
    return sorted[Math.max(0, rank - 1)] / 1_000_000.0;
  }
}
