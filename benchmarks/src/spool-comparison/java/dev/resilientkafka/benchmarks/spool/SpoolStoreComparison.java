package dev.resilientkafka.benchmarks.spool;

import dev.resilientkafka.benchmarks.MachineInfo;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Compares stores for the producer's durable spool on its workload, each run in a fresh JVM, runs
 * interleaved (every candidate once, then again), medians reported:
 *
 * <ul>
 *   <li>1 KiB records plus about 60 bytes of metadata, appended by 1 and by 4 threads, each completed
 *       2-5 ms later by one thread (as Kafka's I/O thread would), in order per partition (8 partitions) but
 *       not across them;
 *   <li>forced every 100 ms, and forced on every append (group commit where the store allows it);
 *   <li>recovery: a million pending records written, the store closed, then opened in a new JVM and every
 *       pending record read once.
 * </ul>
 *
 * <p>Per run: appends/s, process CPU time per record, bytes the process made the kernel write to storage
 * per record ({@code write_bytes} of {@code /proc/self/io}: the journal is not counted), recovery time.
 *
 * <p>Run: {@code ./mvnw -B -ntp -o -pl benchmarks -am package -DskipTests -Dbench.skip=false}, then
 * {@code java -cp 'benchmarks/target/classes:benchmarks/target/lib/*'
 * dev.resilientkafka.benchmarks.spool.SpoolStoreComparison [--reps=3] [--seconds=4] [--recovery=1000000]
 * [--only=segment-log,rocksdb,mvstore,chronicle] [--parts=throughput,recovery]
 * [--durability=INTERVAL,ALWAYS] [--dir=/var/tmp/spool-bench] [--results=benchmarks/results]}.
 */
public final class SpoolStoreComparison {
  static final List<String> CANDIDATES = List.of("segment-log", "rocksdb", "mvstore", "chronicle");
  static final int VALUE_BYTES = 1024;
  /** What the others store per record beside their key: the value and the metadata the spool encodes. */
  static final int RECORD_BYTES = VALUE_BYTES + 60;
  /** JDK 17 keeps these closed; Chronicle Queue refuses to start without them. */
  static final List<String> CHRONICLE_JVM_FLAGS = List.of(
      "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
      "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
      "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED",
      "-Dchronicle.analytics.disable=true");
  /** Jars each candidate adds to an application (file-name prefixes on the benchmark's class path). */
  static final Map<String, List<String>> JARS = Map.of(
      "rocksdb", List.of("rocksdbjni"),
      "mvstore", List.of("h2-mvstore"),
      "chronicle", List.of("chronicle-", "affinity-", "posix-", "compiler-", "jna-", "jnr-", "jffi-", "asm-",
          "commons-cli-"),
      "segment-log", List.of());

  private SpoolStoreComparison() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--child")) {
      child(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    Map<String, String> options = new TreeMap<>();
    for (String arg : args) {
      String[] kv = arg.replaceFirst("^--", "").split("=", 2);
      options.put(kv[0], kv.length > 1 ? kv[1] : "true");
    }
    int reps = Integer.parseInt(options.getOrDefault("reps", "3"));
    int seconds = Integer.parseInt(options.getOrDefault("seconds", "4"));
    int recoveryRecords = Integer.parseInt(options.getOrDefault("recovery", "1000000"));
    List<String> candidates = List.of(options.getOrDefault("only", String.join(",", CANDIDATES)).split(","));
    Path base = Path.of(options.getOrDefault("dir", "/var/tmp/spool-store-comparison"));
    Path results = Path.of(options.getOrDefault("results", "benchmarks/results"));
    List<String> parts = List.of(options.getOrDefault("parts", "throughput,recovery").split(","));
    List<String> durabilities = List.of(options.getOrDefault("durability", "INTERVAL,ALWAYS").split(","));
    new SpoolStoreComparison().run(reps, seconds, recoveryRecords, candidates, base, results, parts, durabilities);
  }

  private final Map<String, List<Map<String, Double>>> measured = new TreeMap<>();
  private final List<String> notes = new ArrayList<>();

  private void run(int reps, int seconds, int recoveryRecords, List<String> candidates, Path base, Path results,
      List<String> parts, List<String> durabilities) throws Exception {
    String machine = MachineInfo.describe();
    Instant started = Instant.now();
    List<String[]> scenarios = List.of(new String[] {"INTERVAL", "1"}, new String[] {"INTERVAL", "4"},
        new String[] {"ALWAYS", "1"}, new String[] {"ALWAYS", "4"});
    for (int rep = 0; rep < reps; rep++) {
      if (parts.contains("throughput")) {
        for (String[] scenario : scenarios) {
          if (!durabilities.contains(scenario[0])) {
            continue;
          }
          for (String candidate : candidates) {
            Path dir = fresh(base, candidate);
            Map<String, Double> result = child(candidate, List.of("throughput", candidate, scenario[0], scenario[1],
                "1", Integer.toString(seconds), dir.toString()));
            record(candidate + " " + scenario[0] + " " + scenario[1], result);
            delete(dir);
          }
        }
      }
      if (parts.contains("recovery")) {
        for (String candidate : candidates) {
          Path dir = fresh(base, candidate);
          Map<String, Double> fill = child(candidate, List.of("fill", candidate, Integer.toString(recoveryRecords),
              dir.toString()));
          fill.put("diskBytes", (double) size(dir));
          Map<String, Double> recover = child(candidate, List.of("recover", candidate, dir.toString()));
          if (recover.getOrDefault("records", -1.0) != recoveryRecords) {
            notes.add(candidate + " recovered " + recover.get("records") + " records of " + recoveryRecords);
          }
          recover.putAll(prefixed("fill.", fill));
          record(candidate + " recovery", recover);
          delete(dir);
        }
      }
    }
    String report = report(reps, seconds, recoveryRecords, candidates, machine, started);
    System.out.println(report);
    Files.createDirectories(results);
    Files.writeString(results.resolve("spool-store-comparison.md"), report);
  }

  private static Map<String, Double> prefixed(String prefix, Map<String, Double> values) {
    Map<String, Double> out = new TreeMap<>();
    values.forEach((k, v) -> out.put(prefix + k, v));
    return out;
  }

  private void record(String key, Map<String, Double> result) {
    measured.computeIfAbsent(key, k -> new ArrayList<>()).add(result);
    System.out.printf(Locale.ROOT, "%-32s %s%n", key, result);
  }

  private static Path fresh(Path base, String candidate) throws IOException {
    Path dir = base.resolve(candidate + "-" + System.nanoTime());
    Files.createDirectories(dir);
    return dir;
  }

  private static long size(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Runs one measurement in a new JVM and returns what its RESULT line says. */
  private Map<String, Double> child(String candidate, List<String> args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx2g");
    if (candidate.equals("chronicle")) {
      command.addAll(CHRONICLE_JVM_FLAGS);
    }
    command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(SpoolStoreComparison.class.getName());
    command.add("--child");
    command.addAll(args);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    Map<String, Double> result = new TreeMap<>();
    List<String> output = new ArrayList<>();
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        if (line.startsWith("RESULT ")) {
          for (String kv : line.substring(7).split(" ")) {
            String[] parts = kv.split("=");
            result.put(parts[0], Double.parseDouble(parts[1]));
          }
        } else if (output.size() < 40) {
          output.add(line);
        }
      }
    } finally {
      if (!process.waitFor(15, TimeUnit.MINUTES)) {
        process.destroyForcibly();
      }
    }
    if (process.exitValue() != 0 || result.isEmpty()) {
      throw new IllegalStateException("child " + args + " failed (exit " + process.exitValue() + "):\n"
          + String.join("\n", output));
    }
    return result;
  }

  // ---------------------------------------------------------------- the child JVM

  private static void child(String[] args) throws Exception {
    switch (args[0]) {
      case "throughput" -> throughput(args[1], StoreCandidate.Durability.valueOf(args[2]), Integer.parseInt(args[3]),
          Integer.parseInt(args[4]), Integer.parseInt(args[5]), Path.of(args[6]));
      case "fill" -> fill(args[1], Integer.parseInt(args[2]), Path.of(args[3]));
      case "recover" -> recover(args[1], Path.of(args[2]));
      default -> throw new IllegalArgumentException(args[0]);
    }
    System.exit(0); // some stores leave non-daemon threads behind
  }

  private static byte[] payload() {
    byte[] payload = new byte[RECORD_BYTES];
    ThreadLocalRandom.current().nextBytes(payload); // incompressible, as serialized records mostly are
    return payload;
  }

  private static void throughput(String name, StoreCandidate.Durability durability, int threads, int warmupSeconds,
      int seconds, Path dir) throws Exception {
    byte[] payload = payload();
    byte[] value = name.equals("segment-log") ? Arrays.copyOf(payload, VALUE_BYTES) : payload;
    LongAdder appends = new LongAdder();
    try (StoreCandidate store = StoreCandidate.open(name, dir, durability)) {
      Acker acker = new Acker(store);
      acker.start();
      List<Thread> appenders = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Thread appender = new Thread(() -> {
          try {
            while (!acker.stopping) {
              long id = store.append(value);
              appends.increment();
              acker.enqueue(id);
            }
          } catch (Exception e) {
            acker.failure = e;
          }
        }, "appender-" + t);
        appender.start();
        appenders.add(appender);
      }
      Thread.sleep(warmupSeconds * 1000L);
      long appends0 = appends.sum();
      long cpu0 = cpuNanos();
      long disk0 = writeBytes();
      long t0 = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      long appends1 = appends.sum();
      long cpu1 = cpuNanos();
      long disk1 = writeBytes();
      long t1 = System.nanoTime();
      acker.stopping = true;
      for (Thread appender : appenders) {
        appender.join();
      }
      acker.join();
      if (acker.failure != null) {
        throw acker.failure;
      }
      long n = appends1 - appends0;
      System.out.printf(Locale.ROOT, "RESULT appendsPerSec=%.1f cpuMicrosPerRecord=%.2f diskBytesPerRecord=%.1f"
              + " completed=%d%n", n * 1e9 / (t1 - t0), (cpu1 - cpu0) / 1e3 / n, (disk1 - disk0) / (double) n,
          acker.completed);
    }
  }

  private static void fill(String name, int records, Path dir) throws Exception {
    byte[] payload = payload();
    byte[] value = name.equals("segment-log") ? Arrays.copyOf(payload, VALUE_BYTES) : payload;
    long start = System.nanoTime();
    try (StoreCandidate store = StoreCandidate.open(name, dir, StoreCandidate.Durability.NONE)) {
      for (int i = 0; i < records; i++) {
        store.append(value);
      }
    }
    System.out.printf(Locale.ROOT, "RESULT millis=%.1f%n", (System.nanoTime() - start) / 1e6);
  }

  private static void recover(String name, Path dir) throws Exception {
    long start = System.nanoTime();
    try (StoreCandidate store = StoreCandidate.open(name, dir, StoreCandidate.Durability.INTERVAL)) {
      long opened = System.nanoTime();
      long records = store.readAllPending();
      long read = System.nanoTime();
      System.out.printf(Locale.ROOT, "RESULT openMillis=%.1f recoverMillis=%.1f records=%d cpuMillis=%.1f%n",
          (opened - start) / 1e6, (read - start) / 1e6, records, cpuNanos() / 1e6);
    }
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Bytes this process caused to be sent to storage so far. */
  private static long writeBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
      if (line.startsWith("write_bytes:")) {
        return Long.parseLong(line.substring("write_bytes:".length()).trim());
      }
    }
    return -1;
  }

  /**
   * Completes records 2-5 ms after their append from one thread, as Kafka's I/O thread does: in order
   * within each of 8 partitions, not across them.
   */
  private static final class Acker extends Thread {
    private static final int PARTITIONS = 8;
    private final StoreCandidate store;
    @SuppressWarnings("unchecked")
    private final ConcurrentLinkedQueue<long[]>[] partitions = new ConcurrentLinkedQueue[PARTITIONS];
    volatile boolean stopping;
    volatile Exception failure;
    long completed;

    Acker(StoreCandidate store) {
      super("acker");
      this.store = store;
      for (int p = 0; p < PARTITIONS; p++) {
        partitions[p] = new ConcurrentLinkedQueue<>();
      }
    }

    void enqueue(long id) {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      long ackAt = System.nanoTime() + 2_000_000 + random.nextLong(3_000_000);
      partitions[random.nextInt(PARTITIONS)].add(new long[] {id, ackAt});
    }

    @Override
    public void run() {
      try {
        while (!stopping) {
          long now = System.nanoTime();
          for (ConcurrentLinkedQueue<long[]> partition : partitions) {
            long[] head;
            while ((head = partition.peek()) != null && head[1] <= now) {
              partition.poll();
              store.complete(head[0]);
              completed++;
            }
          }
          LockSupport.parkNanos(250_000);
        }
      } catch (Exception e) {
        failure = e;
      }
    }
  }

  // ---------------------------------------------------------------- the report

  private double median(String key, String metric) {
    List<Map<String, Double>> runs = measured.getOrDefault(key, List.of());
    double[] values = runs.stream().mapToDouble(r -> r.getOrDefault(metric, Double.NaN)).sorted().toArray();
    if (values.length == 0) {
      return Double.NaN;
    }
    return values.length % 2 == 1 ? values[values.length / 2]
        : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
  }

  private String runs(String key, String metric, String format) {
    List<String> values = new ArrayList<>();
    for (Map<String, Double> r : measured.getOrDefault(key, List.of())) {
      values.add(String.format(Locale.ROOT, format, r.getOrDefault(metric, Double.NaN)));
    }
    return String.join(" / ", values);
  }

  private String report(int reps, int seconds, int recoveryRecords, List<String> candidates, String machine,
      Instant started) throws IOException {
    StringBuilder md = new StringBuilder();
    md.append("# Spool store comparison\n\n");
    md.append(String.format(Locale.ROOT, "Generated by `SpoolStoreComparison` (%s to %s): %d interleaved runs per"
        + " cell, each in a new JVM, %d s measured after 1 s of warm-up; medians, with every run's value for"
        + " appends/s. Records: %d-byte value plus about 60 bytes of metadata; completed 2-5 ms after append"
        + " by one thread, in order within 8 partitions.%n%n", started, Instant.now(), reps, seconds, VALUE_BYTES));
    for (String durability : List.of("INTERVAL", "ALWAYS")) {
      md.append(durability.equals("INTERVAL") ? "## Forced every 100 ms\n\n"
          : "## Forced on every append (group commit where the store has it)\n\n");
      md.append("| store | threads | appends/s (median) | runs | CPU µs/record | disk bytes written/record |\n");
      md.append("|---|---|---|---|---|---|\n");
      for (String threads : List.of("1", "4")) {
        for (String candidate : candidates) {
          String key = candidate + " " + durability + " " + threads;
          md.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %s | %.1f | %,.0f |%n", candidate, threads,
              median(key, "appendsPerSec"), runs(key, "appendsPerSec", "%.0f"),
              median(key, "cpuMicrosPerRecord"), median(key, "diskBytesPerRecord")));
        }
      }
      md.append('\n');
    }
    md.append(String.format(Locale.ROOT, "## Recovery of %,d pending records%n%n", recoveryRecords));
    md.append("Written without forcing by one thread, closed, then opened in a new JVM (page cache warm) and"
        + " every pending record read once.\n\n");
    md.append("| store | open ms | open + read all ms | runs (open + read) | CPU ms of the recovering JVM"
        + " | on disk (MB) | fill ms |\n|---|---|---|---|---|---|---|\n");
    for (String candidate : candidates) {
      String key = candidate + " recovery";
      md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %s | %.0f | %.0f | %.0f |%n", candidate,
          median(key, "openMillis"), median(key, "recoverMillis"), runs(key, "recoverMillis", "%.0f"),
          median(key, "cpuMillis"), median(key, "fill.diskBytes") / 1e6, median(key, "fill.millis")));
    }
    md.append("\n## What each adds to an application\n\n| store | jars | size (MB) | JVM flags needed on JDK 17 |\n"
        + "|---|---|---|---|\n");
    for (String candidate : candidates) {
      List<File> jars = jars(candidate);
      md.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %s |%n", candidate,
          jars.isEmpty() ? "none (part of client-core)" : jars.size() + ": " + String.join(", ",
              jars.stream().map(File::getName).toList()),
          jars.stream().mapToLong(File::length).sum() / 1e6,
          candidate.equals("chronicle") ? String.join(" ", CHRONICLE_JVM_FLAGS) : "none"));
    }
    if (!notes.isEmpty()) {
      md.append("\nNotes:\n\n");
      notes.forEach(n -> md.append("- ").append(n).append('\n'));
    }
    md.append("\n## Machine\n\n").append(machine);
    return md.toString();
  }

  private static List<File> jars(String candidate) {
    List<String> prefixes = JARS.getOrDefault(candidate, List.of());
    Map<String, File> found = new LinkedHashMap<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      File file = new File(entry);
      String name = file.getName();
      if (name.endsWith(".jar") && prefixes.stream().anyMatch(name::startsWith)) {
        found.put(name, file);
      }
    }
    return new ArrayList<>(found.values());
  }
}
