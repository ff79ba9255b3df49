package dev.resilientkafka.testkit.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.LinkOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
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
 * JVM requires). An OS file lock keeps two JVMs of one build from writing the same archive; a failed write is
 * not tried again for a day. Off where this JVM itself runs without class-data sharing (a JVM without CDS
 * support) and with {@code -Dresilientkafka.testkit.cds=false}.
 *
 * <p>Thread-safe.
 */
public final class NodeClassArchive {
  private static final Logger log = LoggerFactory.getLogger(NodeClassArchive.class);

  /** System property: {@code false} turns the archive off. */
  static final String ENABLED_PROPERTY = "resilientkafka.testkit.cds";

  /** After a failed write, how long before a JVM records again. */
  private static final Duration RETRY_AFTER_FAILURE = Duration.ofDays(1);

  /** Leftovers of JVMs killed while recording or writing are deleted after this. */
  private static final Duration LEFTOVER = Duration.ofDays(1);

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
  private final Path failed;
  private final Path classList;
  /** This JVM in file names: its PID, and a random part for JVMs of other PID namespaces. */
  private final String owner =
      ProcessHandle.current().pid() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
  private final CompletableFuture<Boolean> written = new CompletableFuture<>();
  private Stage stage = Stage.IDLE;
  private @Nullable BooleanSupplier recorderRunning;
  private @Nullable Process dump;
  private @Nullable FileChannel lockChannel;
  /** Set at exit when a write is cut short: that is not a failure, so the next JVM records again. */
  private volatile boolean stoppedAtExit;
  private boolean used;

  /** An archive in {@code directory} for nodes whose classpath starts with {@code jars}. */
  NodeClassArchive(List<String> jars, Path directory) throws IOException {
    this.jars = List.copyOf(jars);
    String key = key(jars);
    this.archive = directory.resolve("nodes-" + key + ".jsa");
    this.lock = directory.resolve("nodes-" + key + ".lock");
    this.failed = directory.resolve("nodes-" + key + ".failed");
    this.classList = directory.resolve("nodes-" + key + "." + owner + ".classlist");
    deleteLeftovers();
    Runtime.getRuntime().addShutdownHook(new Thread(this::atExit, "testkit-class-archive-exit"));
  }

  /**
   * The archive for nodes whose classpath starts with {@code jars}, or null when it is off: turned off by
   * property, no class-data sharing in this JVM, or no jars (the nodes run on the caller's classpath).
   */
  static synchronized @Nullable NodeClassArchive forJars(@Nullable List<String> jars) {
    if (jars == null || jars.isEmpty() || !supported()) {
      return null;
    }
    NodeClassArchive current = shared;
    if (current == null || !current.jars.equals(jars)) {
      try {
        current = new NodeClassArchive(jars, privateDirectory());
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
    // HotSpot says "sharing" here when it maps the JDK's own archive: this JVM, and so its children, can
    return System.getProperty("java.vm.info", "").contains("sharing");
  }

  /** This user's directory in the temporary directory, readable by this user only (archives are code). */
  private static Path privateDirectory() throws IOException {
    String user = System.getProperty("user.name");
    Path directory = Path.of(System.getProperty("java.io.tmpdir"), "resilient-kafka-testkit-" + user);
    try {
      Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (FileAlreadyExistsException e) {
      // made by an earlier JVM
    }
    String owner = Files.getOwner(directory, LinkOption.NOFOLLOW_LINKS).getName();
    if (!owner.equals(user) || !Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(directory + " is not a directory of " + user + " (owner " + owner + ")");
    }
    // one made by an earlier version, or with a wider umask: only its owner may put code there
    Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
    return directory;
  }

  /** Where the archive is, or will be once written. */
  Path path() {
    return archive;
  }

  /**
   * JVM options for a node about to start: map the archive when it exists; else, for the first broker of
   * this machine's build that finds no archive and no other JVM recording one, record its classes.
   *
   * @param running whether that node is running, asked when its cluster is ready: a list recorded by a
   *     node that did not get there may be cut short, and is not written
   */
  synchronized List<String> jvmOptions(boolean broker, BooleanSupplier running) {
    if (Files.isRegularFile(archive)) {
      markUsed();
      return List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto");
    }
    if (stage != Stage.IDLE || !broker || failedRecently() || !takeLock()) {
      return List.of();
    }
    stage = Stage.RECORDING;
    recorderRunning = running;
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
   * them, the recording node is running and the archive is not written yet.
   *
   * @return completes with true once the archive is in place, false if it is not written
   */
  synchronized CompletableFuture<Boolean> write() {
    if (stage != Stage.RECORDING) {
      return stage == Stage.IDLE ? CompletableFuture.completedFuture(false) : written;
    }
    BooleanSupplier running = recorderRunning;
    if (running != null && !running.getAsBoolean()) {
      // the next broker started records again
      stage = Stage.IDLE;
      recorderRunning = null;
      deleteQuietly(classList);
      releaseLock();
      return CompletableFuture.completedFuture(false);
    }
    stage = Stage.DUMPING;
    try {
      Path list = Files.createTempFile(lock.getParent(), "nodes-", ".classlist");
      Files.writeString(list, completeLines(Files.readString(classList, StandardCharsets.UTF_8)));
      Path partial = lock.getParent().resolve(archive.getFileName() + "." + owner + ".tmp");
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
      markFailed();
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
      } else if (!stoppedAtExit) {
        log.info("writing the nodes' class-data archive failed (see {}); nodes start without it", dumpLog);
        markFailed();
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
    releaseLock();
    written.complete(archiveWritten);
  }

  /**
   * At exit: a recording no cluster became ready for leaves no lock behind; an archive being written is
   * waited for (once per machine: 7 s on an idle machine here, 26 s while a build's tests ran), within the
   * time Maven's Surefire gives a test JVM to end, then stopped.
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
      stopAtExit(running);
    } catch (InterruptedException e) {
      stopAtExit(running);
      Thread.currentThread().interrupt();
    }
  }

  /** Stops a write that did not end in time: cut short, not failed, so the next JVM records again. */
  private void stopAtExit(Process running) {
    stoppedAtExit = true;
    running.destroyForcibly();
    finish(false);
  }

  /**
   * Takes the lock: an OS file lock, as the loopback addresses use, which the OS drops when its JVM dies,
   * so a JVM killed while recording leaves nothing to clean.
   */
  private boolean takeLock() {
    FileChannel channel = null;
    try {
      channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      if (channel.tryLock() != null) {
        lockChannel = channel;
        return true;
      }
    } catch (IOException | OverlappingFileLockException e) {
      // held by another JVM, or by another instance in this one
    }
    closeQuietly(channel);
    return false;
  }

  /** Releases the lock if this instance holds it; the file goes first, while it is still held. */
  private void releaseLock() {
    FileChannel channel = lockChannel;
    lockChannel = null;
    if (channel != null) {
      deleteQuietly(lock);
      closeQuietly(channel);
    }
  }

  private static void closeQuietly(@Nullable FileChannel channel) {
    try {
      if (channel != null) {
        channel.close(); // releases its lock
      }
    } catch (IOException ignored) {
      // the OS drops the lock with the process anyway
    }
  }

  private void markFailed() {
    try {
      Files.writeString(failed, Instant.now() + "\n", StandardCharsets.UTF_8);
    } catch (IOException ignored) {
      // the next JVM tries again
    }
  }

  private boolean failedRecently() {
    try {
      return Files.getLastModifiedTime(failed).toInstant().isAfter(Instant.now().minus(RETRY_AFTER_FAILURE));
    } catch (IOException e) {
      return false; // never failed
    }
  }

  /** Once per JVM, the archive's modification time becomes "last used", so cleaning keeps what is in use. */
  private void markUsed() {
    if (!used) {
      used = true;
      try {
        Files.setLastModifiedTime(archive, FileTime.from(Instant.now()));
      } catch (IOException ignored) {
        // read-only: it may be deleted as unused after a week, and is then written again
      }
    }
  }

  /** Archives unused for a week, and what JVMs killed while recording or writing left for a day. */
  private void deleteLeftovers() {
    Instant now = Instant.now();
    try (Stream<Path> files = Files.list(archive.getParent())) {
      files
          .filter(f -> f.getFileName().toString().startsWith("nodes-"))
          .filter(f -> !f.equals(archive) && !f.equals(lock) && !f.equals(failed))
          .filter(f -> {
            Duration age = f.getFileName().toString().endsWith(".jsa") ? UNUSED_ARCHIVE : LEFTOVER;
            return lastModified(f).toInstant().isBefore(now.minus(age));
          })
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
