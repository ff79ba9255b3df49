package dev.resilientkafka.internal.spool;

import java.time.Duration;

/**
 * When the spool forces its writes to disk: {@code always} (an append returns once its bytes are on
 * disk; concurrent appends share one fsync), every interval (a crash loses at most the appends of the
 * last interval), or {@code never} (the operating system decides; a crash of the machine can lose
 * anything not yet written back, a crash of the process loses nothing).
 *
 * @param interval zero for always, a positive interval, or null-equivalent {@link #NEVER}'s value
 */
public record FsyncPolicy(Duration interval) {
  public static final FsyncPolicy ALWAYS = new FsyncPolicy(Duration.ZERO);
  public static final FsyncPolicy NEVER = new FsyncPolicy(Duration.ofSeconds(-1));

  public boolean always() {
    return interval.isZero();
  }

  public boolean never() {
    return interval.isNegative();
  }

  /**
   * Parses {@code always}, {@code never} or a whole number of milliseconds > 0.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static FsyncPolicy parse(String text) {
    String value = text.strip().toLowerCase(java.util.Locale.ROOT);
    if (value.equals("always")) {
      return ALWAYS;
    }
    if (value.equals("never")) {
      return NEVER;
    }
    try {
      long millis = Long.parseLong(value);
      if (millis > 0) {
        return new FsyncPolicy(Duration.ofMillis(millis));
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException("accepted values are always, never, or an interval in ms > 0 (e.g. 100)");
  }
}
