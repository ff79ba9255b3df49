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
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Runs one {@link ClientMain} in a child JVM and returns what it measured. The child gets this JVM's
 * class path and name settings (hosts file, name cache), a fixed heap, and nothing else of this JVM: its
 * CPU time is the client's alone. The child is ended by PID when it overruns its deadline, and by a
 * shutdown hook if this JVM exits first (it also halts itself when its standard input closes).
 */
final class ClientJvm {
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(ClientJvm::killAll, "bench-client-reaper"));
  }

  private ClientJvm() {}

  /**
   * Runs {@code spec} in a child JVM; its output goes to {@code log}.
   *
   * @param jfr a Java Flight Recorder file to write (profile settings), or null for none
   * @param countRequests whether to count the requests the child's Kafka clients send in the window, by API
   *     (their network client logs each one at DEBUG; costly, so not for CPU measurements)
   * @throws IllegalStateException when the child fails, prints no result or overruns its deadline
   */
  static ClientResult run(ClientSpec spec, Path log, @Nullable Path jfr, boolean countRequests)
      throws InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions());
    if (countRequests) {
      command.add("-Dorg.slf4j.simpleLogger.log.org.apache.kafka.clients.NetworkClient=debug");
    }
    if (jfr != null) {
      // settings: a .jfc file (for example with a shorter jdk.ExecutionSample period) or JFR's profile
      command.add("-XX:StartFlightRecording=settings=" + System.getProperty("bench.jfr.settings", "profile")
          + ",dumponexit=true,filename=" + jfr);
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ClientMain.class.getName());
    command.addAll(spec.toArgs());
    Process process;
    try {
      Files.createDirectories(log.getParent());
      process = new ProcessBuilder(command).redirectErrorStream(false)
          .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start a client JVM: " + command.get(0), e);
    }
    LIVE.add(process);
    AtomicReference<String> result = new AtomicReference<>();
    Thread reader = new Thread(() -> readOutput(process, log, result), "bench-client-output-" + process.pid());
    reader.setDaemon(true);
    reader.start();
    Duration deadline = Duration.ofSeconds(spec.warmupSeconds() + spec.windowSeconds() + 180L);
    try {
      if (!process.waitFor(deadline.toSeconds(), TimeUnit.SECONDS)) {
        throw new IllegalStateException("client JVM " + process.pid() + " (" + spec.client().label()
            + ") still running after " + deadline.toSeconds() + " s; ended it. Log: " + log);
      }
      reader.join(TimeUnit.SECONDS.toMillis(10));
      String line = result.get();
      if (process.exitValue() != 0 || line == null) {
        throw new IllegalStateException("client JVM " + process.pid() + " (" + spec.client().label() + ") exited "
            + process.exitValue() + (line == null ? " without a result" : "") + ". Log: " + log);
      }
      ClientResult parsed = JSON.readValue(line, ClientResult.class);
      return countRequests ? parsed.withRequestsByApi(requestsInWindow(log)) : parsed;
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable result of client JVM " + process.pid(), e);
    } finally {
      end(process);
    }
  }

  /** The same name settings as this JVM (the suite's), so both clients resolve the testkit's pods alike. */
  private static List<String> jvmOptions() {
    List<String> options = new ArrayList<>(List.of("-Xms512m", "-Xmx512m", "-XX:+UseG1GC",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dorg.slf4j.simpleLogger.log.org.apache.kafka=error"));
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

  private static void readOutput(Process process, Path log, AtomicReference<String> result) {
    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Writer writer = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
            StandardOpenOption.APPEND)) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith(ClientMain.RESULT)) {
          result.set(line.substring(ClientMain.RESULT.length()));
        }
        writer.write(line);
        writer.write('\n');
      }
    } catch (IOException e) {
      // the child is gone; its exit status tells the rest
    }
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
