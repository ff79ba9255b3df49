package dev.resilientkafka.verify;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An application in its own JVM on the test classpath: its stdout lines collected as they come, ended by
 * closing its stdin, or killed with SIGKILL by PID; a shutdown hook kills it if the test JVM ends first.
 */
final class ChildJvm implements AutoCloseable {
  final String label;
  final Process process;
  final List<String> lines = new CopyOnWriteArrayList<>();
  private final Thread shutdownHook;

  private ChildJvm(String label, Process process) {
    this.label = label;
    this.process = process;
    this.shutdownHook = new Thread(process::destroyForcibly);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException e) {
        // the process ended
      }
    }, "child-" + label);
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code mainClass} with {@code java}; {@code jvmOptions} come first (e.g. only the hosts file,
   * for JDK defaults). Its stderr is discarded.
   */
  static ChildJvm start(String label, String java, List<String> jvmOptions, Class<?> mainClass, String... args)
      throws IOException {
    List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC"));
    command.addAll(jvmOptions);
    if (!jvmOptions.contains("-cp")) {
      command.addAll(List.of("-cp", System.getProperty("java.class.path")));
    }
    command.add(mainClass.getName());
    command.addAll(List.of(args));
    return new ChildJvm(label, new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start());
  }

  /** This JVM's java and its name-resolution settings (the testkit's hosts file, short caches). */
  static ChildJvm startLikeTests(String label, Class<?> mainClass, String... args) throws IOException {
    List<String> options = new ArrayList<>();
    for (String key : List.of("jdk.net.hosts.file", "sun.net.inetaddr.ttl", "java.security.properties")) {
      String value = System.getProperty(key);
      if (value != null) {
        options.add("-D" + key + "=" + value);
      }
    }
    return start(label, java(), options, mainClass, args);
  }

  static String java() {
    return java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Waits until a line equal to {@code line} was printed. */
  void awaitLine(String line, Duration atMost) {
    await(label + " to print " + line).atMost(atMost).pollInterval(Duration.ofMillis(50))
        .until(() -> lines.contains(line) || !process.isAlive() && !lines.contains(line) && failed(line));
  }

  private boolean failed(String line) {
    throw new AssertionError(label + " ended (exit " + process.exitValue() + ") before printing " + line
        + "; last lines: " + lines.subList(Math.max(0, lines.size() - 5), lines.size()));
  }

  /** Lines starting with {@code prefix}, without it. */
  List<String> linesStartingWith(String prefix) {
    return lines.stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).toList();
  }

  /** SIGKILL, by PID; waits until the process is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    try {
      if (process.isAlive()) {
        process.getOutputStream().close();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor();
        }
      }
    } finally {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    }
  }
}
