package dev.resilientkafka.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.resilientkafka.benchmarks.InterleavedRuns.Sample;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The statistics, timeline, argument, markdown and chart code of the suite, without any cluster. */
class ReportToolsTest {

  @Test
  void spreadIsMedianAndRange() {
    assertThat(Spread.of(5, 1, 3)).isEqualTo(new Spread(3, 1, 5, 3));
    assertThat(Spread.of(4, 1, 3, 2)).isEqualTo(new Spread(2.5, 1, 4, 4));
    assertThat(Spread.of().median()).isNaN();
  }

  @Test
  void pairedRatiosPairRunsOfTheSameRepetition() {
    List<Sample> samples = List.of(sample("plain", 0, 100), sample("resilient", 0, 90), sample("resilient", 1, 110),
        sample("plain", 1, 100));
    Spread ratio = InterleavedRuns.pairedRatio(samples, "resilient", "plain", ClientResult::acksPerSecond);
    assertThat(ratio.min()).isEqualTo(0.9);
    assertThat(ratio.max()).isEqualTo(1.1);
    assertThat(ClientComparisons.medianRatio(samples, "resilient", "plain", ClientResult::acksPerSecond)).isEqualTo(1.0);
  }

  @Test
  void aVerdictWhosePairedRatiosStraddleTheBoundIsNotSettled() {
    assertThat(Targets.atMost(1.05, Spread.of(1.0, 1.05, 1.08), 1.10)).isEqualTo("**met** (<= 1.10x)");
    assertThat(Targets.atMost(1.05, Spread.of(0.9, 1.05, 1.3), 1.10)).startsWith("**met** (<= 1.10x), not settled");
    assertThat(Targets.atLeast(0.8, Spread.of(0.7, 0.8, 0.9), 0.97)).isEqualTo("**missed** (>= 0.97x)");
  }

  @Test
  void resultsRecordedBeforeTheThreadSplitStillLoadAndShowNoSplit() throws Exception {
    String old = "{\"client\":\"plain\",\"acked\":10,\"failed\":0,\"windowSeconds\":1.0,\"acksPerSecond\":10.0,"
        + "\"cpuMicrosPerRecord\":5.0,\"cpuCores\":0.1,\"allocatedBytesPerRecord\":700.0,\"gcCount\":0,\"gcMillis\":0,"
        + "\"p50Millis\":1.0,\"p99Millis\":2.0,\"p999Millis\":3.0,\"maxMillis\":4.0,\"histogram\":null,"
        + "\"producerRequests\":1,\"adminRequests\":0,\"adminRequestsBefore\":0,\"recordsPerRequest\":1.0,"
        + "\"loadAverage\":1.0,\"requestsByApi\":{}}";
    ClientResult loaded = new com.fasterxml.jackson.databind.ObjectMapper().readValue(old, ClientResult.class);
    assertThat(loaded.cpuMicrosPerRecord()).isEqualTo(5.0);
    assertThat(loaded.cpuByThread()).isEmpty();
    assertThat(loaded.cpuOf(ThreadCpuSnapshot.JIT)).isNaN();
    Sample sample = new Sample("steady-1x1024", "plain", 0, 0, loaded);
    assertThat(ClientComparisons.cpuByThreadTable(List.of(sample), List.of("plain"))).isEmpty();
  }

  @Test
  void scaleIsJudgedAsFirstSetAndOnWhatTheLibraryAdds() {
    // Kafka's own growth (plain 100 -> 300 µs) takes the first-set ratio past 1.10x; the library adds 10 µs at
    // 1 topic and 5 µs at 1,000 topics
    List<Sample> samples = new java.util.ArrayList<>();
    for (int repetition = 0; repetition < 3; repetition++) {
      samples.add(cpuSample("plain, 1 topic", repetition, 100));
      samples.add(cpuSample("plain, 1000 topics", repetition, 300));
      samples.add(cpuSample("resilient, 1 topic", repetition, 110));
      samples.add(cpuSample("resilient, 1000 topics", repetition, 305));
    }
    String md = ClientComparisons.scaleMarkdown(ClientComparisons.Plan.of("quick"), samples);
    assertThat(md).contains("1000 topics / 1 topic: **2.773x** **missed** (<= 1.10x) as first set")
        .contains("+10.0 µs (+10.0 to +10.0) at 1 topic, +5.0 µs (+5.0 to +5.0) at 1000 topics: **met**")
        // (305 / 110) / (300 / 100)
        .contains("(resilient 1000 topics / 1 topic) / (plain 1000 topics / 1 topic) per repetition: **0.924x** "
            + "(0.924-0.924) **met** (<= 1.10x)");
    samples.replaceAll(s -> s.arm().equals("resilient, 1000 topics") ? cpuSample(s.arm(), s.repetition(), 320) : s);
    assertThat(ClientComparisons.scaleMarkdown(ClientComparisons.Plan.of("quick"), samples))
        .contains("+20.0 µs (+20.0 to +20.0) at 1000 topics: **missed**");
    // (400 / 110) / 3 in two repetitions, (300 / 110) / 3 in the third
    samples.replaceAll(s -> s.arm().equals("resilient, 1000 topics")
        ? cpuSample(s.arm(), s.repetition(), s.repetition() == 2 ? 300 : 400) : s);
    assertThat(ClientComparisons.scaleMarkdown(ClientComparisons.Plan.of("quick"), samples))
        .contains("per repetition: **1.212x** (0.909-1.212) **missed** (<= 1.10x), not settled");
  }

  @Test
  void scaleJudgesTheCostOfTopicsAloneAgainstOneTopicOfAsManyPartitions() {
    // Kafka's growth is per partition (plain 100 -> 290 µs at 3,000 partitions, 300 µs over 1,000 topics)
    List<Sample> samples = new java.util.ArrayList<>();
    for (int repetition = 0; repetition < 3; repetition++) {
      samples.add(cpuSample("plain, 1 topic", repetition, 100));
      samples.add(cpuSample("plain, 1 topic of 3000 partitions", repetition, 290));
      samples.add(cpuSample("plain, 1000 topics", repetition, 300));
      samples.add(cpuSample("resilient, 1 topic", repetition, 110));
      samples.add(cpuSample("resilient, 1 topic of 3000 partitions", repetition, 296 + repetition));
      samples.add(cpuSample("resilient, 1000 topics", repetition, 305));
    }
    String md = ClientComparisons.scaleMarkdown(ClientComparisons.Plan.of("quick"), samples);
    // 305 / 297
    assertThat(md).contains("the 6 arms interleaved")
        .contains("| resilient, 1 topic of 3000 partitions | 1000 (1000-1000) | 297.0 (296.0-298.0) |")
        .contains("- resilient: CPU per record, 1000 topics / 1 topic of 3000 partitions (the same partitions, the cost "
            + "of topics alone): **1.027x** **met** (<= 1.10x), the bound as first set read against one topic of as many "
            + "partitions")
        // (305 / 296..298) / (300 / 290)
        .contains("(resilient 1000 topics / 1 topic of 3000 partitions) / (plain, the same) per repetition: **0.993x** "
            + "(0.989-0.996) **met** (<= 1.10x)")
        .contains("Its records carry 12,000 keys, 4 for each partition")
        .contains("- plain: CPU per record, 1000 topics / 1 topic of 3000 partitions (the same partitions, the cost of "
            + "topics alone): **1.034x** (Kafka's own cost of topics)")
        .contains("1000 topics / 1 topic: **2.773x** **missed** (<= 1.10x) as first set");
    samples.replaceAll(s -> s.arm().equals("resilient, 1000 topics") ? cpuSample(s.arm(), s.repetition(), 340) : s);
    assertThat(ClientComparisons.scaleMarkdown(ClientComparisons.Plan.of("quick"), samples))
        .contains("(the same partitions, the cost of topics alone): **1.145x** **missed** (<= 1.10x)");
    samples.removeIf(s -> s.arm().endsWith("3000 partitions"));
    assertThat(ClientComparisons.scaleMarkdown(ClientComparisons.Plan.of("quick"), samples))
        .contains("the 4 arms interleaved").doesNotContain("3000 partitions");
  }

  @Test
  void theScaleTopicsPartitionsShareNoHashAndTheWideTopicsKeysWriteEachPartitionInTurn() {
    List<String> names = ClientComparisons.scaleTopicNames(1000, 3);
    assertThat(names).hasSize(1000).doesNotHaveDuplicates().startsWith("scale-0000");
    java.util.Set<Integer> hashes = new java.util.HashSet<>();
    names.forEach(name -> java.util.stream.IntStream.range(0, 3)
        .forEach(p -> hashes.add(new org.apache.kafka.common.TopicPartition(name, p).hashCode())));
    assertThat(hashes).hasSize(3000);
    byte[][] keys = ClientMain.keysForEachPartition(3000);
    assertThat(keys.length).isEqualTo(ClientMain.keyCount(3000)).isEqualTo(12_000);
    for (int i = 0; i < keys.length; i++) {
      int partition = org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(keys[i]))
          % 3000;
      assertThat(partition).as("partition of key %d", i).isEqualTo(i % 3000);
    }
    assertThat(java.util.Arrays.stream(keys).map(k -> new String(k, java.nio.charset.StandardCharsets.UTF_8)).distinct())
        .hasSize(12_000);
    assertThat(ClientMain.keyCount(3)).isEqualTo(1024);
  }

  @Test
  void scaleSaysOnWhichThreadsTheLibrarysAddedCpuLies() {
    List<Sample> samples = new java.util.ArrayList<>();
    for (int repetition = 0; repetition < 3; repetition++) {
      samples.add(cpuSample("plain, 1 topic", repetition, 100, threads(30, 60, Double.NaN, Double.NaN)));
      samples.add(cpuSample("plain, 1000 topics", repetition, 300, threads(30, 260, Double.NaN, Double.NaN)));
      samples.add(cpuSample("resilient, 1 topic", repetition, 104, threads(32, 61, 0.5, 0.5)));
      samples.add(cpuSample("resilient, 1000 topics", repetition, 330 + repetition, threads(33, 280 + repetition, 2, 4)));
    }
    String md = ClientComparisons.scaleMarkdown(ClientComparisons.Plan.of("quick"), samples);
    assertThat(md).contains("| library's shared threads |")
        .contains("where the difference lies at 1 topic, resilient - plain CPU per record by thread (runs side by side): "
            + "sending thread +2.0 µs (+2.0 to +2.0), Kafka's I/O thread +1.0 µs (+1.0 to +1.0;")
        .contains("where the difference lies at 1000 topics, resilient - plain CPU per record by thread (runs side by "
            + "side): sending thread +3.0 µs (+3.0 to +3.0), Kafka's I/O thread +21.0 µs (+20.0 to +22.0;")
        .contains("the library's own threads +6.0 µs (+6.0 to +6.0; dispatcher")
        .contains("the JIT compilers +0.3 µs (+0.3 to +0.3; compiling in the window");
  }

  private static java.util.Map<String, Double> threads(double senders, double io, double dispatcher, double shared) {
    java.util.Map<String, Double> byThread = new java.util.HashMap<>();
    byThread.put(ThreadCpuSnapshot.SENDERS, senders);
    byThread.put(ThreadCpuSnapshot.KAFKA_IO, io);
    byThread.put(ThreadCpuSnapshot.JIT, senders / 10);
    if (!Double.isNaN(dispatcher)) {
      byThread.put(ThreadCpuSnapshot.DISPATCHER, dispatcher);
      byThread.put(ThreadCpuSnapshot.LIBRARY_SHARED, shared);
    }
    return byThread;
  }

  @Test
  void cpuAtEqualThroughputTakesOutHowFastTheBrokersWereInEachRun() {
    // both clients cost less per record the faster the brokers acknowledge (0.4 µs per 1,000 acks/s); the
    // resilient one 0.5 µs more at any throughput. Its runs met slower brokers: its median is 1.20x plain's
    double[][] plain = {{30_000, 9.0}, {28_000, 9.8}, {26_000, 10.6}};
    double[][] resilient = {{25_000, 11.5}, {24_000, 11.9}, {29_000, 9.9}};
    List<Sample> samples = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      samples.add(throughputSample("plain", i, plain[i][0], plain[i][1]));
      samples.add(throughputSample("resilient", i, resilient[i][0], resilient[i][1]));
    }
    assertThat(ClientComparisons.medianRatio(samples, "resilient", "plain", ClientResult::cpuMicrosPerRecord))
        .isCloseTo(1.173, org.assertj.core.data.Offset.offset(0.001));
    EqualThroughputCpu fit = EqualThroughputCpu.of(samples, "resilient", "plain");
    assertThat(fit).isNotNull();
    assertThat(fit.atAcksPerSecond()).isEqualTo(27_000);
    assertThat(fit.microsPerThousandAcks()).isCloseTo(-0.4, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(fit.ratio()).as("0.5 µs over plain's 10.2 µs at 27,000 acks/s")
        .isCloseTo(10.7 / 10.2, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(fit.high() - fit.low()).as("an exact fit: no residuals").isLessThan(1e-6);
    assertThat(fit.line("resilient", "plain", 1.10)).contains("**1.049x**").contains("**met** and settled");

    samples.set(1, throughputSample("resilient", 0, 25_000, 12.5)); // noise: the interval widens
    EqualThroughputCpu noisy = EqualThroughputCpu.of(samples, "resilient", "plain");
    assertThat(noisy.low()).isLessThan(noisy.ratio());
    assertThat(noisy.high()).isGreaterThan(1.10);
    assertThat(noisy.line("resilient", "plain", 1.10)).contains("not settled");
    assertThat(EqualThroughputCpu.of(samples.subList(0, 3), "resilient", "plain")).as("one run of an arm").isNull();
  }

  @Test
  void aBaselineBuildThatDoesNotExistIsNamed() {
    System.setProperty("bench.baseline", "/no/such/client-core.jar");
    try {
      assertThatThrownBy(ClientComparisons::baselineBuild).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("bench.baseline").hasMessageContaining("/no/such/client-core.jar");
    } finally {
      System.clearProperty("bench.baseline");
    }
    assertThat(ClientComparisons.baselineBuild()).as("not set: no baseline arm").isNull();
  }

  @Test
  void steadyShapesAreReadFromTheirPropertyAndABadOneIsNamed() {
    System.clearProperty("bench.steady.shapes"); // Maven passes a -D given on its command line to this JVM
    assertThat(ClientComparisons.steadyShapes()).as("not set: both shapes")
        .containsExactly(new int[] {1, 1024}, new int[] {8, 128});
    try {
      System.setProperty("bench.steady.shapes", " 1x1024 ");
      assertThat(ClientComparisons.steadyShapes()).containsExactly(new int[] {1, 1024});
      System.setProperty("bench.steady.shapes", "4x256,2x512");
      assertThat(ClientComparisons.steadyShapes()).containsExactly(new int[] {4, 256}, new int[] {2, 512});
      for (String bad : List.of("1024", "0x128", "8x", "ax128", "1x1024;8x128", "1x1024,1x1024")) {
        System.setProperty("bench.steady.shapes", bad);
        assertThatThrownBy(ClientComparisons::steadyShapes).as(bad).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("bench.steady.shapes").hasMessageContaining(bad).hasMessageContaining("1x1024,8x128");
      }
    } finally {
      System.clearProperty("bench.steady.shapes");
    }
  }

  @Test
  void theArmWithoutRecordIdsIsOnUnlessTurnedOffAndAnythingElseIsNamed() {
    try {
      System.clearProperty("bench.steady.no-record-id-arm");
      assertThat(ClientComparisons.noRecordIdArm()).as("not set").isTrue();
      System.setProperty("bench.steady.no-record-id-arm", "False");
      assertThat(ClientComparisons.noRecordIdArm()).isFalse();
      System.setProperty("bench.steady.no-record-id-arm", "flase");
      assertThatThrownBy(ClientComparisons::noRecordIdArm).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("bench.steady.no-record-id-arm").hasMessageContaining("flase")
          .hasMessageContaining("true or false");
    } finally {
      System.clearProperty("bench.steady.no-record-id-arm");
    }
  }

  @Test
  void aBaselineBuildReplacesThisBuildsClientCoreOnTheChildsClassPath() {
    String own = System.getProperty("java.class.path");
    String sep = java.io.File.pathSeparator;
    System.setProperty("java.class.path", String.join(sep, "bench/target/classes",
        "lib/resilient-kafka-client-core-0.1.0-SNAPSHOT.jar", "lib/kafka-clients-4.3.1.jar"));
    try {
      assertThat(ClientJvm.classPath(null)).isEqualTo(System.getProperty("java.class.path"));
      assertThat(ClientJvm.classPath(Path.of("/base/client-core.jar")).split(sep))
          .containsExactly("/base/client-core.jar", "bench/target/classes", "lib/kafka-clients-4.3.1.jar");
    } finally {
      System.setProperty("java.class.path", own);
    }
  }

  private static Sample throughputSample(String arm, int repetition, double acksPerSecond, double cpuMicrosPerRecord) {
    return new Sample("steady-1x1024", arm, repetition, 0, new ClientResult(arm, 1000, 0, 1, acksPerSecond,
        cpuMicrosPerRecord, 0.1, 1, 0, 0, 1, 2, 3, 4, null, 0, 0, 0, 0, 0, java.util.Map.of(), 0, java.util.Map.of()));
  }

  private static Sample cpuSample(String arm, int repetition, double cpuMicrosPerRecord) {
    return cpuSample(arm, repetition, cpuMicrosPerRecord, java.util.Map.of());
  }

  private static Sample cpuSample(String arm, int repetition, double cpuMicrosPerRecord,
      java.util.Map<String, Double> byThread) {
    return new Sample("scale", arm, repetition, 0, new ClientResult(arm, 1000, 0, 1, 1000, cpuMicrosPerRecord, 0.1, 1,
        0, 0, 1, 2, 3, 4, null, 0, 0, 0, 0, 0, java.util.Map.of(), 0, byThread));
  }

  private static Sample sample(String arm, int repetition, double acksPerSecond) {
    return new Sample("test", arm, repetition, 0, new ClientResult(arm, 1, 0, 1, acksPerSecond, 1, 1, 1, 0, 0,
        Double.NaN, Double.NaN, Double.NaN, Double.NaN, null, 0, 0, 0, 0, 0, java.util.Map.of(), 0,
        java.util.Map.of()));
  }

  @Test
  void clientArgumentsRoundTripAndBadOnesAreNamed() {
    ClientSpec spec = ClientSpec.saturate(ClientKind.RESILIENT, "a:9092,b:9092", List.of("t1", "t2"), 8, 128, 10, 20);
    assertThat(ClientSpec.parse(spec.toArgs().toArray(String[]::new))).isEqualTo(spec);
    assertThatThrownBy(() -> ClientSpec.parse(new String[] {"client=kafka"})).hasMessageContaining("client")
        .hasMessageContaining("plain or resilient");
    assertThatThrownBy(() -> ClientSpec.paced(ClientKind.PLAIN, "a:9092", List.of("t"), 1, 0, 1, 1))
        .hasMessageContaining("Invalid value 0 for rate");
  }

  @Test
  void spoolArgumentsRoundTripAndOnlyTheResilientClientHasASpool() {
    ClientSpec spooled = ClientSpec.saturate(ClientKind.RESILIENT, "a:9092", List.of("t"), 1, 1024, 10, 20)
        .withSpool("/tmp/spools", "100");
    assertThat(spooled.spooled()).isTrue();
    assertThat(ClientSpec.parse(spooled.toArgs().toArray(String[]::new))).isEqualTo(spooled);
    assertThatThrownBy(() -> ClientSpec.saturate(ClientKind.PLAIN, "a:9092", List.of("t"), 1, 1024, 10, 20)
        .withSpool("/tmp/spools", "100")).hasMessageContaining("spoolRoot").hasMessageContaining("only the resilient");
  }

  @Test
  void spoolSectionJudgesTheThroughputTargetAndShowsEveryReplayRun() throws Exception {
    List<Sample> steady = new java.util.ArrayList<>();
    for (int rep = 0; rep < 2; rep++) {
      steady.add(sample("plain", rep, 1000));
      steady.add(sample("resilient", rep, 1000));
      steady.add(sample(SpoolComparison.SPOOLED, rep, 650 + 100 * rep));
    }
    List<SpoolComparison.Replay> replays = List.of(
        new SpoolComparison.Replay(0, 100, 110_000, 1.5, 0, 100, 0, 20, 0.5, 0.8, 2.0, 50, 60, 30, 20, 2000, 0, 100, 3),
        new SpoolComparison.Replay(1, 100, 110_000, 1.5, 0, 100, 0, 20, 0.5, 0.9, 4.0, 25, 40, 40, 30, 2000, 0, 100, 3));
    SpoolComparison.Raw raw = new SpoolComparison.Raw(steady, replays, "ext4", 100);
    // kept as raw-spool.json and read back by --rewrite
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    SpoolComparison.Raw read = json.readValue(json.writeValueAsString(raw), SpoolComparison.Raw.class);
    assertThat(read).isEqualTo(raw);
    String md = SpoolComparison.markdown(ClientComparisons.Plan.of("quick"), read);
    // median 700 / 1000: met, but one paired ratio (0.65) lies below the bound
    assertThat(md).contains("throughput resilient + spool / plain: **0.700x** **met** (>= 0.70x), not settled");
    assertThat(md).contains("| 0 | 100 | 0 | 1.5 | 20.0 | 100 | 0.50 | 0.80 | 2.0 | 50 | 60 | 30.0 | 20.0 | 2000 | 0 → 100 |")
        .contains("| 1 | 100 | 0 | 1.5 | 20.0 | 100 | 0.50 | 0.90 | 4.0 | 25 | 40 | 40.0 | 30.0 | 2000 | 0 → 100 |");
    assertThat(md).contains("replay rate: **38 records/s** (25-50 over 2 runs), 0.04x the twin's");
    assertThat(md).contains("second half of the records (the start of the client JVM and its producer behind it): 50 records/s (40-60)");
    assertThat(md).contains("every run: nothing in the topic before the replay");
    SpoolComparison.Raw lost = new SpoolComparison.Raw(steady, List.of(new SpoolComparison.Replay(0, 100, 110_000, 1.5,
        0, 100, 0, 20, 0.5, 0.8, 2.0, 50, 60, 30, 20, 2000, 0, 99, 3)), "ext4", 100);
    assertThat(SpoolComparison.markdown(ClientComparisons.Plan.of("quick"), lost)).contains("not every run was complete");
  }

  @Test
  void timelineKeepsGapsWithTheirPosition() {
    AckTimeline timeline = new AckTimeline(0);
    timeline.ack(100_000_000L);
    timeline.ack(200_000_000L);
    timeline.ack(3_700_000_000L);
    timeline.ack(3_800_000_000L);
    timeline.close(5_000_000_000L);
    assertThat(timeline.perSecond(4)).containsExactly(2, 0, 0, 2, 0);
    assertThat(timeline.longestGapMillis()).isEqualTo(3500.0);
    assertThat(timeline.longestGapMillis(4.0, 5.0)).isEqualTo(1200.0, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(timeline.gapEndSecond(1.0, 2.0)).isEqualTo(3.7);
  }

  @Test
  void faultTablesAndChartShowBothClients(@TempDir Path dir) throws Exception {
    List<ClientOutcome> clients = List.of(
        new ClientOutcome("plain", 100, 40, 60, 0, 40, 60, 0, 120_000, 5, 900, "TimeoutException x60",
            new long[] {10, 10, 0, 0, 20}),
        new ClientOutcome("resilient", 100, 100, 0, 0, 100, 0, 0, 9_000, 5, 80_000, "-",
            new long[] {10, 10, 0, 30, 50}));
    assertThat(ResultsReport.outcomes(clients)).contains("| plain | 100 | 40 | 60 | 0.400 | 60 |")
        .contains("| resilient | 100 | 100 | 0 | 1.000 | 0 |");
    FaultWindow window = new FaultWindow("leader stalled", 1.5, 2.5, 3.2);
    assertThat(ResultsReport.faults(List.of(window), List.of(new FaultScenario.FaultGap("leader stalled", "plain",
        9_300, 300)))).contains("| leader stalled | 1.5 | 2.5 | 3.2 | plain | 9.30 | 0.30 |");
    Path png = dir.resolve("chart.png");
    AckRateChart.write(png, "test", clients, List.of(window), 1000);
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(1400);
    assertThat(Files.size(png)).isGreaterThan(1000);
    assertThat(BenchmarkSuite.csv(clients)).startsWith("second,plain,resilient\n0,10,10\n");
  }
}
