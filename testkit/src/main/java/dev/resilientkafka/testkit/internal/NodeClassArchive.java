package dev.resilientkafka.testkit.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A class-data-sharing archive of the classes a node JVM loads while it starts, shared by every node the
 * testkit starts on this machine with the same JDK and Kafka jars.
 *
 * <p>A node JVM spends about 3 s of CPU starting, a third of it loading and verifying the same few
 * thousand classes every time; a test build starts a couple of hundred of them on few cores. Mapping
 * those classes from an archive takes about 1.2 s off each start. The first broker started without an
 * archive records the classes it loads ({@code -XX:DumpLoadedClassList}); once its cluster is ready a
 * background JVM writes the archive ({@code -Xshare:dump}) from that list, and every node started
 * afterwards maps it ({@code -XX:SharedArchiveFile}). Nodes started before that, or when anything here
 * fails, run as they would without it: a missing or mismatched archive only costs the time it would save.
 *
 * <p>The archive lives in {@code <java.io.tmpdir>/resilient-kafka-testkit-<user>/}, named by a hash of the
 * JDK and of the Kafka jars (path, size, modification time), so it outlives one build and a new JDK or
 * Kafka version gets its own. Only the jars are archived: the testkit's own classes, which may be a build
 * directory, come last on the node's classpath, so the archive's classpath stays a prefix of it (as the
 * JVM requires). A lock file keeps two JVMs of one build from writing the same archive. Off on JVMs other
 * than HotSpot and with {@code -Dresilientkafka.testkit.cds=false}.
 *
 * <p>Thread-safe.
 */
public final class NodeClassArchive {
  private static final Logger log = LoggerFactory.getLogger(NodeClassArchive.class);

  /** System property: {@code false} turns the archive off. */
  static final String ENABLED_PROPERTY = "resilientkafka.testkit.cds";

  /** A lock older than this belongs to a JVM that died while recording. */
  private static final Duration STALE_LOCK = Duration.ofMinutes(10);

  /** Archives of other JDKs or Kafka versions unused for this long are deleted. */
  private static final Duration UNUSED_ARCHIVE = Duration.ofDays(7);

  /** How long a JVM that ends while the archive is written waits for it: below Surefire's 30 s. */
  private static final Duration EXIT_WAIT = Duration.ofSeconds(25);

  private enum Stage {
    IDLE,
    RECORDING,
    DUMPING,
    DONE
  }

  private static @Nullable NodeClassArchive shared;

  private final List<String> jars;
  private final Path archive;
  private final Path lock;
  private final Path classList;
  private final CompletableFuture<Boolean> written = new CompletableFuture<>();
  private Stage stage = Stage.IDLE;
  private @Nullable Process dump;

  /** An archive in {@code directory} for nodes whose classpath starts with {@code jars}. */
  NodeClassArchive(List<String> jars, Path directory) throws IOException {
    this.jars = List.copyOf(jars);
    String key = key(jars);
    this.archive = directory.resolve("nodes-" + key + ".jsa");
    this.lock = directory.resolve("nodes-" + key + ".lock");
    this.classList = directory.resolve("nodes-" + key + "." + ProcessHandle.current().pid() + ".classlist");
    Runtime.getRuntime().addShutdownHook(new Thread(this::atExit, "testkit-class-archive-exit"));
  }

  /**
   * The archive for nodes whose classpath starts with {@code jars}, or null when it is off: not HotSpot,
   * turned off by property, or no jars (the nodes run on the caller's classpath).
   */
  static synchronized @Nullable NodeClassArchive forJars(@Nullable List<String> jars) {
    if (jars == null || jars.isEmpty() || !supported()) {
      return null;
    }
    NodeClassArchive current = shared;
    if (current == null || !current.jars.equals(jars)) {
      try {
        Path directory =
            Path.of(System.getProperty("java.io.tmpdir"), "resilient-kafka-testkit-" + System.getProperty("user.name"));
        Files.createDirectories(directory);
        current = new NodeClassArchive(jars, directory);
      } catch (IOException | RuntimeException e) {
        log.debug("no class-data archive for the nodes", e);
        return null;
      }
      shared = current;
    }
    return current;
  }

  private static boolean supported() {
    if ("false".equalsIgnoreCase(System.getProperty(ENABLED_PROPERTY, "true"))) {
      return false;
    }
    String vm = System.getProperty("java.vm.name", "");
    return vm.contains("HotSpot") || vm.contains("OpenJDK");
  }

  /** Where the archive is, or will be once written. */
  Path path() {
    return archive;
  }

  /**
   * JVM options for a node about to start: map the archive when it exists; else, for the first broker of
   * this machine's build that finds no archive and no other JVM recording one, record its classes.
   */
  synchronized List<String> jvmOptions(boolean broker) {
    if (Files.isRegularFile(archive)) {
      return List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto");
    }
    if (stage != Stage.IDLE || !broker || !takeLock()) {
      return List.of();
    }
    stage = Stage.RECORDING;
    return List.of("-XX:DumpLoadedClassList=" + classList);
  }

  /**
   * Called when a cluster is ready: if this JVM recorded a broker's classes, writes the archive from them
   * in a background JVM.
   */
  public static void clusterReady() {
    NodeClassArchive current;
    synchronized (NodeClassArchive.class) {
      current = shared;
    }
    if (current != null) {
      current.write();
    }
  }

  /**
   * Writes the archive from the classes recorded so far, in a background JVM, if this instance recorded
   * them and has not written it yet.
   *
   * @return completes with true once the archive is in place, false if writing it failed
   */
  synchronized CompletableFuture<Boolean> write() {
    if (stage != Stage.RECORDING) {
      return written;
    }
    stage = Stage.DUMPING;
    try {
      Path list = Files.createTempFile(lock.getParent(), "nodes-", ".classlist");
      Files.writeString(list, completeLines(Files.readString(classList, StandardCharsets.UTF_8)));
      Path partial = lock.getParent().resolve(archive.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
      Path dumpLog = lock.getParent().resolve(archive.getFileName() + ".log");
      Process started =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xshare:dump",
                  "-XX:SharedClassListFile=" + list,
                  "-XX:SharedArchiveFile=" + partial,
                  "-cp",
                  String.join(java.io.File.pathSeparator, jars))
              .redirectErrorStream(true)
              .redirectOutput(dumpLog.toFile())
              .start();
      dump = started;
      // not among ChildProcesses: a JVM that ends while the archive is written waits for it (atExit)
      started.onExit().thenRun(() -> finishDump(started, list, partial, dumpLog));
    } catch (IOException | RuntimeException e) {
      log.debug("cannot write the nodes' class-data archive", e);
      finish(false);
    }
    return written;
  }

  private void finishDump(Process ended, Path list, Path partial, Path dumpLog) {
    boolean moved = false;
    try {
      if (ended.exitValue() == 0 && Files.isRegularFile(partial) && Files.size(partial) > 0) {
        Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        moved = true;
        log.info("node JVMs now start from the class-data archive {}", archive);
        deleteUnusedArchives();
      } else {
        log.info("writing the nodes' class-data archive failed (see {}); nodes start without it", dumpLog);
      }
    } catch (IOException | RuntimeException e) {
      log.debug("cannot write the nodes' class-data archive", e);
    } finally {
      deleteQuietly(list);
      deleteQuietly(partial);
      finish(moved);
    }
  }

  private synchronized void finish(boolean archiveWritten) {
    stage = Stage.DONE;
    deleteQuietly(classList);
    deleteQuietly(lock);
    written.complete(archiveWritten);
  }

  /**
   * At exit: a recording no cluster became ready for leaves no lock behind; an archive being written is
   * waited for (it takes seconds, once per machine), within the time Maven's Surefire gives a test JVM to
   * end, then stopped.
   */
  private void atExit() {
    Process running;
    synchronized (this) {
      if (stage == Stage.RECORDING) {
        finish(false);
      }
      running = dump;
    }
    if (running == null) {
      return;
    }
    try {
      written.get(EXIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      running.destroyForcibly();
      finish(false);
    } catch (InterruptedException e) {
      running.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private boolean takeLock() {
    try {
      Files.createFile(lock);
      return true;
    } catch (FileAlreadyExistsException e) {
      try {
        Instant written = Files.getLastModifiedTime(lock).toInstant();
        if (written.isBefore(Instant.now().minus(STALE_LOCK))) {
          Files.deleteIfExists(lock);
          Files.createFile(lock);
          return true;
        }
      } catch (IOException ignored) {
        // another JVM took or removed it meanwhile
      }
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  private void deleteUnusedArchives() {
    Instant cutoff = Instant.now().minus(UNUSED_ARCHIVE);
    try (Stream<Path> files = Files.list(archive.getParent())) {
      files
          .filter(f -> !f.equals(archive))
          .filter(f -> f.getFileName().toString().startsWith("nodes-"))
          .filter(f -> lastModified(f).toInstant().isBefore(cutoff))
          .forEach(NodeClassArchive::deleteQuietly);
    } catch (IOException | UncheckedIOException e) {
      log.debug("cannot clean {}", archive.getParent(), e);
    }
  }

  private static FileTime lastModified(Path file) {
    try {
      return Files.getLastModifiedTime(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The list as written so far, without a line the node may still be writing. */
  static String completeLines(String list) {
    int end = list.lastIndexOf('\n');
    return end < 0 ? "" : list.substring(0, end + 1);
  }

  private static String key(List<String> jars) throws IOException {
    StringBuilder identity = new StringBuilder();
    identity.append(System.getProperty("java.home")).append('\n');
    identity.append(System.getProperty("java.vm.version")).append('\n');
    for (String jar : jars) {
      Path path = Path.of(jar);
      identity.append(jar).append(' ').append(Files.size(path)).append(' ');
      identity.append(Files.getLastModifiedTime(path).toMillis()).append('\n');
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // a leftover in the temporary directory is harmless
    }
  }
}
