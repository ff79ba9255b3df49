package dev.resilientkafka.testkit.internal;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** POSIX signals by PID, for what {@link ProcessHandle} cannot send (SIGSTOP, SIGCONT). */
final class Signals {
  private Signals() {}

  static void send(long pid, String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS)) {
        kill.destroyForcibly();
        throw new IllegalStateException("kill -" + signal + " " + pid + " did not return within 10 s");
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run kill -" + signal + " " + pid, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending SIG" + signal + " to " + pid, e);
    }
  }
}
