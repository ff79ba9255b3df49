package dev.resilientkafka.benchmarks;

import dev.resilientkafka.benchmarks.InterleavedRuns.Arm;
import dev.resilientkafka.benchmarks.InterleavedRuns.Sample;
import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jspecify.annotations.Nullable;

/**
 * The comparisons measured in client JVMs against one shared 3-broker cluster (RF 3, {@code
 * min.insync.replicas=2}, {@code acks=all}, 1 KiB keyed records): saturation (one thread x 1,024 in
 * flight, eight threads x 128), latency at a fixed rate, one topic against 1,000 topics, and the requests
 * each client sends while healthy. Each returns its markdown and its raw samples. Not thread-safe.
 */
final class ClientComparisons {
  static final int LATENCY_RATE = 2_000;
  static final int SCALE_TOPICS = 1_000;
  /** Partitions of each of the scale comparison's many topics. */
  static final int SCALE_PARTITIONS = 3;
  /** Partitions of the scale comparison's wide topic: as many as the many topics have together. */
  static final int SCALE_WIDE_PARTITIONS = SCALE_TOPICS * SCALE_PARTITIONS;
  /**
   * The scale comparison's third arm: one topic of {@link #SCALE_WIDE_PARTITIONS}, so that Kafka's
   * per-partition work is the same as over the many topics and only the number of topics differs.
   */
  static final String SCALE_WIDE = ", 1 topic of " + SCALE_WIDE_PARTITIONS + " partitions";
  /**
   * The scale comparison's rate: what three brokers sharing two cores with 3,000 partitions sustain here
   * (at 2,000 records/s they fell behind and latency reached seconds, so CPU per record measured the brokers).
   */
  static final int SCALE_RATE = 1_000;
  static final int REQUEST_RATE_PER_PRODUCER = 100;

  /**
   * How long and how often each comparison runs.
   *
   * @param repetitions pairs (or rounds of arms) per comparison
   * @param warmupSeconds before each window
   * @param windowSeconds measured window
   * @param requestRepetitions rounds of the request count
   * @param requestWindowSeconds the request count's window (the library re-reads topic configs every 5 min)
   */
  record Plan(int repetitions, int warmupSeconds, int windowSeconds, int requestRepetitions,
      int requestWindowSeconds) {
    static Plan of(String mode) {
      return switch (mode) {
        case "full" -> new Plan(6, 10, 30, 1, 330);
        case "smoke" -> new Plan(1, 2, 3, 1, 5);
        default -> new Plan(3, 10, 20, 1, 60);
      };
    }

    /** This plan with {@code count} repetitions of each comparison, or unchanged for 0. */
    Plan withRepetitions(int count) {
      return count == 0 ? this : new Plan(count, warmupSeconds, windowSeconds, count, requestWindowSeconds);
    }
  }

  /**
   * A comparison's markdown and raw samples.
   *
   * @param raw what is kept as {@code raw-<name>.json}: the samples, or more where the part measured more
   */
  record Part(String name, String markdown, List<Sample> samples, Object raw) {
    Part(String name, String markdown, List<Sample> samples) {
      this(name, markdown, samples, samples);
    }
  }

  private final LocalKafkaCluster cluster;
  private final Plan plan;
  private final Path logs;
  private final @Nullable Path profile;
  private final String profileArm;

  ClientComparisons(LocalKafkaCluster cluster, Plan plan, Path logs, @Nullable Path profile, String profileArm) {
    this.cluster = cluster;
    this.plan = plan;
    this.logs = logs;
    this.profile = profile;
    this.profileArm = profileArm;
  }

  /** Saturation, at each of {@link #steadyShapes()}: throughput and CPU per record. */
  Part steady() throws InterruptedException {
    List<int[]> shapes = steadyShapes();
    boolean withoutIdsArm = noRecordIdArm();
    Path baseline = baselineBuild();
    createTopics(List.of("steady"), 6, 3);
    List<Sample> all = new ArrayList<>();
    for (int[] shape : shapes) {
      List<Arm> arms = new ArrayList<>();
      for (ClientKind kind : ClientKind.values()) {
        arms.add(new Arm(kind.label(), ClientSpec.saturate(kind, cluster.bootstrapFqdns(), List.of("steady"), shape[0],
            shape[1], plan.warmupSeconds(), plan.windowSeconds())));
      }
      if (withoutIdsArm) {
        // what the record-id header costs (Kafka encodes it with every record): the library without it
        arms.add(new Arm(NO_RECORD_ID, ClientSpec.saturate(ClientKind.RESILIENT, cluster.bootstrapFqdns(),
            List.of("steady"), shape[0], shape[1], plan.warmupSeconds(), plan.windowSeconds()).withoutRecordIds()));
      }
      if (baseline != null) {
        arms.add(new Arm(BASELINE, ClientSpec.saturate(ClientKind.RESILIENT, cluster.bootstrapFqdns(), List.of("steady"),
            shape[0], shape[1], plan.warmupSeconds(), plan.windowSeconds()), baseline));
      }
      all.addAll(InterleavedRuns.run(shapeName(shape), arms, plan.repetitions(), logs, profile, profileArm, false));
    }
    return new Part("steady", steadyMarkdown(plan, all), all);
  }

  /**
   * Another build of the library to compare in the same interleaved runs ({@code -Dbench.baseline=<the
   * client-core jar of that build>}): the only way to tell two versions apart on a machine whose runs of one
   * version spread by more than versions differ. Null when not set.
   *
   * @throws IllegalArgumentException when the file named does not exist
   */
  static @Nullable Path baselineBuild() {
    String named = System.getProperty("bench.baseline", "");
    if (named.isBlank()) {
      return null;
    }
    Path jar = Path.of(named.trim());
    if (!java.nio.file.Files.exists(jar)) {
      throw new IllegalArgumentException("Invalid value " + named + " for bench.baseline: no such file or directory;"
          + " expected the client-core jar (or classes directory) of the build to compare with");
    }
    return jar;
  }

  private static final int[][] SHAPES = {{1, 1024}, {8, 128}};

  /**
   * The shapes the steady part runs: {@code -Dbench.steady.shapes=1x1024,8x128} (sending threads x records in
   * flight), both when unset; one shape alone affords more interleaved pairs in the same time.
   *
   * @throws IllegalArgumentException for a value that is not a list of {@code <threads>x<in flight>}
   */
  static List<int[]> steadyShapes() {
    String named = System.getProperty("bench.steady.shapes", "").trim();
    if (named.isEmpty()) {
      return List.of(SHAPES);
    }
    List<int[]> shapes = new ArrayList<>();
    for (String one : named.split(",")) {
      int[] shape = shape(one.trim());
      // a shape twice would pair runs across its two series
      if (shape == null || shapes.stream().anyMatch(earlier -> java.util.Arrays.equals(earlier, shape))) {
        throw new IllegalArgumentException("Invalid value " + named + " for bench.steady.shapes: expected shapes "
            + "<sending threads>x<records in flight>, comma-separated, each once, e.g. 1x1024,8x128");
      }
      shapes.add(shape);
    }
    return shapes;
  }

  /** {@code <threads>x<in flight>} (both at least 1) as a shape, or null when it is not one. */
  private static int @Nullable [] shape(String text) {
    String[] parts = text.split("x");
    try {
      int[] shape = {Integer.parseInt(parts[0]), parts.length == 2 ? Integer.parseInt(parts[1]) : 0};
      return shape[0] >= 1 && shape[1] >= 1 ? shape : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * Whether the steady part also runs the library without its record-id header ({@code
   * -Dbench.steady.no-record-id-arm}, true when unset).
   *
   * @throws IllegalArgumentException for a value other than true or false
   */
  static boolean noRecordIdArm() {
    String named = System.getProperty("bench.steady.no-record-id-arm", "").trim();
    return switch (named.toLowerCase(java.util.Locale.ROOT)) {
      case "", "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("Invalid value " + named
          + " for bench.steady.no-record-id-arm: must be true or false");
    };
  }

  /** The steady-state arm of the resilient producer with its record-id header turned off. */
  static final String NO_RECORD_ID = "resilient, no record id";
  /** The steady-state arm of the resilient producer of another build ({@link #baselineBuild()}). */
  static final String BASELINE = "resilient, baseline build";

  /** The shapes {@code all} holds runs of, in the order they ran. */
  private static List<int[]> shapesIn(List<Sample> all) {
    return all.stream().map(Sample::part).distinct().filter(part -> part.startsWith("steady-"))
        .map(part -> shape(part.substring("steady-".length()))).filter(java.util.Objects::nonNull).toList();
  }

  private static String shapeName(int[] shape) {
    return "steady-" + shape[0] + "x" + shape[1];
  }

  static String steadyMarkdown(Plan plan, List<Sample> all) {
    StringBuilder md = new StringBuilder("## Steady state at saturation (client JVMs, interleaved)\n\n")
        .append(runs(all, "plain")).append(" runs per client and shape, each in a fresh client JVM: ")
        .append(plan.warmupSeconds()).append(" s warm-up, then on until the JIT compilers used less than ")
        .append(Math.round(JitSettle.QUIET_SHARE * 100)).append(" % of a core over ").append(JitSettle.SLICE_MILLIS / 1000)
        .append(" s (at most ").append(JitSettle.maxSeconds(plan.warmupSeconds())).append(" s more: compiling is a cost ")
        .append("of starting, and was the largest source of noise in a short window's CPU), ")
        .append("then a ").append(plan.windowSeconds())
        .append(" s window. CPU per record = the client JVM's process CPU time in the window / records acknowledged in ")
        .append("it; the second table splits it by thread. Cells: median (min-max). Ratios: resilient / plain of the medians; \"paired\" is the median ")
        .append("(min-max) of the ratios of runs that ran next to each other.\n\n");
    for (int[] shape : shapesIn(all)) {
      List<Sample> samples = all.stream().filter(s -> s.part().equals(shapeName(shape))).toList();
      md.append("### ").append(shape[0]).append(shape[0] == 1 ? " sending thread" : " sending threads").append(" x ")
          .append(shape[1]).append(" records in flight\n\n")
          .append(saturationTable(samples, armsIn(samples, List.of("plain", "resilient", NO_RECORD_ID, BASELINE))))
          .append(cpuByThreadTable(samples, armsIn(samples, List.of("plain", "resilient", NO_RECORD_ID, BASELINE))))
          .append(ratioLines(samples, "resilient", "plain"));
      if (samples.stream().anyMatch(sample -> sample.arm().equals(NO_RECORD_ID))) {
        md.append(ratioLines(samples, NO_RECORD_ID, "plain"));
      }
      if (samples.stream().anyMatch(sample -> sample.arm().equals(BASELINE))) {
        md.append(ratioLines(samples, BASELINE, "plain"))
            .append(String.format(Locale.ROOT, "- this build against the baseline build: throughput %.3fx (paired %s), "
                + "CPU per record %.3fx (paired %s)%n",
                medianRatio(samples, "resilient", BASELINE, ClientResult::acksPerSecond),
                paired(samples, "resilient", BASELINE, ClientResult::acksPerSecond),
                medianRatio(samples, "resilient", BASELINE, ClientResult::cpuMicrosPerRecord),
                paired(samples, "resilient", BASELINE, ClientResult::cpuMicrosPerRecord)))
            .append(equalThroughputLine(samples, "resilient", BASELINE, Double.NaN));
      }
      md.append('\n');
    }
    return md.toString();
  }

  /** A column of the CPU-by-thread table: a group of {@link ClientResult#cpuByThread} and its heading. */
  private record ThreadColumn(String group, String heading) {}

  private static final List<ThreadColumn> THREAD_GROUPS = List.of(
      new ThreadColumn(ThreadCpuSnapshot.SENDERS, "sending threads"),
      new ThreadColumn(ThreadCpuSnapshot.KAFKA_IO, "Kafka I/O thread"),
      new ThreadColumn(ThreadCpuSnapshot.DISPATCHER, "dispatcher"),
      new ThreadColumn(ThreadCpuSnapshot.LIBRARY_SHARED, "library's shared threads"),
      new ThreadColumn(ThreadCpuSnapshot.JIT, "JIT"),
      new ThreadColumn(ThreadCpuSnapshot.GC, "GC"));

  /** Median CPU per record by thread group; nothing when the runs did not measure it (older raw data). */
  static String cpuByThreadTable(List<Sample> samples, List<String> arms) {
    if (samples.stream().allMatch(sample -> sample.result().cpuByThread().isEmpty())) {
      return "";
    }
    StringBuilder md = new StringBuilder("\nCPU µs/record by thread (medians; \"rest\": the other Java and JVM ")
        .append("threads, and threads that ended in the window) ")
        .append("and warm-up length:\n\n| client |");
    THREAD_GROUPS.forEach(column -> md.append(' ').append(column.heading()).append(" |"));
    md.append(" rest | warm-up s |\n|---|").append("---:|".repeat(THREAD_GROUPS.size() + 2)).append('\n');
    for (String arm : arms) {
      md.append("| ").append(arm).append(" |");
      for (ThreadColumn column : THREAD_GROUPS) {
        md.append(' ').append(medianCell(samples, arm, result -> result.cpuOf(column.group()), "%.2f")).append(" |");
      }
      md.append(' ').append(medianCell(samples, arm, ClientComparisons::restOfCpu, "%.2f")).append(" | ")
          .append(cell(samples, arm, ClientResult::warmupSeconds, "%.0f")).append(" |\n");
    }
    return md.append('\n').toString();
  }

  private static double restOfCpu(ClientResult result) {
    double named = 0;
    for (ThreadColumn column : THREAD_GROUPS) {
      double cpu = result.cpuOf(column.group());
      named += Double.isNaN(cpu) ? 0 : cpu;
    }
    return result.cpuMicrosPerRecord() - named;
  }

  static long runs(List<Sample> samples, String arm) {
    return samples.stream().filter(s -> s.arm().equals(arm)).map(Sample::part).count()
        / Math.max(1, samples.stream().filter(s -> s.arm().equals(arm)).map(Sample::part).distinct().count());
  }

  /** A fixed rate: send-to-ack latency percentiles (HdrHistogram) and CPU per record. */
  Part latency() throws InterruptedException {
    createTopics(List.of("latency"), 6, 3);
    List<Arm> arms = new ArrayList<>();
    for (ClientKind kind : ClientKind.values()) {
      arms.add(new Arm(kind.label(), ClientSpec.paced(kind, cluster.bootstrapFqdns(), List.of("latency"), 1,
          LATENCY_RATE, plan.warmupSeconds(), plan.windowSeconds())));
    }
    List<Sample> samples = InterleavedRuns.run("latency", arms, plan.repetitions(), logs, profile, profileArm, false);
    return new Part("latency", latencyMarkdown(samples), samples);
  }

  static String latencyMarkdown(List<Sample> samples) {
    StringBuilder md = new StringBuilder("## Latency at a fixed rate (").append(LATENCY_RATE)
        .append(" records/s, one sending thread, client JVMs, interleaved)\n\n")
        .append("Send-to-ack latency of every record in the window (from just before `send()` to the callback), ")
        .append("recorded with HdrHistogram (3 significant digits). Cells: median (min-max) over ")
        .append(runs(samples, "plain")).append(" runs per client.\n\n")
        .append("| client | acks/s | p50 ms | p99 ms | p99.9 ms | max ms | CPU µs/record | cores |\n")
        .append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (String arm : List.of("plain", "resilient")) {
      md.append("| ").append(arm).append(" | ").append(cell(samples, arm, ClientResult::acksPerSecond, "%.0f"))
          .append(" | ").append(cell(samples, arm, ClientResult::p50Millis, "%.2f"))
          .append(" | ").append(cell(samples, arm, ClientResult::p99Millis, "%.2f"))
          .append(" | ").append(cell(samples, arm, ClientResult::p999Millis, "%.2f"))
          .append(" | ").append(cell(samples, arm, ClientResult::maxMillis, "%.1f"))
          .append(" | ").append(cell(samples, arm, ClientResult::cpuMicrosPerRecord, "%.1f"))
          .append(" | ").append(cell(samples, arm, ClientResult::cpuCores, "%.2f")).append(" |\n");
    }
    double p999 = medianRatio(samples, "resilient", "plain", ClientResult::p999Millis);
    double p99 = medianRatio(samples, "resilient", "plain", ClientResult::p99Millis);
    double p50 = medianRatio(samples, "resilient", "plain", ClientResult::p50Millis);
    double cpu = medianRatio(samples, "resilient", "plain", ClientResult::cpuMicrosPerRecord);
    md.append(String.format(Locale.ROOT, "%n- p99.9 resilient / plain: **%.3fx** %s; paired %s%n", p999,
        Targets.atMost(p999, pairedSpread(samples, "resilient", "plain", ClientResult::p999Millis), Targets.P999_MAX),
        paired(samples, "resilient", "plain", ClientResult::p999Millis)));
    md.append(String.format(Locale.ROOT, "- p50: %.3fx, p99: %.3fx, CPU per record: %.3fx (paired %s)%n%n", p50, p99,
        cpu, paired(samples, "resilient", "plain", ClientResult::cpuMicrosPerRecord)));
    return md.toString();
  }

  /**
   * One producer over 1,000 topics x 3 partitions (round-robin) against one topic of 3 and one topic of 3,000
   * partitions, same rate.
   */
  Part scale() throws InterruptedException {
    List<String> many = scaleTopicNames(SCALE_TOPICS, SCALE_PARTITIONS);
    // RF 1: 9,000 replicas would make the brokers, not the client, the thing measured on this machine
    createTopics(List.of("scale-one"), SCALE_PARTITIONS, 1);
    prime(List.of("scale-one"), SCALE_PARTITIONS);
    long began = System.nanoTime();
    createTopics(many, SCALE_PARTITIONS, 1);
    prime(many, SCALE_PARTITIONS);
    createTopics(List.of("scale-wide"), SCALE_WIDE_PARTITIONS, 1);
    prime(List.of("scale-wide"), SCALE_WIDE_PARTITIONS);
    BenchmarkSuite.log("scale: %d topics ready and primed in %.0f s", many.size() + 1, (System.nanoTime() - began) / 1e9);
    // the first records to 3,000 partitions open 3,000 batches and producer states: a longer warm-up
    int warmup = 2 * plan.warmupSeconds();
    // by shape, plain then resilient: the two runs compared side by side are next to each other
    Map<String, List<String>> shapes = new java.util.LinkedHashMap<>();
    shapes.put(", 1 topic", List.of("scale-one"));
    shapes.put(SCALE_WIDE, List.of("scale-wide"));
    shapes.put(", " + SCALE_TOPICS + " topics", many);
    List<Arm> arms = new ArrayList<>();
    shapes.forEach((shape, topics) -> {
      for (ClientKind kind : ClientKind.values()) {
        arms.add(new Arm(kind.label() + shape, ClientSpec.paced(kind, cluster.bootstrapFqdns(), topics, 1, SCALE_RATE,
            warmup, plan.windowSeconds())));
      }
    });
    List<Sample> samples = InterleavedRuns.run("scale", arms, plan.repetitions(), logs, profile, profileArm, false);
    return new Part("scale", scaleMarkdown(plan, samples), samples);
  }

  /**
   * {@code count} topic names ({@code scale-0000}, ...; a suffix where needed) whose partitions' {@code
   * TopicPartition} hashes all differ: Kafka's producer keys its maps by {@code TopicPartition}, whose hash
   * ({@code 31 * (31 + partition) + topic.hashCode()}) makes {@code scale-0010} partition 0 and {@code
   * scale-0000} partition 1 collide, and 1,000 such names share 1,200 hashes among 3,000 partitions: a cost of
   * the naming, not of the number of topics.
   */
  static List<String> scaleTopicNames(int count, int partitions) {
    java.util.Set<Integer> used = new java.util.HashSet<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      for (int suffix = 0; ; suffix++) {
        String name = suffix == 0 ? String.format("scale-%04d", i) : String.format("scale-%04d-%d", i, suffix);
        List<Integer> hashes = IntStream.range(0, partitions)
            .mapToObj(p -> new org.apache.kafka.common.TopicPartition(name, p).hashCode()).toList();
        if (hashes.stream().noneMatch(used::contains)) {
          used.addAll(hashes);
          names.add(name);
          break;
        }
      }
    }
    return names;
  }

  static String scaleMarkdown(Plan plan, List<Sample> samples) {
    int warmup = 2 * plan.warmupSeconds();
    // runs before the wide topic was added have two arms per client
    boolean wide = samples.stream().anyMatch(sample -> sample.arm().endsWith(SCALE_WIDE));
    List<String> arms = new ArrayList<>();
    for (ClientKind kind : ClientKind.values()) {
      arms.add(kind.label() + ", 1 topic");
      if (wide) {
        arms.add(kind.label() + SCALE_WIDE);
      }
      arms.add(kind.label() + ", " + SCALE_TOPICS + " topics");
    }
    int wideKeys = ClientMain.keyCount(SCALE_WIDE_PARTITIONS);
    StringBuilder md = new StringBuilder("## Scale: 1 topic against ").append(SCALE_TOPICS)
        .append(" topics (").append(SCALE_PARTITIONS).append(" partitions each, RF 1, round-robin)")
        .append(wide ? " and 1 topic of " + SCALE_WIDE_PARTITIONS + " partitions" : "").append(", ")
        .append(SCALE_RATE).append(" records/s, one producer\n\n")
        .append(wide ? "The topic of " + SCALE_WIDE_PARTITIONS + " partitions has as many partitions as the "
            + SCALE_TOPICS + " topics together: Kafka's work per partition is the same on both sides and only the "
            + "number of topics differs. Its records carry " + String.format(Locale.ROOT, "%,d", wideKeys) + " keys, "
            + wideKeys / SCALE_WIDE_PARTITIONS + " for each partition, taken in turn, so that the "
            + "partitions are written in turn as the topics are; the topics' names are chosen so that no two of "
            + "their partitions share a `TopicPartition` hash (names such as `scale-0000` ... `scale-0999` make 1,200 "
            + "hashes of 3,000 partitions, and the collisions cost Kafka's I/O thread; the runs measured before "
            + "2026-12-01 04:00 had such names). "
            : "")
        .append("Paced, not saturating: at saturation Kafka's own batching differs between 3 and 3,000 partitions, ")
        .append("which would hide the library's per-topic cost. RF 1 and ").append(SCALE_RATE).append(" records/s: with ")
        .append("RF 3 (9,000 replicas) or 2,000 records/s the three brokers on this shared machine fell behind (seconds ")
        .append("of latency), and the comparison measured them. Each client's metadata for every topic is fetched ")
        .append("(`partitionsFor`) before a warm-up of at least ").append(warmup).append(" s, then on until the JIT ")
        .append("compilers are quiet; every partition got one record ")
        .append("before the first run (a partition's first append creates its log segment on the broker). Cells: ")
        .append("median (min-max), ")
        .append(runs(samples, arms.get(0)))
        .append(" runs per arm, the ").append(arms.size()).append(" arms interleaved.\n\n")
        .append("| arm | acks/s | CPU µs/record | cores | allocated B/record | p99 ms |\n|---|---:|---:|---:|---:|---:|\n");
    for (String arm : arms) {
      md.append("| ").append(arm).append(" | ").append(cell(samples, arm, ClientResult::acksPerSecond, "%.0f"))
          .append(" | ").append(cell(samples, arm, ClientResult::cpuMicrosPerRecord, "%.1f"))
          .append(" | ").append(cell(samples, arm, ClientResult::cpuCores, "%.2f"))
          .append(" | ").append(cell(samples, arm, ClientResult::allocatedBytesPerRecord, "%.0f"))
          .append(" | ").append(cell(samples, arm, ClientResult::p99Millis, "%.1f")).append(" |\n");
    }
    md.append(cpuByThreadTable(samples, arms)).append('\n');
    String many = ", " + SCALE_TOPICS + " topics";
    for (ClientKind kind : ClientKind.values()) {
      String one = kind.label() + ", 1 topic";
      String manyArm = kind.label() + many;
      double ratio = medianRatio(samples, manyArm, one, ClientResult::cpuMicrosPerRecord);
      md.append(String.format(Locale.ROOT, "- %s: CPU per record, %d topics / 1 topic: **%.3fx**%s; paired %s%n",
          kind.label(), SCALE_TOPICS, ratio, kind == ClientKind.RESILIENT
              ? " " + Targets.atMost(ratio, pairedSpread(samples, manyArm, one, ClientResult::cpuMicrosPerRecord),
                  Targets.SCALE_CPU_MAX) + " as first set" : " (Kafka's own cost of more partitions)",
          paired(samples, manyArm, one, ClientResult::cpuMicrosPerRecord)));
      if (wide) {
        String wideArm = kind.label() + SCALE_WIDE;
        double topicsAlone = medianRatio(samples, manyArm, wideArm, ClientResult::cpuMicrosPerRecord);
        md.append(String.format(Locale.ROOT, "- %s: CPU per record, %d topics / 1 topic of %d partitions (the same "
            + "partitions, the cost of topics alone): **%.3fx**%s; paired %s%n", kind.label(), SCALE_TOPICS,
            SCALE_WIDE_PARTITIONS, topicsAlone, kind == ClientKind.RESILIENT
                ? " " + Targets.atMost(topicsAlone, pairedSpread(samples, manyArm, wideArm,
                    ClientResult::cpuMicrosPerRecord), Targets.SCALE_CPU_MAX) + ", the bound as first set read "
                    + "against one topic of as many partitions" : " (Kafka's own cost of topics)",
            paired(samples, manyArm, wideArm, ClientResult::cpuMicrosPerRecord)));
      }
    }
    Spread beside = growthBesideTwin(samples, many, ", 1 topic");
    md.append(String.format(Locale.ROOT, "- resilient's growth beside the twin's (the ratio as first set with Kafka's own "
        + "growth divided out; 1.0 when the library adds the same share of the twin's cost at %d topics as at one, "
        + "below 1.0 when what it adds does not grow), (resilient %d topics / 1 topic) / (plain %d topics / 1 topic) per "
        + "repetition: **%.3fx** (%.3f-%.3f) %s%n", SCALE_TOPICS, SCALE_TOPICS, SCALE_TOPICS, beside.median(),
        beside.min(), beside.max(), Targets.atMost(beside.median(), beside, Targets.SCALE_CPU_MAX)));
    if (wide) {
      Spread besideWide = growthBesideTwin(samples, many, SCALE_WIDE);
      md.append(String.format(Locale.ROOT, "- the same with the partitions held equal, (resilient %d topics / 1 topic of %d "
          + "partitions) / (plain, the same) per repetition: **%.3fx** (%.3f-%.3f) %s%n", SCALE_TOPICS,
          SCALE_WIDE_PARTITIONS, besideWide.median(), besideWide.min(), besideWide.max(),
          Targets.atMost(besideWide.median(), besideWide, Targets.SCALE_CPU_MAX)));
    }
    Spread addedOne = addedCpu(samples, ", 1 topic");
    Spread addedMany = addedCpu(samples, many);
    double allowed = Math.max(0, addedOne.median()) * Targets.SCALE_CPU_MAX;
    boolean met = addedMany.median() <= allowed;
    boolean straddles = addedMany.min() <= allowed && addedMany.max() > allowed;
    md.append(String.format(Locale.ROOT, "- the library's own cost, resilient - plain CPU per record of runs side by "
        + "side: %+.1f µs (%+.1f to %+.1f) at 1 topic, %+.1f µs (%+.1f to %+.1f) at %d topics: %s (at %d topics at most "
        + "%.2fx the cost at 1 topic, and none when it costs none there)%s. The bound as first set (resilient, %d topics / "
        + "1 topic) holds the library to Kafka's own growth, which the tuned twin shows is not the library's: so it is "
        + "also judged on what the library adds.%n%n", addedOne.median(), addedOne.min(), addedOne.max(),
        addedMany.median(), addedMany.min(), addedMany.max(), SCALE_TOPICS, met ? "**met**" : "**missed**", SCALE_TOPICS,
        Targets.SCALE_CPU_MAX, straddles ? ", not settled: the runs lie on both sides of the bound" : "", SCALE_TOPICS));
    if (samples.stream().anyMatch(sample -> !Double.isNaN(sample.result().cpuOf(ThreadCpuSnapshot.KAFKA_IO)))) {
      for (String suffix : wide ? List.of(", 1 topic", SCALE_WIDE, many) : List.of(", 1 topic", many)) {
        Spread sending = addedCpu(samples, suffix, result -> result.cpuOf(ThreadCpuSnapshot.SENDERS));
        Spread io = addedCpu(samples, suffix, result -> result.cpuOf(ThreadCpuSnapshot.KAFKA_IO));
        Spread own = addedCpu(samples, suffix, result -> orZero(result.cpuOf(ThreadCpuSnapshot.DISPATCHER))
            + orZero(result.cpuOf(ThreadCpuSnapshot.LIBRARY_SHARED)));
        Spread jit = addedCpu(samples, suffix, result -> orZero(result.cpuOf(ThreadCpuSnapshot.JIT)));
        md.append(String.format(Locale.ROOT, "- where the difference lies%s, resilient - plain CPU per record by thread (runs "
            + "side by side): sending thread %+.1f µs (%+.1f to %+.1f), Kafka's I/O thread %+.1f µs (%+.1f to %+.1f; it "
            + "runs the library's completion of each record and Kafka's own work, a pass over every partition with "
            + "records at each wake-up), the library's own threads %+.1f µs (%+.1f to %+.1f; dispatcher, cluster view, "
            + "Admin client), the JIT compilers %+.1f µs (%+.1f to %+.1f; compiling in the window: a warm-up ends when they "
            + "use under %.0f %% of a core, %.0f µs per record at this rate)%n",
            suffix.replace(",", " at"), sending.median(), sending.min(), sending.max(), io.median(), io.min(),
            io.max(), own.median(), own.min(), own.max(), jit.median(), jit.min(), jit.max(),
            JitSettle.QUIET_SHARE * 100, JitSettle.QUIET_SHARE * 1e6 / SCALE_RATE));
      }
      md.append('\n');
    }
    return md.toString();
  }

  private static double orZero(double value) {
    return Double.isNaN(value) ? 0 : value;
  }

  /**
   * Per repetition, how much more CPU per record the resilient producer takes writing many topics ({@code
   * many}, an arm's suffix) than the arm named by {@code base}, divided by how much more the plain producer
   * takes: 1.0 when the library adds the same share of the twin's cost at both, below 1.0 when what it adds
   * stays the same in µs.
   */
  static Spread growthBesideTwin(List<Sample> samples, String many, String base) {
    List<Double> growth = new ArrayList<>();
    for (Sample resilientMany : samples) {
      if (resilientMany.arm().equals("resilient" + many)) {
        int rep = resilientMany.repetition();
        ToDoubleFunction<ClientResult> cpu = ClientResult::cpuMicrosPerRecord;
        // NaN when a repetition lacks an arm: Spread leaves it out
        growth.add(cpu.applyAsDouble(resilientMany.result()) / valueOf(samples, "resilient" + base, rep, cpu)
            / (valueOf(samples, "plain" + many, rep, cpu) / valueOf(samples, "plain" + base, rep, cpu)));
      }
    }
    return Spread.of(growth);
  }

  /** {@code value} of the run of {@code arm} in {@code repetition}, or NaN when there is none. */
  private static double valueOf(List<Sample> samples, String arm, int repetition, ToDoubleFunction<ClientResult> value) {
    return samples.stream().filter(s -> s.arm().equals(arm) && s.repetition() == repetition)
        .mapToDouble(s -> value.applyAsDouble(s.result())).findFirst().orElse(Double.NaN);
  }

  /** Per repetition, resilient minus plain CPU per record (µs) of the arms named by {@code suffix}. */
  private static Spread addedCpu(List<Sample> samples, String suffix) {
    return addedCpu(samples, suffix, ClientResult::cpuMicrosPerRecord);
  }

  /** Per repetition, resilient minus plain {@code value} of the arms named by {@code suffix}. */
  private static Spread addedCpu(List<Sample> samples, String suffix, ToDoubleFunction<ClientResult> value) {
    List<Double> added = new ArrayList<>();
    for (Sample resilient : samples) {
      if (resilient.arm().equals("resilient" + suffix)) {
        added.add(value.applyAsDouble(resilient.result())
            - valueOf(samples, "plain" + suffix, resilient.repetition(), value));
      }
    }
    return Spread.of(added);
  }

  /** Requests sent to the cluster per minute while healthy, from 1 and 10 producers in one JVM. */
  Part requests() throws InterruptedException {
    List<String> topics = IntStream.range(0, 10).mapToObj(i -> "requests-" + i).toList();
    createTopics(topics, 3, 3);
    List<Arm> arms = new ArrayList<>();
    for (int producers : new int[] {1, 10}) {
      for (ClientKind kind : ClientKind.values()) {
        arms.add(new Arm(kind.label() + " x" + producers, ClientSpec.paced(kind, cluster.bootstrapFqdns(),
            topics.subList(0, producers), producers, producers * REQUEST_RATE_PER_PRODUCER, 15,
            plan.requestWindowSeconds())));
      }
    }
    List<Sample> samples = InterleavedRuns.run("requests", arms, plan.requestRepetitions(), logs, null, "", true);
    return new Part("requests", requestsMarkdown(plan, samples), samples);
  }

  static String requestsMarkdown(Plan plan, List<Sample> samples) {
    StringBuilder md = new StringBuilder("## Requests to the cluster while healthy\n\n")
        .append("N producers in one client JVM, each writing its own topic (3 partitions) at ")
        .append(REQUEST_RATE_PER_PRODUCER).append(" keyed records/s; counted over a ").append(plan.requestWindowSeconds())
        .append(" s window after at least 15 s of warm-up (then on until the JIT compilers are quiet). By API: every request the JVM's Kafka clients sent in the window, ")
        .append("counted from their network client's DEBUG log (`Sending <API> request`), exact. Cross-checks from the ")
        .append("clients' own metrics: the producers' `request-total` (`producer-metrics`; the resilient producer ")
        .append("reports its inner `KafkaProducer`'s) and the library's shared Admin client's `request-total` over JMX in ")
        .append("the client JVM (`kafka.admin.client:type=admin-client-metrics,client-id=resilient-kafka-admin-*`). ")
        .append("Produce requests are left out of \"added\": their number follows batching and timing, not the ")
        .append("library. Allowed: one `describeConfigs` per topic per 5 minutes (N/5 per minute).\n\n")
        .append("| arm | producer request-total /min | admin request-total /min (JMX) | admin requests before the window ")
        .append("(start-up, JMX) | requests other than PRODUCE /min | added over the twin /min | allowed extra /min ")
        .append("| other than PRODUCE, by API (in the window) |\n|---|---:|---:|---:|---:|---:|---:|---|\n");
    for (int producers : new int[] {1, 10}) {
      String plainArm = "plain x" + producers;
      double plainOther = InterleavedRuns.spread(samples, plainArm, ClientComparisons::nonProducePerMinute).median();
      for (ClientKind kind : ClientKind.values()) {
        String arm = kind.label() + " x" + producers;
        double other = InterleavedRuns.spread(samples, arm, ClientComparisons::nonProducePerMinute).median();
        md.append("| ").append(arm)
            .append(" | ").append(cell(samples, arm, r -> r.producerRequests() * 60.0 / r.windowSeconds(), "%.0f"))
            .append(" | ").append(cell(samples, arm, r -> r.adminRequests() * 60.0 / r.windowSeconds(), "%.1f"))
            .append(" | ").append(cell(samples, arm, r -> r.adminRequestsBefore(), "%.0f"))
            .append(" | ").append(cell(samples, arm, ClientComparisons::nonProducePerMinute, "%.1f"))
            .append(" | ").append(kind == ClientKind.PLAIN ? "-" : String.format(Locale.ROOT, "%+.1f", other - plainOther))
            .append(" | ").append(kind == ClientKind.PLAIN ? "-" : String.format(Locale.ROOT, "%.1f", producers / 5.0))
            .append(" | ").append(byApi(samples, arm)).append(" |\n");
      }
    }
    md.append('\n');
    return md.toString();
  }

  private static double nonProducePerMinute(ClientResult result) {
    return result.nonProduceRequests() * 60.0 / result.windowSeconds();
  }

  /** The non-produce requests of the arm's first run, by client type and API. */
  private static String byApi(List<Sample> samples, String arm) {
    StringBuilder text = new StringBuilder();
    samples.stream().filter(s -> s.arm().equals(arm)).findFirst().ifPresent(s -> s.result().requestsByApi()
        .forEach((api, count) -> {
          if (!api.endsWith(" PRODUCE")) {
            text.append(text.length() == 0 ? "" : ", ").append(api).append(' ').append(count);
          }
        }));
    return text.length() == 0 ? "none" : text.toString();
  }

  static String saturationTable(List<Sample> samples, List<String> arms) {
    StringBuilder md = new StringBuilder("| client | acks/s | CPU µs/record | cores | allocated B/record | GC ms/window |\n")
        .append("|---|---:|---:|---:|---:|---:|\n");
    for (String arm : arms) {
      md.append("| ").append(arm).append(" | ").append(cell(samples, arm, ClientResult::acksPerSecond, "%.0f"))
          .append(" | ").append(cell(samples, arm, ClientResult::cpuMicrosPerRecord, "%.1f"))
          .append(" | ").append(cell(samples, arm, ClientResult::cpuCores, "%.2f"))
          .append(" | ").append(cell(samples, arm, ClientResult::allocatedBytesPerRecord, "%.0f"))
          .append(" | ").append(cell(samples, arm, r -> r.gcMillis(), "%.0f")).append(" |\n");
    }
    return md.toString();
  }

  /** The arms of {@code wanted} that have samples (older raw files have no record-id-free arm). */
  private static List<String> armsIn(List<Sample> samples, List<String> wanted) {
    return wanted.stream().filter(arm -> samples.stream().anyMatch(sample -> sample.arm().equals(arm))).toList();
  }

  private static String ratioLines(List<Sample> samples, String top, String bottom) {
    double throughput = medianRatio(samples, top, bottom, ClientResult::acksPerSecond);
    double cpu = medianRatio(samples, top, bottom, ClientResult::cpuMicrosPerRecord);
    return String.format(Locale.ROOT, "%n- throughput %s / %s: **%.3fx** %s; paired %s%n"
            + "- CPU per record %s / %s: **%.3fx** %s; paired %s%n", top, bottom, throughput,
        Targets.atLeast(throughput, pairedSpread(samples, top, bottom, ClientResult::acksPerSecond),
            Targets.THROUGHPUT_MIN), paired(samples, top, bottom, ClientResult::acksPerSecond),
        top, bottom, cpu, Targets.atMost(cpu, pairedSpread(samples, top, bottom, ClientResult::cpuMicrosPerRecord),
            Targets.CPU_PER_RECORD_MAX),
        paired(samples, top, bottom, ClientResult::cpuMicrosPerRecord))
        + equalThroughputLine(samples, top, bottom, Targets.CPU_PER_RECORD_MAX);
  }

  /** The {@link EqualThroughputCpu} line of {@code top} against {@code bottom}; no verdict when {@code bound} is NaN. */
  private static String equalThroughputLine(List<Sample> samples, String top, String bottom, double bound) {
    EqualThroughputCpu fit = EqualThroughputCpu.of(samples, top, bottom);
    return fit == null ? "" : fit.line(top, bottom, bound);
  }

  static double medianRatio(List<Sample> samples, String top, String bottom, ToDoubleFunction<ClientResult> value) {
    return InterleavedRuns.spread(samples, top, value).median() / InterleavedRuns.spread(samples, bottom, value).median();
  }

  static Spread pairedSpread(List<Sample> samples, String top, String bottom,
      ToDoubleFunction<ClientResult> value) {
    return InterleavedRuns.pairedRatio(samples, top, bottom, value);
  }

  static String paired(List<Sample> samples, String top, String bottom, ToDoubleFunction<ClientResult> value) {
    Spread s = InterleavedRuns.pairedRatio(samples, top, bottom, value);
    return String.format(Locale.ROOT, "%.3fx (%.3f-%.3f)", s.median(), s.min(), s.max());
  }

  private static String medianCell(List<Sample> samples, String arm, ToDoubleFunction<ClientResult> value,
      String format) {
    Spread s = InterleavedRuns.spread(samples, arm, value);
    return s.count() == 0 ? "-" : String.format(Locale.ROOT, format, s.median());
  }

  static String cell(List<Sample> samples, String arm, ToDoubleFunction<ClientResult> value, String format) {
    Spread s = InterleavedRuns.spread(samples, arm, value);
    if (s.count() == 0) {
      return "-";
    }
    String median = String.format(Locale.ROOT, format, s.median());
    return s.count() == 1 ? median : median + " (" + String.format(Locale.ROOT, format, s.min()) + "-"
        + String.format(Locale.ROOT, format, s.max()) + ")";
  }

  /**
   * Writes one record to every partition and waits for all: the brokers' first append to a partition
   * creates its log segment, which would otherwise be charged to whichever arm runs first.
   */
  private void prime(List<String> topics, int partitions) {
    try (var producer = ClientKind.PLAIN.create(cluster.bootstrapFqdns(), "bench-prime", Map.of())) {
      List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
      for (String topic : topics) {
        for (int p = 0; p < partitions; p++) {
          sent.add(producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, p, null, new byte[1024])));
        }
      }
      for (java.util.concurrent.Future<?> future : sent) {
        future.get(2, TimeUnit.MINUTES);
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot prime the scale topics", e);
    }
  }

  private void createTopics(List<String> names, int partitions, int replicas) throws InterruptedException {
    createTopics(cluster, names, partitions, replicas);
  }

  private static Map<String, String> topicConfigs(int replicas) {
    Map<String, String> configs = new java.util.HashMap<>(BenchClusters.TOPIC_RETENTION);
    configs.put("min.insync.replicas", replicas > 1 ? "2" : "1");
    return configs;
  }

  /**
   * Creates the topics (min ISR 2 when RF > 1, {@link BenchClusters#TOPIC_RETENTION}) in batches; waits until
   * each partition has a leader and full ISR.
   */
  static void createTopics(LocalKafkaCluster cluster, List<String> names, int partitions, int replicas)
      throws InterruptedException {
    for (int from = 0; from < names.size(); from += 100) {
      List<NewTopic> batch = names.subList(from, Math.min(names.size(), from + 100)).stream()
          .map(n -> new NewTopic(n, partitions, (short) replicas)
              .configs(topicConfigs(replicas))).toList();
      cluster.admin().createTopics(batch).values().forEach((name, future) -> {
        try {
          future.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("cannot create topic " + name, e.getCause());
          }
        } catch (Exception e) {
          throw new IllegalStateException("cannot create topic " + name, e);
        }
      });
    }
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    List<String> pending = new ArrayList<>(names);
    while (!pending.isEmpty()) {
      List<String> batch = List.copyOf(pending.subList(0, Math.min(pending.size(), 200)));
      try {
        Map<String, TopicDescription> described = cluster.admin().describeTopics(batch).allTopicNames()
            .get(30, TimeUnit.SECONDS);
        List<String> ready = described.values().stream().filter(d -> d.partitions().stream()
            .allMatch(p -> p.leader() != null && p.isr().size() == p.replicas().size())).map(TopicDescription::name)
            .toList();
        pending.removeAll(ready);
        if (ready.size() == batch.size()) {
          continue;
        }
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        // a broker that has not heard of a new topic yet answers UNKNOWN_TOPIC_OR_PARTITION: ask again
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(pending.size() + " topics without a leader and full ISR after 5 min");
      }
      TimeUnit.MILLISECONDS.sleep(200); // metadata propagation to every broker, then ask again
    }
  }
}
