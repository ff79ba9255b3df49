package dev.resilientkafka.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * When acknowledgements arrived: a count per whole second since a common start, and every gap between
 * two consecutive acknowledgements longer than {@value #GAP_MILLIS} ms (so that the longest gap inside a
 * fault's window can be told apart from one in another). Thread-safe.
 */
public final class AckTimeline {
  /** Gaps at least this long are kept with their position. */
  static final long GAP_MILLIS = 200;

  private final long startNanos;
  private long[] perSecond = new long[64];
  private long lastAckNanos;
  private final List<Gap> gaps = new ArrayList<>();

  /**
   * A pause in the acknowledgements, in seconds since the start.
   *
   * @param fromSecond the acknowledgement before the gap (or the start)
   * @param toSecond the acknowledgement after it
   */
  public record Gap(double fromSecond, double toSecond) {
    /** Length in milliseconds. */
    public double millis() {
      return (toSecond - fromSecond) * 1000;
    }
  }

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
    if (nowNanos - lastAckNanos >= GAP_MILLIS * 1_000_000L) {
      gaps.add(new Gap(seconds(lastAckNanos), seconds(nowNanos)));
    }
    lastAckNanos = Math.max(lastAckNanos, nowNanos);
  }

  /**
   * Closes the timeline at {@code nowNanos}: a gap still open then (no acknowledgement since) counts too.
   */
  public synchronized void close(long nowNanos) {
    if (nowNanos - lastAckNanos >= GAP_MILLIS * 1_000_000L) {
      gaps.add(new Gap(seconds(lastAckNanos), seconds(nowNanos)));
      lastAckNanos = nowNanos;
    }
  }

  private double seconds(long nanos) {
    return (nanos - startNanos) / 1e9;
  }

  /** Acknowledgements in each second from the start up to and including {@code lastSecond}. */
  public synchronized long[] perSecond(int lastSecond) {
    return Arrays.copyOf(perSecond, lastSecond + 1);
  }

  /** The longest time between two consecutive acknowledgements (or the start and the first), in ms. */
  public synchronized double longestGapMillis() {
    return gaps.stream().mapToDouble(Gap::millis).max().orElse(0);
  }

  /** Where the longest gap overlapping {@code [fromSecond, toSecond]} ended, in seconds ({@code NaN}: none). */
  public synchronized double gapEndSecond(double fromSecond, double toSecond) {
    return gapEndSecond(fromSecond, toSecond, Double.POSITIVE_INFINITY);
  }

  /**
   * Where the longest gap overlapping {@code [fromSecond, toSecond]} and ending by {@code endBySecond} ended,
   * in seconds ({@code NaN}: none).
   */
  public synchronized double gapEndSecond(double fromSecond, double toSecond, double endBySecond) {
    return gaps.stream().filter(g -> g.toSecond() >= fromSecond && g.fromSecond() <= toSecond && g.toSecond() <= endBySecond)
        .max(java.util.Comparator.comparingDouble(Gap::millis)).map(Gap::toSecond).orElse(Double.NaN);
  }

  /** The longest gap overlapping {@code [fromSecond, toSecond]}, in ms (0 when none was that long). */
  public synchronized double longestGapMillis(double fromSecond, double toSecond) {
    return longestGapMillis(fromSecond, toSecond, Double.POSITIVE_INFINITY);
  }

  /**
   * The longest gap overlapping {@code [fromSecond, toSecond]} that ended by {@code endBySecond} (a gap still
   * open when the next fault began belongs to that fault), in ms.
   */
  public synchronized double longestGapMillis(double fromSecond, double toSecond, double endBySecond) {
    return gaps.stream().filter(g -> g.toSecond() >= fromSecond && g.fromSecond() <= toSecond && g.toSecond() <= endBySecond)
        .mapToDouble(Gap::millis).max().orElse(0);
  }
}
