package dev.resilientkafka.testkit.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka node (controller or broker) running in a child JVM through {@link NodeMain}: its launch,
 * its signals and its readiness. Signals go to the child's PID only.
 *
 * <p>Not thread-safe; the cluster serialises operations on a node.
 */
public final class NodeProcess {
  private static final Logger log = LoggerFactory.getLogger(NodeProcess.class);

  private final String name;
  private final Path properties;
  private final String clusterId;
  private final Path stateFile;
  private final Path logFile;
  private final List<String> jvmOptions;
  private final boolean broker;
  private @Nullable Process process;
  /** Starts so far: a class list is written only if the incarnation that recorded it is running. */
  private volatile int incarnation;
  private @Nullable OutputStream lifeline;

  /**
   * A node that {@link #start()} launches.
   *
   * @param broker whether the node is a broker: a class-data archive for the nodes is recorded from a broker
   */
  public NodeProcess(
      String name,
      Path properties,
      String clusterId,
      Path stateFile,
      Path logFile,
      List<String> jvmOptions,
      boolean broker) {
    this.name = name;
    this.broker = broker;
    this.properties = properties;
    this.clusterId = clusterId;
    this.stateFile = stateFile;
    this.logFile = logFile;
    this.jvmOptions = List.copyOf(jvmOptions);
  }

  /** Launches a new incarnation; the previous one must have ended. */
  public void start() {
    if (isAlive()) {
      throw new IllegalStateException(name + " is already running as PID " + pid());
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String override = classpathOverride();
    String testkit = TestkitClasspath.LOCATION;
    List<String> jars = override == null && testkit != null ? TestkitClasspath.JARS : null;
    NodeClassArchive archive = NodeClassArchive.forJars(jars);
    if (archive != null) {
      int recording = incarnation + 1;
      // before the caller's options: theirs win
      command.addAll(archive.jvmOptions(broker, () -> incarnation == recording && isRunning()));
    }
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(childClasspath(override, jars, testkit));
    command.add(NodeMain.class.getName());
    command.add(properties.toString());
    command.add(clusterId);
    command.add(stateFile.toString());
    try {
      Files.deleteIfExists(stateFile);
      Files.writeString(
          logFile,
          "\n===== testkit: starting " + name + " at " + Instant.now() + " =====\n",
          StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      Process started = builder.start();
      incarnation++;
      // stdin stays open for the child's whole life: its watchdog halts the child when it closes
      lifeline = started.getOutputStream();
      process = started;
      ChildProcesses.register(started);
      log.debug("started {} as PID {}", name, started.pid());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + " (see " + logFile + ")", e);
    }
  }

  /** SIGTERM (Kafka's controlled shutdown), then waits; SIGKILL if it has not ended by the deadline. */
  public void terminate(Duration timeout) {
    Process current = process;
    if (current == null || !current.isAlive()) {
      return;
    }
    Signals.send(current.pid(), "CONT"); // a paused JVM cannot run its shutdown hooks
    // SIGTERM through the handle: Process.destroy() would also close the child's stdin, and the child's
    // watchdog would halt it before Kafka's controlled shutdown could run
    current.toHandle().destroy();
    if (!waitFor(current, timeout)) {
      log.warn("{} (PID {}) did not stop within {} after SIGTERM; sending SIGKILL", name, current.pid(), timeout);
      kill();
    }
    closeLifeline();
  }

  /** SIGKILL, then waits for the process to be gone. */
  public void kill() {
    Process current = process;
    if (current == null || !current.isAlive()) {
      return;
    }
    current.destroyForcibly();
    if (!waitFor(current, Duration.ofSeconds(30))) {
      throw new IllegalStateException(name + " (PID " + current.pid() + ") survived SIGKILL for 30 s");
    }
    closeLifeline();
  }

  /** SIGSTOP: the JVM hangs with its sockets open. */
  public void pause() {
    Signals.send(requireAlive().pid(), "STOP");
  }

  /** SIGCONT. */
  public void resume() {
    Signals.send(requireAlive().pid(), "CONT");
  }

  public boolean isAlive() {
    Process current = process;
    return current != null && current.isAlive();
  }

  public long pid() {
    Process current = process;
    return current == null ? -1 : current.pid();
  }

  /** True when this incarnation reported the broker state RUNNING (registered and unfenced). */
  public boolean isRunning() {
    Process current = process;
    if (current == null || !current.isAlive()) {
      return false;
    }
    try {
      if (!Files.exists(stateFile)) {
        return false;
      }
      String[] parts = Files.readString(stateFile, StandardCharsets.UTF_8).trim().split(" ");
      return parts.length == 2 && parts[0].equals(Long.toString(current.pid())) && parts[1].equals("RUNNING");
    } catch (IOException e) {
      return false; // being replaced right now; the next poll reads it
    }
  }

  /** Exit code of the last incarnation, or null while it runs or before the first start. */
  public @Nullable Integer exitCode() {
    Process current = process;
    return current == null || current.isAlive() ? null : current.exitValue();
  }

  public Path logFile() {
    return logFile;
  }

  public String name() {
    return name;
  }

  private Process requireAlive() {
    Process current = process;
    if (current == null || !current.isAlive()) {
      throw new IllegalStateException(name + " is not running");
    }
    return current;
  }

  private void closeLifeline() {
    OutputStream stream = lifeline;
    lifeline = null;
    if (stream != null) {
      try {
        stream.close();
      } catch (IOException ignored) {
        // the child is gone already
      }
    }
  }

  private static boolean waitFor(Process process, Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for PID " + process.pid(), e);
    }
  }

  /**
   * The broker's classpath: an explicit override, else the testkit's own runtime classpath recorded at
   * build time (so the broker runs on the Kafka version it was built with, whatever client version the
   * caller's classpath has), else, when those jars are not on this machine, the caller's classpath.
   */
  private static String childClasspath(
      @Nullable String override, @Nullable List<String> jars, @Nullable String testkit) {
    if (override != null) {
      return override;
    }
    if (jars == null || testkit == null) {
      return System.getProperty("java.class.path");
    }
    // the testkit's own classes last: a class-data archive of the jars needs its classpath to be a prefix
    List<String> entries = new ArrayList<>(jars);
    entries.add(testkit);
    return String.join(java.io.File.pathSeparator, entries);
  }

  private static @Nullable String classpathOverride() {
    String override = System.getProperty("resilientkafka.testkit.classpath");
    return override == null || override.isBlank() ? null : override;
  }

  /** What the node classpath is made of, looked up once per JVM rather than at every node start. */
  private static final class TestkitClasspath {
    static final @Nullable String LOCATION = testkitLocation();
    static final @Nullable List<String> JARS = recordedJars();
  }

  /** Where the testkit's classes are (a jar or a build directory), or null when that is unknown. */
  private static @Nullable String testkitLocation() {
    try {
      return Path.of(NodeMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (java.net.URISyntaxException | RuntimeException e) {
      log.debug("cannot locate the testkit's classes; using the caller's classpath", e);
      return null;
    }
  }

  /** The Kafka jars recorded at build time, or null when one of them is not on this machine. */
  static @Nullable List<String> recordedJars() {
    try (java.io.InputStream in = NodeProcess.class.getResourceAsStream("broker-classpath.txt")) {
      if (in == null) {
        return null;
      }
      String jars = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      List<String> entries = new ArrayList<>();
      for (String jar : jars.split(java.io.File.pathSeparator)) {
        if (jar.isBlank()) {
          continue;
        }
        if (!Files.exists(Path.of(jar))) {
          log.debug("recorded broker classpath entry {} is missing; using the caller's classpath", jar);
          return null;
        }
        entries.add(jar);
      }
      return entries;
    } catch (IOException | RuntimeException e) {
      log.debug("cannot read the recorded broker classpath; using the caller's classpath", e);
      return null;
    }
  }
}
