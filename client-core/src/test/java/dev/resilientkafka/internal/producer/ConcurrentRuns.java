package dev.resilientkafka.internal.producer;

import java.util.List;

/** Threads for a Lincheck concurrent test: started together, joined; and checks that fail the interleaving. */
final class ConcurrentRuns {
  private ConcurrentRuns() {
  }

  /** Starts the threads together and waits for all of them. */
  static void startAndJoin(List<Thread> threads) {
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  /** An assertion Lincheck reports with the interleaving that broke it. */
  static void check(boolean condition, String message) {
    if (!condition) {
      throw new AssertionError(message);
    }
  }
}
