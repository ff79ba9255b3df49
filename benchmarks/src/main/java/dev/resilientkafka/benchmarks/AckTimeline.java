package dev.resilientkafka.benchmarks;

import java.util.Arrays;

/**
 * When acknowledgements arrived: a count per whole second since a common start, and the longest gap
 * between two consecutive acknowledgements. Thread-safe.
 */
public final class AckTimeline {
  private final long startNanos;
  private long[] perSecond = new long[64];
  private long lastAckNanos;
  private long longestGapNanos;

  /** A timeline whose second 0 starts at {@code startNanos} ({@link System#nanoTime()} scale). */
  public AckTimeline(long startNanos) {
    this.startNanos = startNanos;
    this.lastAckNanos = startNanos;
  }

  /** Records one acknowledgement at {@code nowNanos}. */
  public synchronized void ack(long nowNanos) {
    int second = (int) Math.max(0, (nowNanos - startNanos) / 1_000_000_000L);
    if (second >= perSecond.length) {
      perSecond = Arrays.copyOf(perSecond, Math.max(second + 1, perSecond.length * 2));
    }
    perSecond[second]++;
    longestGapNanos = Math.max(longestGapNanos, nowNanos - lastAckNanos);
    lastAckNanos = Math.max(lastAckNanos, nowNanos);
  }

  /** Acknowledgements in each second from the start up to and including {@code lastSecond}. */
  public synchronized long[] perSecond(int lastSecond) {
    return Arrays.copyOf(perSecond, lastSecond + 1);
  }

  /** The longest time between two consecutive acknowledgements (or the start and the first), in ms. */
  public synchronized double longestGapMillis() {
    return longestGapNanos / 1_000_000.0;
  }
}
