package dev.resilientkafka.testkit.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every child process this JVM started, ended by a shutdown hook if its cluster was not closed (a test
 * that failed half-way, Ctrl-C on the demo). Children also halt themselves when this JVM dies without
 * running hooks (see {@link NodeMain}).
 */
final class ChildProcesses {
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(ChildProcesses::killAll, "testkit-child-reaper"));
  }

  private ChildProcesses() {}

  static void register(Process process) {
    LIVE.add(process);
    process.onExit().thenRun(() -> LIVE.remove(process));
  }

  private static void killAll() {
    for (Process process : LIVE) {
      if (process.isAlive()) {
        process.destroyForcibly(); // SIGKILL also ends a SIGSTOPped process
      }
    }
  }
}
