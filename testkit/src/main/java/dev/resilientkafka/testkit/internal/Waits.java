package dev.resilientkafka.testkit.internal;

import java.time.Duration;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** Polls a condition until it holds or a deadline passes; the failure says what was last seen. */
public final class Waits {
  private static final long POLL_MILLIS = 100;

  private Waits() {}

  /**
   * Returns the first non-null value of {@code probe}; exceptions from the probe count as "not yet".
   *
   * @throws IllegalStateException naming {@code what}, the timeout and the last value or error seen
   */
  public static <T> T until(String what, Duration timeout, Supplier<@Nullable T> probe) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Object lastSeen = "nothing";
    while (true) {
      try {
        T value = probe.get();
        if (value != null) {
          return value;
        }
      } catch (RuntimeException e) {
        lastSeen = e;
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new IllegalStateException(
            "timed out after " + timeout.toMillis() + " ms waiting for " + what + " (last error: " + lastSeen + ")");
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + what, e);
      }
    }
  }

  /** Like {@link #until} for a boolean condition. */
  public static void untilTrue(String what, Duration timeout, Supplier<Boolean> condition) {
    until(what, timeout, () -> condition.get() ? Boolean.TRUE : null);
  }
}
