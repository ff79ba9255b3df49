package dev.resilientkafka.benchmarks;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.resilientkafka.benchmarks.InterleavedRuns.Sample;
import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the benchmark suite. Each part keeps its section ({@code <part>.md}), its raw data ({@code
 * raw-<part>.json}, {@code runs-<part>.csv}) and its chart under {@code benchmarks/results/<mode>/};
 * {@code results-<mode>.md} is assembled from the parts kept there after each part, so an interrupted
 * suite keeps what it measured and one part can be measured again alone.
 *
 * <p>Parts ({@code --only=}): {@code steady} (saturation, 1 x 1024 and 8 x 128 in flight), {@code latency}
 * (2,000 records/s), {@code requests} (requests per minute while healthy), {@code scale} (1,000 topics), {@code
 * spool} (the durable spool at saturation, and its replay after the application was killed), all in client JVMs
 * against one shared cluster; {@code faults} (stalled leader, every broker moved),
 * {@code stall} (6 brokers, keyless, one stalled) and {@code resolver} (JMH). Arguments: {@code
 * --mode=quick|full|smoke}, {@code --results=<dir>}, {@code --only=<parts>}, {@code --repetitions=<n>} (runs
 * per arm instead of the mode's; 0 keeps the mode's), {@code --rewrite} (the client-JVM parts' sections written
 * again from their raw data, with their runs CSV; nothing measured), {@code --profile=<arm>} (a
 * flight recording of every client JVM whose arm name contains the text, or of all with {@code all}, into {@code
 * target/bench-profile}). The JVM must run with {@code -Djdk.net.hosts.file}.
 */
public final class BenchmarkSuite {
  private static final List<String> PARTS = List.of("steady", "latency", "requests", "scale", "spool", "faults",
      "stall", "resolver");
  /** The parts measured in client JVMs against one shared cluster. */
  private static final List<String> IN_CLIENT_JVMS = List.of("steady", "latency", "requests", "scale", "spool");

  private final String mode;
  private final Path results;
  private final Instant began = Instant.now();
  /** Where each part keeps its section, raw data and chart, so that one part can be measured again alone. */
  private final Path partsDir;
  private @Nullable Object raw;
  private List<Sample> samples = List.of();

  private BenchmarkSuite(String mode, Path results) {
    this.mode = mode;
    this.results = results;
    this.partsDir = results.resolve(mode);
  }

  /** Entry point; see the class description for the arguments. */
  public static void main(String[] args) throws Exception {
    String mode = "quick";
    Path results = Path.of("results");
    List<String> parts = PARTS;
    @Nullable String profileArm = null;
    int repetitions = 0;
    boolean rewrite = false;
    for (String arg : args) {
      if (arg.startsWith("--mode=")) {
        mode = arg.substring(7).toLowerCase(Locale.ROOT);
      } else if (arg.startsWith("--results=")) {
        results = Path.of(arg.substring(10));
      } else if (arg.startsWith("--only=")) {
        parts = List.of(arg.substring(7).split(","));
      } else if (arg.equals("--rewrite")) {
        rewrite = true;
      } else if (arg.startsWith("--repetitions=")) {
        repetitions = Integer.parseInt(arg.substring(14).trim());
      } else if (arg.startsWith("--profile=")) {
        profileArm = arg.substring(10).isBlank() ? null : arg.substring(10);
      } else {
        throw new IllegalArgumentException("Invalid argument " + arg + ": expected --mode=quick|full|smoke, "
            + "--results=<dir>, --only=" + String.join(",", PARTS) + ", --repetitions=<n>, --rewrite or --profile=<arm>");
      }
    }
    if (!Set.of("quick", "full", "smoke").contains(mode)) {
      throw new IllegalArgumentException("Invalid value " + mode + " for --mode: must be quick, full or smoke");
    }
    for (String part : parts) {
      if (!PARTS.contains(part)) {
        throw new IllegalArgumentException("Invalid value " + part + " for --only: accepted parts are " + PARTS);
      }
    }
    if (rewrite) {
      new BenchmarkSuite(mode, results).rewrite(parts);
      return;
    }
    LocalKafkaCluster.prepareHostsFile();
    Files.createDirectories(results);
    if (repetitions < 0) {
      throw new IllegalArgumentException("Invalid value " + repetitions + " for --repetitions: must be >= 0 (0: the mode's)");
    }
    new BenchmarkSuite(mode, results).run(parts, profileArm, repetitions);
  }

  private void run(List<String> parts, @Nullable String profileArm, int repetitions) throws Exception {
    Path logs = Path.of("target", "bench-logs");
    Path profile = profileArm == null ? null : Files.createDirectories(Path.of("target", "bench-profile"));
    List<String> inClientJvms = parts.stream().filter(IN_CLIENT_JVMS::contains).toList();
    if (!inClientJvms.isEmpty()) {
      LocalKafkaCluster.Builder builder = BenchClusters.builder("bench-shared");
      if (inClientJvms.contains("scale")) {
        builder.brokerHeap("768m"); // 1,000 topics: 9,000 replicas on three brokers
      }
      try (LocalKafkaCluster cluster = builder.start()) {
        ClientComparisons.Plan plan = ClientComparisons.Plan.of(mode).withRepetitions(repetitions);
        String armToProfile = profileArm == null ? "" : profileArm;
        ClientComparisons comparisons = new ClientComparisons(cluster, plan, logs, profile, armToProfile);
        for (String part : inClientJvms) {
          part(part, () -> {
            ClientComparisons.Part result = switch (part) {
              case "steady" -> comparisons.steady();
              case "latency" -> comparisons.latency();
              case "requests" -> comparisons.requests();
              case "spool" -> new SpoolComparison(cluster, plan, logs, profile, armToProfile,
                  SpoolComparison.replayRecords(mode), Path.of("target", "bench-spool")).run();
              default -> comparisons.scale();
            };
            samples = result.samples();
            raw = result.raw();
            return result.markdown();
          });
        }
      }
    }
    ChurnSchedule schedule = switch (mode) {
      case "full" -> ChurnSchedule.FULL;
      case "smoke" -> ChurnSchedule.SMOKE;
      default -> ChurnSchedule.QUICK;
    };
    if (parts.contains("faults")) {
      part("faults", () -> faults(schedule));
    }
    if (parts.contains("stall")) {
      part("stall", () -> {
        StalledBrokerScenario scenario = new StalledBrokerScenario(schedule);
        List<StalledBrokerScenario.Result> stall = scenario.run();
        raw = stall;
        return "## 6 brokers, RF 3, one broker SIGSTOPped for " + schedule.stallFor() + " s (keyless 1 KiB records, "
            + "12 partitions, " + scenario.rate() + " records/s per client, both at once)\n\nBoth clients with "
            + "`partitioner.availability.timeout.ms=1000`.\n\n" + ResultsReport.stall(stall) + '\n';
      });
    }
    if (parts.contains("resolver")) {
      part("resolver", () -> {
        Collection<RunResult> jmh = runJmh(ResolverBenchmark.class.getName(), partsDir.resolve("raw-resolver.json"));
        return "## Resolver (JMH, HeadlessServiceResolver against the testkit KubeDnsServer, 3 pods)\n\n"
            + ResultsReport.resolver(resolverRows(jmh)) + '\n';
      });
    }
  }

  /**
   * Writes the sections of the client-JVM parts again from their raw data (after a change of the report,
   * not of the measurement), keeping when each was measured.
   */
  private void rewrite(List<String> parts) throws IOException {
    ClientComparisons.Plan plan = ClientComparisons.Plan.of(mode);
    ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    for (String part : parts) {
      Path rawFile = partsDir.resolve("raw-" + part + ".json");
      Path section = partsDir.resolve(part + ".md");
      if (!IN_CLIENT_JVMS.contains(part) || !Files.exists(rawFile) || !Files.exists(section)) {
        continue;
      }
      if (part.equals("spool")) {
        SpoolComparison.Raw spool = json.readValue(rawFile.toFile(), SpoolComparison.Raw.class);
        rewriteSection(section, SpoolComparison.markdown(plan, spool));
        continue;
      }
      List<Sample> runs = json.readValue(rawFile.toFile(), new TypeReference<List<Sample>>() {});
      Files.writeString(partsDir.resolve("runs-" + part + ".csv"), runsCsv(runs), StandardCharsets.UTF_8);
      String markdown = switch (part) {
        case "steady" -> ClientComparisons.steadyMarkdown(plan, runs);
        case "latency" -> ClientComparisons.latencyMarkdown(runs);
        case "requests" -> ClientComparisons.requestsMarkdown(plan, runs);
        default -> ClientComparisons.scaleMarkdown(plan, runs);
      };
      rewriteSection(section, markdown);
    }
    write();
  }

  /** Replaces a part's section, keeping the line that says when it was measured. */
  private static void rewriteSection(Path section, String markdown) throws IOException {
    String old = Files.readString(section, StandardCharsets.UTF_8);
    int measured = old.lastIndexOf("_Measured");
    Files.writeString(section, markdown + (measured >= 0 ? old.substring(measured) : ""), StandardCharsets.UTF_8);
    log("rewrote %s", section);
  }

  private interface PartBody {
    String run() throws Exception;
  }

  /**
   * Runs one part between two load readings, keeps its section and raw data under {@code <results>/<mode>/}
   * and rewrites {@code results-<mode>.md} from every part kept there.
   */
  private void part(String name, PartBody body) throws Exception {
    double before = MachineInfo.loadAverage();
    long start = System.nanoTime();
    Instant started = Instant.now();
    log("part %s: load average %.2f", name, before);
    raw = null;
    samples = List.of();
    Files.createDirectories(partsDir);
    String section = body.run();
    double after = MachineInfo.loadAverage();
    log("part %s done: load average %.2f", name, after);
    String measured = String.format(Locale.ROOT, "_Measured %s; load average (1 min) %.2f before, %.2f after; "
        + "%.1f min._%n%n", started, before, after, (System.nanoTime() - start) / 6e10);
    Files.writeString(partsDir.resolve(name + ".md"), section + measured, StandardCharsets.UTF_8);
    if (raw != null) {
      ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      Files.writeString(partsDir.resolve("raw-" + name + ".json"), json.writeValueAsString(raw), StandardCharsets.UTF_8);
    }
    if (!samples.isEmpty()) {
      Files.writeString(partsDir.resolve("runs-" + name + ".csv"), runsCsv(samples), StandardCharsets.UTF_8);
    }
    write();
  }

  private String faults(ChurnSchedule schedule) throws Exception {
    FaultScenario.Result run = new FaultScenario(schedule).run();
    raw = run;
    String png = mode + "/faults.png";
    AckRateChart.write(results.resolve(png), "acks per second, " + schedule.rate()
        + " keyed 1 KiB records/s offered to each client (3 brokers, RF 3, min.insync.replicas=2)", run.clients(),
        run.faults(), 3L * schedule.rate());
    Files.writeString(partsDir.resolve("faults.csv"), csv(run.clients()), StandardCharsets.UTF_8);
    return "## Faults beside the tuned twin (" + schedule.rate() + " keyed records/s per client, both at once, "
        + "3 brokers, RF 3, min.insync.replicas=2)\n\n"
        + "Longest gap: the longest pause between two acknowledgements that overlaps the fault's window (its start "
        + "until the cluster was whole again, plus " + schedule.settle() + " s). With RF 3 on 3 brokers every broker "
        + "is a follower of every partition, so a stalled broker holds every acks=all write until the controller "
        + "fences it (`broker.session.timeout.ms`, 9 s): that floor is Kafka's, for both clients.\n\n"
        + ResultsReport.faults(run.faults(), run.gaps()) + '\n' + ResultsReport.outcomes(run.clients())
        + "\n![acks per second](" + png + ")\n\nPer-second data: [" + mode + "/faults.csv](" + mode
        + "/faults.csv).\n\n";
  }

  private void write() throws IOException {
    StringBuilder md = new StringBuilder("# Benchmark results (").append(mode).append(")\n\n")
        .append("Generated by `BenchmarkSuite --mode=").append(mode).append("`; each part records when it ran (a ")
        .append("part can be measured again alone with `--only=<part>`). Plain is the tuned twin: a `KafkaProducer` ")
        .append("with the library's settings wherever Kafka has one (acks=all, idempotence, delivery.timeout.ms=600000, ")
        .append("request.timeout.ms=10000, rebootstrap and reconnect settings). Ratios are resilient / plain. Raw ")
        .append("data per part in [").append(mode).append("/](").append(mode).append("/): `raw-<part>.json` (every ")
        .append("run, latency histograms included) and `runs-<part>.csv`. The machine is shared with other builds: ")
        .append("runs are interleaved and CPU is counted per record, and each part states the load average.\n\n");
    for (String part : PARTS) {
      Path section = partsDir.resolve(part + ".md");
      if (Files.exists(section)) {
        md.append(Files.readString(section, StandardCharsets.UTF_8));
      }
    }
    md.append("## Machine\n\n").append(MachineInfo.describe());
    Files.writeString(results.resolve("results-" + mode + ".md"), md, StandardCharsets.UTF_8);
  }

  static String runsCsv(List<Sample> samples) {
    StringBuilder csv = new StringBuilder("part,arm,repetition,sequence,acked,window_s,acks_per_s,cpu_us_per_record,"
        + "cpu_cores,alloc_bytes_per_record,gc_count,gc_ms,p50_ms,p99_ms,p999_ms,max_ms,producer_requests,"
        + "admin_requests,admin_requests_before,records_per_request,load_avg\n");
    for (Sample s : samples) {
      ClientResult r = s.result();
      csv.append(String.join(",", s.part(), '"' + s.arm() + '"', Integer.toString(s.repetition()),
          Integer.toString(s.sequence()), Long.toString(r.acked()), num(r.windowSeconds()), num(r.acksPerSecond()),
          num(r.cpuMicrosPerRecord()), num(r.cpuCores()), num(r.allocatedBytesPerRecord()), Long.toString(r.gcCount()),
          Long.toString(r.gcMillis()), num(r.p50Millis()), num(r.p99Millis()), num(r.p999Millis()), num(r.maxMillis()),
          Long.toString(r.producerRequests()), Long.toString(r.adminRequests()), Long.toString(r.adminRequestsBefore()),
          num(r.recordsPerRequest()), num(r.loadAverage()))).append('\n');
    }
    return csv.toString();
  }

  private static String num(double value) {
    return Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%.3f", value);
  }

  private Collection<RunResult> runJmh(String include, Path json) throws Exception {
    List<String> jvmArgs = new ArrayList<>(List.of("-Xmx512m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
    // the resolver's DNS server registers its records in the hosts file: the fork needs the same settings
    for (String property : List.of("jdk.net.hosts.file", "sun.net.inetaddr.ttl", "sun.net.inetaddr.negative.ttl",
        "java.security.properties", "resilientkafka.testkit.dir")) {
      String value = System.getProperty(property);
      if (value != null && !value.isBlank()) {
        jvmArgs.add("-D" + property + "=" + value);
      }
    }
    ChainedOptionsBuilder options = new OptionsBuilder()
        .forks(1)
        .jvmArgsAppend(jvmArgs.toArray(String[]::new))
        .resultFormat(ResultFormatType.JSON)
        .result(json.toString())
        .include(include.replace(".", "\\.") + "\\.");
    if (!mode.equals("full")) {
      options.warmupIterations(1).warmupTime(TimeValue.seconds(mode.equals("smoke") ? 1 : 3))
          .measurementIterations(mode.equals("smoke") ? 1 : 2).measurementTime(TimeValue.seconds(mode.equals("smoke") ? 2 : 5));
    }
    return new Runner(options.build()).run();
  }

  private static List<ResultsReport.ResolverRow> resolverRows(Collection<RunResult> jmh) {
    List<ResultsReport.ResolverRow> rows = new ArrayList<>();
    for (RunResult run : jmh) {
      String name = run.getParams().getBenchmark();
      var stats = run.getPrimaryResult().getStatistics();
      rows.add(new ResultsReport.ResolverRow(name.substring(name.lastIndexOf('.') + 1), stats.getMean(),
          stats.getPercentile(50), stats.getPercentile(99)));
    }
    return rows;
  }

  /** The per-second acknowledgement counts of each client, one column per client. */
  static String csv(List<ClientOutcome> clients) {
    StringBuilder csv = new StringBuilder("second");
    int seconds = 0;
    for (ClientOutcome c : clients) {
      csv.append(',').append(c.client());
      seconds = Math.max(seconds, c.acksPerSecond().length);
    }
    csv.append('\n');
    for (int s = 0; s < seconds; s++) {
      csv.append(s);
      for (ClientOutcome c : clients) {
        csv.append(',').append(s < c.acksPerSecond().length ? c.acksPerSecond()[s] : 0);
      }
      csv.append('\n');
    }
    return csv.toString();
  }

  static void log(String format, Object... args) {
    System.out.printf(Locale.ROOT, "[bench] " + format + "%n", args);
  }
}
