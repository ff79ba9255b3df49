package dev.resilientkafka.benchmarks;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Runs one {@link ClientMain} (or another client of this module, such as {@link SpoolReplayClient}) in a child
 * JVM and returns what it measured. The child gets this JVM's class path and name settings (hosts file, name
 * cache), a fixed heap, and nothing else of this JVM: its CPU time is the client's alone. The child is ended by
 * PID when it overruns its deadline, and by a shutdown hook if this JVM exits first (it also halts itself when its
 * standard input closes).
 */
final class ClientJvm {
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
  /** How this build's client-core jar is named in the suite's {@code target/lib}. */
  private static final String CLIENT_CORE_JAR = "resilient-kafka-client-core-";
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(ClientJvm::killAll, "bench-client-reaper"));
  }

  private ClientJvm() {}

  /** As {@link #run(ClientSpec, Path, Path, boolean, Path)} with this JVM's class path alone. */
  static ClientResult run(ClientSpec spec, Path log, @Nullable Path jfr, boolean countRequests)
      throws InterruptedException {
    return run(spec, log, jfr, countRequests, null);
  }

  /**
   * Runs {@code spec} in a child JVM; its output goes to {@code log}.
   *
   * @param jfr a Java Flight Recorder file to write (profile settings), or null for none
   * @param countRequests whether to count the requests the child's Kafka clients send in the window, by API
   *     (their network client logs each one at DEBUG; costly, so not for CPU measurements)
   * @param otherBuild the client-core jar (or classes directory) of another build of the library, run in place
   *     of this build's; or null
   * @throws IllegalStateException when the child fails, prints no result or overruns its deadline
   */
  static ClientResult run(ClientSpec spec, Path log, @Nullable Path jfr, boolean countRequests,
      @Nullable Path otherBuild) throws InterruptedException {
    List<String> options = new ArrayList<>();
    if (countRequests) {
      options.add("-Dorg.slf4j.simpleLogger.log.org.apache.kafka.clients.NetworkClient=debug");
    }
    if (jfr != null) {
      // settings: a .jfc file (for example with a shorter jdk.ExecutionSample period) or JFR's profile
      options.add("-XX:StartFlightRecording=settings=" + System.getProperty("bench.jfr.settings", "profile")
          + ",dumponexit=true,filename=" + jfr);
    }
    Duration deadline = Duration.ofSeconds(spec.warmupSeconds() + JitSettle.maxSeconds(spec.warmupSeconds()) + spec.windowSeconds() + 180L);
    try (Child child = start(ClientMain.class, options, spec.toArgs(), log, otherBuild)) {
      ClientResult parsed = JSON.readValue(child.awaitResult(spec.client().label(), deadline), ClientResult.class);
      return countRequests ? parsed.withRequestsByApi(requestsInWindow(log)) : parsed;
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable result of a client JVM (" + spec.client().label() + "), log " + log, e);
    }
  }

  /**
   * Starts {@code main} in a child JVM with this JVM's class path and name settings; its standard output and
   * error go to {@code log}, and its standard output lines can be awaited.
   *
   * @param options JVM options beyond the common ones
   */
  static Child start(Class<?> main, List<String> options, List<String> args, Path log) {
    return start(main, options, args, log, null);
  }

  /**
   * As {@link #start(Class, List, List, Path)}, with {@code otherBuild}'s client-core in place of this build's
   * (none when null).
   */
  static Child start(Class<?> main, List<String> options, List<String> args, Path log, @Nullable Path otherBuild) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions());
    command.addAll(options);
    command.add("-cp");
    command.add(classPath(otherBuild));
    command.add(main.getName());
    command.addAll(args);
    Process process;
    try {
      Files.createDirectories(log.getParent());
      process = new ProcessBuilder(command).redirectErrorStream(false)
          .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start a client JVM: " + command.get(0), e);
    }
    LIVE.add(process);
    Child child = new Child(process, log);
    Thread reader = new Thread(child::readOutput, "bench-client-output-" + process.pid());
    reader.setDaemon(true);
    reader.start();
    return child;
  }

  /**
   * This JVM's class path; with {@code library}, that jar or directory in place of this build's client-core
   * (removed, not only shadowed: a class the other build lacks must not come from this one).
   */
  static String classPath(@Nullable Path library) {
    String own = System.getProperty("java.class.path");
    if (library == null) {
      return own;
    }
    List<String> entries = new ArrayList<>();
    entries.add(library.toAbsolutePath().toString());
    for (String entry : own.split(java.io.File.pathSeparator)) {
      Path path = Path.of(entry);
      boolean clientCore = path.getFileName() != null && path.getFileName().toString().startsWith(CLIENT_CORE_JAR)
          || path.endsWith(Path.of("client-core", "target", "classes"));
      if (!clientCore) {
        entries.add(entry);
      }
    }
    return String.join(java.io.File.pathSeparator, entries);
  }

  /**
   * A running child JVM: its standard output lines as they come, ended (input closed, then killed) on {@link
   * #close()}. Thread-safe.
   */
  static final class Child implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final List<String> lines = new ArrayList<>();
    private boolean outputEnded;

    private Child(Process process, Path log) {
      this.process = process;
      this.log = log;
    }

    long pid() {
      return process.pid();
    }

    /**
     * Waits for the first line of standard output that starts with {@code prefix} and returns it.
     *
     * @throws IllegalStateException when the child's output ends without it or {@code timeout} passes (the
     *     child is then ended)
     */
    String awaitLine(String prefix, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      synchronized (this) {
        while (true) {
          for (String line : lines) {
            if (line.startsWith(prefix)) {
              return line;
            }
          }
          long left = deadline - System.nanoTime();
          if (outputEnded || left <= 0) {
            break;
          }
          TimeUnit.NANOSECONDS.timedWait(this, left);
        }
      }
      close();
      throw new IllegalStateException("client JVM " + process.pid() + " printed no line starting with '" + prefix
          + "' " + (process.isAlive() ? "within " + timeout.toSeconds() + " s; ended it" : "before it exited "
          + process.exitValue()) + ". Log: " + log);
    }

    /**
     * Waits until the child exits by itself and returns its result line without the prefix.
     *
     * @param name what the child runs, for the messages
     * @throws IllegalStateException when it fails, prints no result or runs longer than {@code timeout}
     */
    String awaitResult(String name, Duration timeout) throws InterruptedException {
      if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        close();
        throw new IllegalStateException("client JVM " + process.pid() + " (" + name + ") still running after "
            + timeout.toSeconds() + " s; ended it. Log: " + log);
      }
      String line;
      synchronized (this) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!outputEnded && System.nanoTime() < deadline) {
          TimeUnit.NANOSECONDS.timedWait(this, deadline - System.nanoTime());
        }
        line = lines.stream().filter(l -> l.startsWith(ClientMain.RESULT)).reduce((first, last) -> last).orElse(null);
      }
      if (process.exitValue() != 0 || line == null) {
        throw new IllegalStateException("client JVM " + process.pid() + " (" + name + ") exited " + process.exitValue()
            + (line == null ? " without a result" : "") + ". Log: " + log);
      }
      return line.substring(ClientMain.RESULT.length());
    }

    /**
     * SIGKILL by PID: no shutdown hook runs, nothing is flushed or closed; waits until the process is gone.
     *
     * @return the exit status (137 on Linux)
     */
    int kill() throws InterruptedException {
      process.toHandle().destroyForcibly();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("client JVM " + process.pid() + " still alive 30 s after SIGKILL");
      }
      LIVE.remove(process);
      return process.exitValue();
    }

    private void readOutput() {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8)); Writer writer = Files.newBufferedWriter(log, StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
        String line;
        while ((line = out.readLine()) != null) {
          synchronized (this) {
            lines.add(line);
            notifyAll();
          }
          writer.write(line);
          writer.write('\n');
          writer.flush();
        }
      } catch (IOException e) {
        // the child is gone; its exit status tells the rest
      } finally {
        synchronized (this) {
          outputEnded = true;
          notifyAll();
        }
      }
    }

    /** Closes the child's input (it halts on end of input) and kills it if it is still alive. */
    @Override
    public void close() {
      end(process);
    }
  }

  /** The same name settings as this JVM (the suite's), so both clients resolve the testkit's pods alike. */
  private static List<String> jvmOptions() {
    List<String> options = new ArrayList<>(List.of("-Xms512m", "-Xmx512m", "-XX:+UseG1GC",
        "--add-exports=java.management/sun.management=ALL-UNNAMED", // ThreadCpuSnapshot: the JVM's own threads' CPU
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dorg.slf4j.simpleLogger.log.org.apache.kafka=error",
        // a produce error the producer retries (e.g. an idempotent sequence it loops on) is worth a line in the log
        "-Dorg.slf4j.simpleLogger.log.org.apache.kafka.clients.producer.internals.Sender=warn"));
    for (String property : List.of("jdk.net.hosts.file", "sun.net.inetaddr.ttl", "sun.net.inetaddr.negative.ttl",
        "java.security.properties", "networkaddress.cache.ttl")) {
      String value = System.getProperty(property);
      if (value != null && !value.isBlank()) {
        options.add("-D" + property + "=" + value);
      }
    }
    return options;
  }

  private static final Pattern SENDING =
      Pattern.compile("\\[(Producer|AdminClient) clientId=[^\\]]*\\] Sending (\\w+) request");

  /** Counts the requests the clients logged between the window markers, by client type and API. */
  static Map<String, Long> requestsInWindow(Path log) throws IOException {
    Map<String, Long> counts = new TreeMap<>();
    boolean inside = false;
    try (BufferedReader lines = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
      String line;
      while ((line = lines.readLine()) != null) {
        if (line.startsWith(ClientMain.WINDOW_START)) {
          inside = true;
        } else if (line.startsWith(ClientMain.WINDOW_END)) {
          inside = false;
        } else if (inside) {
          Matcher sending = SENDING.matcher(line);
          if (sending.find()) {
            counts.merge(sending.group(1) + " " + sending.group(2), 1L, Long::sum);
          }
        }
      }
    }
    return counts;
  }

  private static void end(Process process) {
    try {
      process.getOutputStream().close(); // the child halts on end of input
    } catch (IOException e) {
      // already closed
    }
    if (process.isAlive()) {
      process.destroyForcibly();
    }
    LIVE.remove(process);
  }

  private static void killAll() {
    for (Process process : LIVE) {
      if (process.isAlive()) {
        process.destroyForcibly();
      }
    }
  }
}
