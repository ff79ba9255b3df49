package dev.resilientkafka.benchmarks;

import java.util.Locale;

/** The bounds set on resilient / plain ratios, and how a measured ratio is judged. */
final class Targets {
  /** Throughput at saturation: at least this fraction of the tuned twin's. */
  static final double THROUGHPUT_MIN = 0.97;
  /** Client CPU per record at saturation: at most this multiple of the twin's. */
  static final double CPU_PER_RECORD_MAX = 1.10;
  /** p99.9 send-to-ack latency at a fixed rate: at most this multiple of the twin's. */
  static final double P999_MAX = 1.2;
  /**
   * CPU per record writing 1,000 topics: at most this multiple of writing one topic. Judged as first set
   * (the resilient producer's own ratio, which includes Kafka's growth) and on what the library adds over
   * the tuned twin (resilient - plain, µs per record).
   */
  static final double SCALE_CPU_MAX = 1.10;
  /**
   * Throughput at saturation of the resilient producer with a durable spool (forced every 100 ms): at least
   * this fraction of the tuned twin's, which keeps nothing on disk.
   */
  static final double SPOOL_THROUGHPUT_MIN = 0.70;

  private Targets() {}

  /**
   * "met" or "missed" by the ratio of the medians, with the bound, e.g. {@code missed (>= 0.97x)}; marked
   * "not settled" when the paired ratios lie on both sides of the bound (the machine's noise is larger
   * than the difference measured).
   */
  static String atLeast(double ratio, Spread paired, double bound) {
    return verdict(ratio >= bound, paired.min() < bound && paired.max() >= bound, String.format(Locale.ROOT, ">= %.2fx", bound));
  }

  /** As {@link #atLeast} for an upper bound, e.g. {@code met (<= 1.10x)}. */
  static String atMost(double ratio, Spread paired, double bound) {
    return verdict(ratio <= bound, paired.min() <= bound && paired.max() > bound, String.format(Locale.ROOT, "<= %.2fx", bound));
  }

  private static String verdict(boolean met, boolean straddles, String bound) {
    return (met ? "**met**" : "**missed**") + " (" + bound + ")"
        + (straddles ? ", not settled: the paired ratios lie on both sides of the bound" : "");
  }
}
