package dev.resilientkafka.testkit.internal.dns;

import java.time.Duration;

/** Waiting for the server's threads to end after their sockets closed. */
final class Threads {
  /** Threads end within microseconds of their socket closing; this only bounds a pathological case. */
  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);

  private Threads() {}

  /** Waits for {@code thread} to end, keeping the caller's interrupt status. */
  static void join(Thread thread) {
    if (thread == Thread.currentThread()) {
      return; // a thread cannot outlive itself; waiting would only burn the timeout
    }
    try {
      thread.join(JOIN_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
