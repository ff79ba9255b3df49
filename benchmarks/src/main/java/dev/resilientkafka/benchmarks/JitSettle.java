package dev.resilientkafka.benchmarks;

import java.util.concurrent.TimeUnit;

/**
 * The end of a warm-up: the load runs on until the JIT compilers are quiet. Compilation still under way
 * after a fixed warm-up was up to a third of a short window's CPU on this machine, and its largest source
 * of noise; it is a cost of starting, not of each record.
 */
final class JitSettle {
  /** Length of one measuring slice. */
  static final long SLICE_MILLIS = 4_000;
  /** Quiet: the compilers used less than this share of one core over a slice. */
  static final double QUIET_SHARE = 0.02;
  /** At most this many times the warm-up's least length is added waiting for quiet (capped at a minute). */
  static final int MAX_WARMUP_MULTIPLE = 3;

  private JitSettle() {}

  /** How long at most {@link #await} adds to a warm-up of {@code warmupSeconds}. */
  static long maxSeconds(int warmupSeconds) {
    return Math.min(60, (long) MAX_WARMUP_MULTIPLE * warmupSeconds);
  }

  /**
   * Waits until the compilers are quiet or {@code maxSeconds} passed. Returns false at once when the JVM
   * does not report its compiler threads (then nothing was waited for).
   */
  static boolean await(long maxSeconds) throws InterruptedException {
    ThreadCpuSnapshot before = ThreadCpuSnapshot.take();
    if (!before.seesVmThreads()) {
      return false;
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
    while (System.nanoTime() - deadline < 0) {
      TimeUnit.MILLISECONDS.sleep(SLICE_MILLIS); // one measuring slice, then the condition
      ThreadCpuSnapshot after = ThreadCpuSnapshot.take();
      if (after.jitNanosSince(before) < QUIET_SHARE * TimeUnit.MILLISECONDS.toNanos(SLICE_MILLIS)) {
        break;
      }
      before = after;
    }
    return true;
  }
}
