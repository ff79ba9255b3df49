package dev.resilientkafka.internal.spool;

import static dev.resilientkafka.internal.spool.SpoolRecords.assertIs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool across the death of the process that wrote it: real child JVMs, killed with SIGKILL by PID. */
class SpoolCrashTest {
  @TempDir
  Path dir;

  @Test
  void killedWhileAppendingKeepsEveryRecordWhoseAppendReturned() throws Exception {
    List<long[]> acknowledged = new ArrayList<>(); // sequence, number, size
    Process child = start("append", dir.toString());
    try (BufferedReader lines = reader(child)) {
      assertThat(lines.readLine()).isEqualTo("open");
      // let it run into steady appending, then kill it at an arbitrary point of an append
      String line;
      while (acknowledged.size() < 400 && (line = lines.readLine()) != null) {
        acknowledged.add(parse(line));
      }
      kill(child);
      // lines the child wrote before it died are still in the pipe
      while ((line = lines.readLine()) != null) {
        if (line.matches("\\d+ \\d+ \\d+")) {
          acknowledged.add(parse(line));
        }
      }
    } finally {
      child.destroyForcibly().waitFor();
    }
    try (Spool spool = Spool.open(dir, Long.MAX_VALUE, FsyncPolicy.ALWAYS)) {
      RecoveryReport report = spool.recovery();
      System.out.printf("SIGKILL while appending: %d appends returned, %d recovered, %d torn tails (%d bytes), %d ms%n",
          acknowledged.size(), report.records(), report.tornTails(), report.tornBytes(), report.took().toMillis());
      // the record being appended when the kill came may be there or not; none before it may be missing
      assertThat(report.records()).isBetween((long) acknowledged.size(), acknowledged.size() + 1L);
      assertThat(report.tornTails()).isLessThanOrEqualTo(1);
      List<SpooledRecord> pending = spool.readPending(0, Integer.MAX_VALUE, Long.MAX_VALUE);
      for (int i = 0; i < acknowledged.size(); i++) {
        long[] a = acknowledged.get(i);
        assertIs(pending.get(i), a[1], (int) a[2], a[0]);
      }
    }
  }

  @Test
  void aDirectoryHeldByAnotherProcessIsRefusedNamingIt() throws Exception {
    Process holder = start("hold", dir.toString());
    try (BufferedReader lines = reader(holder)) {
      assertThat(lines.readLine()).isEqualTo("open");
      assertThatThrownBy(() -> Spool.open(dir, 1024, FsyncPolicy.ALWAYS))
          .isInstanceOf(SpoolException.class)
          .hasMessageContaining(dir.toString())
          .hasMessageContaining(holder.pid() + "@")
          .hasMessageContaining("resilient.spool.dir")
          .extracting(e -> ((SpoolException) e).reason()).isEqualTo(SpoolException.Reason.LOCKED);
      holder.getOutputStream().close();
      assertThat(holder.waitFor(20, TimeUnit.SECONDS)).as("holder ends when its input closes").isTrue();
    } finally {
      holder.destroyForcibly().waitFor();
    }
    // and once the holder is gone, the directory is free
    try (Spool spool = Spool.open(dir, 1024, FsyncPolicy.ALWAYS)) {
      assertThat(spool.recovery().records()).isZero();
    }
  }

  @Test
  void completionMarksLostInACrashOnlyCauseRecordsToBeSentAgain() throws Exception {
    Process child = start("complete", dir.toString(), "500");
    try (BufferedReader lines = reader(child)) {
      assertThat(lines.readLine()).isEqualTo("completed 0");
      kill(child);
    } finally {
      child.destroyForcibly().waitFor();
    }
    try (Spool spool = Spool.open(dir, Long.MAX_VALUE, FsyncPolicy.ALWAYS)) {
      // the marks were never written: every record comes back, unchanged, with its record id
      assertThat(spool.recovery().records()).isEqualTo(500);
      List<SpooledRecord> pending = spool.readPending(0, 1000, Long.MAX_VALUE);
      for (int n = 0; n < 500; n++) {
        assertIs(pending.get(n), n, 100, n);
      }
    }
  }

  private static long[] parse(String line) {
    String[] parts = line.split(" ");
    return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2])};
  }

  private static BufferedReader reader(Process process) {
    return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** SIGKILL by PID: no shutdown hook, no close, no flush. */
  private static void kill(Process process) throws Exception {
    Process kill = new ProcessBuilder("kill", "-KILL", Long.toString(process.pid())).inheritIO().start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("killed child ends").isTrue();
    assertThat(process.exitValue()).isEqualTo(128 + 9);
  }

  private static Process start(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("-Dorg.slf4j.simpleLogger.logFile=System.err");
    command.add(SpoolChild.class.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }
}
