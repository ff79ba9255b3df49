package dev.resilientkafka.benchmarks;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.resilientkafka.benchmarks.InterleavedRuns.Arm;
import dev.resilientkafka.benchmarks.InterleavedRuns.Sample;
import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * What the durable spool costs and how fast it empties, in client JVMs against the suite's shared cluster
 * (3 brokers, RF 3, {@code min.insync.replicas=2}, {@code acks=all}, 1 KiB keyed records). First, saturation
 * with one sending thread x 1,024 records in flight (as the steady part), three arms interleaved: the twin, the
 * resilient producer without a spool and with one (forced to disk every 100 ms, a fresh directory per
 * run). Then the replay: a producer with a spool is given records while two of three brokers are stopped
 * (nothing is acknowledged), its JVM is killed by PID, the brokers return, and a new JVM on the same directory
 * sends them all. Not thread-safe.
 */
final class SpoolComparison {
  /** {@code resilient.spool.fsync} of every spool measured: the library's default. */
  static final String FSYNC = "100";
  static final String SPOOLED = "resilient + spool";
  private static final List<String> ARMS = List.of("plain", "resilient", SPOOLED);
  private static final int REPLAY_PARTITIONS = 6;
  private static final Duration FILL_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration REPLAY_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration HEAL_TIMEOUT = Duration.ofMinutes(5);
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /**
   * One replay run.
   *
   * @param run 0-based
   * @param spooled records in the spool when the filling JVM was killed
   * @param spoolBytes their size on disk
   * @param fillSeconds from the first {@code send()} until the last returned, no record acknowledged
   * @param inTopicBefore records in the topic before the replay (its end offsets): 0 when the outage held
   * @param recovered records the replaying producer found in the spool
   * @param tornTails records cut short by the kill, truncated at start
   * @param healSeconds from the start of the stopped brokers until every partition was in sync again and led by
   *     its preferred replica
   * @param openSeconds building the replaying producer (opening the spool included)
   * @param firstAckSeconds from the start of that build until the first record left the spool
   * @param replaySeconds from the start of that build until the spool was empty
   * @param recordsPerSecond {@code recovered / replaySeconds}
   * @param secondHalfRecordsPerSecond the rate over the second half of the records (the start-up behind)
   * @param cpuMicrosPerRecord the replaying JVM's process CPU time over {@code replaySeconds}, per record
   * @param secondHalfCpuMicrosPerRecord its CPU time over the second half, per record of that half
   * @param allocatedBytesPerRecord its allocation over the same time, per record
   * @param remaining records left in the spool (0 unless the replay timed out)
   * @param inTopicAfter records in the topic after the replay
   * @param loadAverage the machine's 1-minute load average when the replay started
   */
  record Replay(int run, long spooled, long spoolBytes, double fillSeconds, long inTopicBefore, long recovered,
      int tornTails, double healSeconds, double openSeconds, double firstAckSeconds, double replaySeconds,
      double recordsPerSecond, double secondHalfRecordsPerSecond, double cpuMicrosPerRecord,
      double secondHalfCpuMicrosPerRecord, double allocatedBytesPerRecord, long remaining, long inTopicAfter,
      double loadAverage) {}

  /**
   * Everything the part measured, kept as {@code raw-spool.json} (its section can be written again from it).
   *
   * @param steady the saturation runs of the three arms
   * @param replays the replay runs
   * @param fileSystem the type of the file system the spools were on
   * @param records records given to each replay run
   */
  record Raw(List<Sample> steady, List<Replay> replays, String fileSystem, int records) {}

  private final LocalKafkaCluster cluster;
  private final ClientComparisons.Plan plan;
  private final Path logs;
  private final @Nullable Path profile;
  private final String profileArm;
  private final int records;
  private final Path spoolRoot;

  /**
   * @param records records per replay run
   * @param spoolRoot where the spools are made (emptied first)
   */
  SpoolComparison(LocalKafkaCluster cluster, ClientComparisons.Plan plan, Path logs, @Nullable Path profile,
      String profileArm, int records, Path spoolRoot) {
    this.cluster = cluster;
    this.plan = plan;
    this.logs = logs;
    this.profile = profile;
    this.profileArm = profileArm;
    this.records = records;
    this.spoolRoot = spoolRoot.toAbsolutePath();
  }

  /** Records per replay run in each mode. */
  static int replayRecords(String mode) {
    return switch (mode) {
      case "full" -> 200_000;
      case "smoke" -> 2_000;
      default -> 100_000;
    };
  }

  /** Measures both and returns the section, the saturation samples and the raw data. */
  ClientComparisons.Part run() throws InterruptedException {
    DirectoryCleaner.delete(spoolRoot);
    String fileSystem;
    try {
      fileSystem = Files.getFileStore(Files.createDirectories(spoolRoot)).type();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the spool directory " + spoolRoot, e);
    }
    ClientComparisons.createTopics(cluster, List.of("spool"), 6, 3);
    List<Arm> arms = new ArrayList<>();
    for (ClientKind kind : ClientKind.values()) {
      arms.add(new Arm(kind.label(), saturate(kind)));
    }
    arms.add(new Arm(SPOOLED, saturate(ClientKind.RESILIENT).withSpool(spoolRoot.resolve("steady").toString(), FSYNC)));
    List<Sample> steady = InterleavedRuns.run("spool-steady", arms, plan.repetitions(), logs, profile, profileArm,
        false);
    List<Replay> replays = new ArrayList<>();
    for (int run = 0; run < plan.repetitions(); run++) {
      replays.add(replay(run));
    }
    Raw raw = new Raw(steady, replays, fileSystem, records);
    return new ClientComparisons.Part("spool", markdown(plan, raw), steady, raw);
  }

  private ClientSpec saturate(ClientKind kind) {
    return ClientSpec.saturate(kind, cluster.bootstrapFqdns(), List.of("spool"), 1, 1024, plan.warmupSeconds(),
        plan.windowSeconds());
  }

  /** One fill, kill and replay on a fresh topic and spool directory. */
  private Replay replay(int run) throws InterruptedException {
    String topic = "spool-replay-" + run;
    ClientComparisons.createTopics(cluster, List.of(topic), REPLAY_PARTITIONS, 3);
    Path dir = spoolRoot.resolve("replay-" + run);
    // broker 0 stays: it leads every partition, and with min.insync.replicas=2 it refuses every acks=all write
    int[] down = {1, 2};
    for (int id : down) {
      cluster.stop(id);
    }
    SpoolReplayClient.Filled filled;
    long before;
    double healSeconds;
    try {
      filled = fill(run, dir, topic);
      before = inTopic(topic);
    } finally {
      long healStart = System.nanoTime();
      cluster.healAll(HEAL_TIMEOUT);
      electPreferredLeaders(topic);
      healSeconds = (System.nanoTime() - healStart) / 1e9;
    }
    SpoolReplayClient.Replayed replayed;
    try (ClientJvm.Child replay = ClientJvm.start(SpoolReplayClient.class, List.of(), List.of("replay",
        dir.toString(), cluster.bootstrapFqdns(), FSYNC, Long.toString(REPLAY_TIMEOUT.toSeconds())),
        logs.resolve("spool-replay-" + run + ".log"))) {
      replayed = JSON.readValue(replay.awaitResult("spool replay", REPLAY_TIMEOUT.plusMinutes(1)),
          SpoolReplayClient.Replayed.class);
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable result of the replaying client JVM", e);
    }
    long after = inTopic(topic);
    DirectoryCleaner.delete(dir);
    double perRecord = Math.max(1, replayed.recovered());
    // the second half: the spool held at most this many at halfSeconds (fewer by what left within one 10 ms poll)
    double secondHalf = Math.max(1, replayed.recovered() - replayed.recovered() / 2);
    Replay result = new Replay(run, filled.records(), filled.bytes(), filled.seconds(), before, replayed.recovered(),
        replayed.tornTails(), healSeconds, replayed.openSeconds(), replayed.firstAckSeconds(), replayed.replaySeconds(),
        replayed.recovered() / replayed.replaySeconds(), secondHalf / (replayed.replaySeconds() - replayed.halfSeconds()),
        replayed.cpuSeconds() * 1e6 / perRecord, replayed.secondHalfCpuSeconds() * 1e6 / secondHalf,
        replayed.allocatedBytes() / perRecord, replayed.remaining(), after, replayed.loadAverage());
    BenchmarkSuite.log("spool replay %d: %d recovered, replayed in %.1f s (%.0f records/s, second half %.0f; %.1f us "
            + "CPU/record, second half %.1f), topic %d -> %d, load %.1f", run, result.recovered(),
        result.replaySeconds(), result.recordsPerSecond(), result.secondHalfRecordsPerSecond(),
        result.cpuMicrosPerRecord(), result.secondHalfCpuMicrosPerRecord(), before, after, result.loadAverage());
    return result;
  }

  /** A client JVM with a spool on {@code dir} is given the records, then killed with SIGKILL by PID. */
  private SpoolReplayClient.Filled fill(int run, Path dir, String topic) throws InterruptedException {
    try (ClientJvm.Child fill = ClientJvm.start(SpoolReplayClient.class, List.of(), List.of("fill", dir.toString(),
        cluster.bootstrapFqdns(), topic, Integer.toString(records), FSYNC), logs.resolve("spool-fill-" + run + ".log"))) {
      String line = fill.awaitLine("FILLED ", FILL_TIMEOUT);
      SpoolReplayClient.Filled filled = JSON.readValue(line.substring("FILLED ".length()),
          SpoolReplayClient.Filled.class);
      int status = fill.kill();
      BenchmarkSuite.log("spool replay %d: %d records (%.0f MB) in the spool in %.1f s; client JVM %d killed (exit %d)",
          run, filled.records(), filled.bytes() / 1e6, filled.seconds(), fill.pid(), status);
      return filled;
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable FILLED line of the filling client JVM", e);
    }
  }

  /** The sum of the topic's end offsets: records written (no transactions, no compaction here). */
  private long inTopic(String topic) {
    try {
      TopicDescription description = cluster.admin().describeTopics(List.of(topic)).allTopicNames()
          .get(30, TimeUnit.SECONDS).get(topic);
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      description.partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      return cluster.admin().listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
          .mapToLong(o -> o.offset()).sum();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot read the end offsets of " + topic, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted reading the end offsets of " + topic, e);
    }
  }

  /**
   * Moves each partition's leadership back to its preferred replica: after the outage broker 0 leads all of
   * them, and Kafka would rebalance only after {@code leader.imbalance.check.interval.seconds} (5 min).
   */
  private void electPreferredLeaders(String topic) throws InterruptedException {
    Set<TopicPartition> partitions = IntStream.range(0, REPLAY_PARTITIONS).mapToObj(p -> new TopicPartition(topic, p))
        .collect(Collectors.toSet());
    try {
      // a partition already led by its preferred replica answers ElectionNotNeededException: nothing to do
      cluster.admin().electLeaders(ElectionType.PREFERRED, partitions).partitions().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot elect the preferred leaders of " + topic, e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        TopicDescription description = cluster.admin().describeTopics(List.of(topic)).allTopicNames()
            .get(30, TimeUnit.SECONDS).get(topic);
        if (description.partitions().stream().allMatch(p -> p.leader() != null
            && p.leader().id() == p.replicas().get(0).id())) {
          return;
        }
      } catch (ExecutionException | TimeoutException e) {
        // a broker just back may not answer yet: ask again
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the partitions of " + topic + " not led by their preferred replica after 60 s");
      }
      TimeUnit.MILLISECONDS.sleep(200); // the election's metadata reaching the brokers, then ask again
    }
  }

  static String markdown(ClientComparisons.Plan plan, Raw raw) {
    List<Sample> samples = raw.steady();
    StringBuilder md = new StringBuilder("## Durable spool: its cost at saturation, and the replay after the ")
        .append("application was killed\n\n")
        .append("3 brokers, RF 3, `min.insync.replicas=2`, `acks=all`, keyed 1 KiB records. The spool is forced to ")
        .append("disk every ").append(FSYNC).append(" ms (`resilient.spool.fsync`, the default), on ")
        .append(raw.fileSystem()).append(" under `benchmarks/target/bench-spool`, a fresh directory per run. CPU per ")
        .append("record = the client JVM's process CPU time (user and system: the spool's writes and fsync calls ")
        .append("count, the kernel's own write-back threads do not) / records acknowledged.\n\n")
        .append("### Saturation, 1 sending thread x 1024 records in flight\n\n")
        .append(ClientComparisons.runs(samples, "plain")).append(" runs per arm, the three arms interleaved, each in a ")
        .append("fresh client JVM: ").append(plan.warmupSeconds()).append(" s warm-up and on until the JIT compilers are quiet, then a ")
        .append(plan.windowSeconds()).append(" s window. Cells: median (min-max); \"paired\": the median (min-max) of ")
        .append("the ratios of runs that ran next to each other.\n\n")
        .append(ClientComparisons.saturationTable(samples, ARMS)).append('\n');
    double throughput = ClientComparisons.medianRatio(samples, SPOOLED, "plain", ClientResult::acksPerSecond);
    md.append(String.format(Locale.ROOT, "- throughput %s / plain: **%.3fx** %s; paired %s%n", SPOOLED, throughput,
        Targets.atLeast(throughput, ClientComparisons.pairedSpread(samples, SPOOLED, "plain",
            ClientResult::acksPerSecond), Targets.SPOOL_THROUGHPUT_MIN),
        ClientComparisons.paired(samples, SPOOLED, "plain", ClientResult::acksPerSecond)));
    md.append(ratio(samples, "CPU per record", SPOOLED, "plain", ClientResult::cpuMicrosPerRecord));
    md.append(ratio(samples, "throughput", SPOOLED, "resilient", ClientResult::acksPerSecond));
    md.append(ratio(samples, "CPU per record", SPOOLED, "resilient", ClientResult::cpuMicrosPerRecord));
    md.append(ratio(samples, "allocated bytes per record", SPOOLED, "resilient",
        ClientResult::allocatedBytesPerRecord)).append('\n');
    md.append(replayMarkdown(samples, raw));
    return md.toString();
  }

  private static String ratio(List<Sample> samples, String what, String top, String bottom,
      ToDoubleFunction<ClientResult> value) {
    return String.format(Locale.ROOT, "- %s %s / %s: %.3fx; paired %s%n", what, top, bottom,
        ClientComparisons.medianRatio(samples, top, bottom, value), ClientComparisons.paired(samples, top, bottom, value));
  }

  private static String replayMarkdown(List<Sample> samples, Raw raw) {
    List<Replay> replays = raw.replays();
    StringBuilder md = new StringBuilder("### Replay of a spool left by a killed application\n\n")
        .append("Each run on a fresh topic (6 partitions): two of the three brokers stopped (controlled shutdown, ")
        .append("their names gone from DNS), so the remaining leader refuses every `acks=all` write with ")
        .append("NOT_ENOUGH_REPLICAS; a client JVM with a spool sends ").append(String.format(Locale.ROOT, "%,d",
            raw.records()))
        .append(" records (`send()` returns once a record is in the spool; the memory bound, 32 MiB, holds ")
        .append("the first ones, the rest wait on disk) and is killed with SIGKILL by PID once every `send()` ")
        .append("returned. The brokers are started again, every partition back in sync and led by its preferred ")
        .append("replica; then a new client JVM opens the same directory. Replay: from the start of building its ")
        .append("producer (Kafka's producer, the spool's recovery, the first metadata: what a restarted ")
        .append("application pays) until the spool holds no record, every one acknowledged. CPU and allocation over ")
        .append("the same time. In the topic: the sum of its end offsets, before and after the replay.\n\n")
        .append("| run | in the spool | MB | send() of all s | brokers back s | recovered | open s | first ack s | ")
        .append("replay s | records/s | second half records/s | CPU µs/record | second half CPU µs/record | ")
        .append("allocated B/record | topic before → after | load |\n")
        .append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|\n");
    for (Replay r : replays) {
      md.append(String.format(Locale.ROOT, "| %d | %d | %.0f | %.1f | %.1f | %d | %.2f | %.2f | %.1f | %.0f | %.0f | %.1f "
              + "| %.1f | %.0f | %d → %d | %.1f |%n", r.run(), r.spooled(), r.spoolBytes() / 1e6, r.fillSeconds(),
          r.healSeconds(), r.recovered(), r.openSeconds(), r.firstAckSeconds(), r.replaySeconds(),
          r.recordsPerSecond(), r.secondHalfRecordsPerSecond(), r.cpuMicrosPerRecord(),
          r.secondHalfCpuMicrosPerRecord(), r.allocatedBytesPerRecord(), r.inTopicBefore(), r.inTopicAfter(),
          r.loadAverage()));
    }
    Spread rate = Spread.of(replays.stream().map(Replay::recordsPerSecond).toList());
    Spread cpu = Spread.of(replays.stream().map(Replay::cpuMicrosPerRecord).toList());
    Spread open = Spread.of(replays.stream().map(Replay::openSeconds).toList());
    Spread firstAck = Spread.of(replays.stream().map(Replay::firstAckSeconds).toList());
    Spread lateRate = Spread.of(replays.stream().map(Replay::secondHalfRecordsPerSecond).toList());
    Spread lateCpu = Spread.of(replays.stream().map(Replay::secondHalfCpuMicrosPerRecord).toList());
    double plain = InterleavedRuns.spread(samples, "plain", ClientResult::acksPerSecond).median();
    boolean complete = replays.stream().allMatch(r -> r.remaining() == 0 && r.inTopicBefore() == 0
        && r.inTopicAfter() == r.spooled() && r.recovered() == r.spooled() && r.tornTails() == 0);
    md.append(String.format(Locale.ROOT, "%n- replay rate: **%.0f records/s** (%.0f-%.0f over %d runs), %.2fx the twin's "
            + "acks/s at saturation above; CPU %.1f µs/record (%.1f-%.1f); opening %.2f s (%.2f-%.2f), first "
            + "acknowledgement after %.2f s (%.2f-%.2f)%n", rate.median(), rate.min(), rate.max(), rate.count(),
        rate.median() / plain, cpu.median(), cpu.min(), cpu.max(), open.median(), open.min(), open.max(),
        firstAck.median(), firstAck.min(), firstAck.max()));
    md.append(String.format(Locale.ROOT, "- second half of the records (the start of the client JVM and its producer "
            + "behind it): %.0f records/s (%.0f-%.0f), CPU %.1f µs/record (%.1f-%.1f)%n", lateRate.median(), lateRate.min(),
        lateRate.max(), lateCpu.median(), lateCpu.min(), lateCpu.max()));
    md.append(complete ? "- every run: nothing in the topic before the replay (the outage acknowledged nothing), every "
        + "record recovered (none torn), the spool empty and as many records in the topic as were spooled\n\n"
        : "- **not every run was complete**: see raw-spool.json (recovered, torn tails, records left, the topic's "
        + "records)\n\n");
    return md.toString();
  }
}
