package dev.resilientkafka.benchmarks;

import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.jspecify.annotations.Nullable;

/**
 * Six brokers, RF 3: both clients send keyless 1 KiB records to 12 partitions while one broker is
 * SIGSTOPped. Partitions whose replicas do not include that broker have no reason to stall; this
 * measures whether records keep flowing through them. Both clients get {@code
 * partitioner.availability.timeout.ms=1000} (Kafka's default 0 turns partition avoidance off; it is the
 * library's default). Not thread-safe; one run at a time.
 */
public final class StalledBrokerScenario {
  private static final int PARTITIONS = 12;
  private static final int STALLED = 5;
  private static final int BASELINE_SECONDS = 10;

  private final ChurnSchedule schedule;
  private final int rate;

  /** A run with the stall duration of {@code schedule}, offering twice its rate. */
  public StalledBrokerScenario(ChurnSchedule schedule) {
    this.schedule = schedule;
    this.rate = 2 * schedule.rate();
  }

  /** Records offered per second to each client. */
  public int rate() {
    return rate;
  }

  /**
   * One client's acks per second before and during the stall.
   *
   * @param client {@code plain} or {@code resilient}
   * @param baselinePerSecond acks per second over all partitions before the stall
   * @param cleanPerSecond acks per second during the stall on partitions without the stalled broker
   * @param affectedPerSecond acks per second during the stall on partitions with it as a replica
   * @param cleanPartitions how many partitions do not include the stalled broker
   * @param longestGapMillis longest time between consecutive acks over the whole run
   * @param recordsPerRequestAvg the producer's {@code records-per-request-avg} at the end of the stall
   * @param recordsPerRequestInStall records sent over requests sent during the stall ({@code
   *     record-send-total} and {@code request-total} of {@code producer-metrics})
   */
  public record Result(String client, double baselinePerSecond, double cleanPerSecond, double affectedPerSecond,
      int cleanPartitions, double longestGapMillis, double recordsPerRequestAvg, double recordsPerRequestInStall) {}

  /** Starts a 6-broker cluster, runs the stall, closes the cluster. */
  public List<Result> run() throws InterruptedException {
    try (LocalKafkaCluster cluster = BenchClusters.builder("bench-stall").brokers(6).start()) {
      List<PacedProducer> runs = new ArrayList<>();
      List<AtomicLongArray> counts = new ArrayList<>();
      for (ClientKind kind : ClientKind.values()) {
        cluster.createTopic(new NewTopic("stall-" + kind.label(), PARTITIONS, (short) 3)
            .configs(Map.of("min.insync.replicas", "2")));
      }
      long start = System.nanoTime();
      Map<String, Object> extra = Map.of(ProducerConfig.PARTITIONER_AVAILABILITY_TIMEOUT_MS_CONFIG, 1_000);
      for (ClientKind kind : ClientKind.values()) {
        AtomicLongArray perPartition = new AtomicLongArray(PARTITIONS);
        counts.add(perPartition);
        runs.add(new PacedProducer(kind.label(), kind.create(cluster.bootstrapFqdns(), "stall-" + kind.label(), extra),
            "stall-" + kind.label(), rate, false, 1024, start, perPartition::incrementAndGet));
      }
      List<Result> results = new ArrayList<>();
      try {
        FaultScenario.pauseSeconds(5); // let both clients connect everywhere before the baseline
        long[][] atBaselineStart = snapshot(counts);
        FaultScenario.pauseSeconds(BASELINE_SECONDS);
        long[][] atStallStart = snapshot(counts);
        double[][] requestsAtStart = requestCounts(runs);
        BenchmarkSuite.log("stall: SIGSTOP kafka-%d for %d s (6 brokers, RF 3, keyless)", STALLED, schedule.stallFor());
        cluster.pause(STALLED);
        FaultScenario.pauseSeconds(schedule.stallFor());
        long[][] atStallEnd = snapshot(counts);
        double[][] requestsAtEnd = requestCounts(runs);
        double[] perRequestAvg = runs.stream().mapToDouble(r -> r.metric("records-per-request-avg")).toArray();
        cluster.resume(STALLED);
        cluster.awaitFullyReplicated(Duration.ofSeconds(120));
        for (int c = 0; c < runs.size(); c++) {
          Set<Integer> clean = cleanPartitions(cluster, "stall-" + runs.get(c).name());
          double baseline = sum(atStallStart[c], atBaselineStart[c], null, true) / (double) BASELINE_SECONDS;
          double cleanRate = sum(atStallEnd[c], atStallStart[c], clean, true) / (double) schedule.stallFor();
          double affectedRate = sum(atStallEnd[c], atStallStart[c], clean, false) / (double) schedule.stallFor();
          double perRequest = (requestsAtEnd[c][0] - requestsAtStart[c][0])
              / Math.max(1, requestsAtEnd[c][1] - requestsAtStart[c][1]);
          Result result = new Result(runs.get(c).name(), baseline, cleanRate, affectedRate, clean.size(),
              runs.get(c).timeline().longestGapMillis(), perRequestAvg[c], perRequest);
          BenchmarkSuite.log("stall: %s", result);
          results.add(result);
        }
      } finally {
        runs.forEach(PacedProducer::stopOffering);
        runs.forEach(PacedProducer::close);
      }
      return results;
    }
  }

  /** Per client: records sent and requests sent so far. */
  private static double[][] requestCounts(List<PacedProducer> runs) {
    double[][] counts = new double[runs.size()][];
    for (int c = 0; c < runs.size(); c++) {
      counts[c] = new double[] {runs.get(c).metric("record-send-total"), runs.get(c).metric("request-total")};
    }
    return counts;
  }

  private static Set<Integer> cleanPartitions(LocalKafkaCluster cluster, String topic) {
    Set<Integer> clean = new HashSet<>();
    for (int p = 0; p < PARTITIONS; p++) {
      TopicPartitionInfo info = cluster.partitionInfo(new TopicPartition(topic, p));
      if (info.replicas().stream().noneMatch(node -> node.id() == STALLED)) {
        clean.add(p);
      }
    }
    return clean;
  }

  private static long[][] snapshot(List<AtomicLongArray> counts) {
    long[][] copy = new long[counts.size()][];
    for (int c = 0; c < counts.size(); c++) {
      copy[c] = new long[counts.get(c).length()];
      for (int p = 0; p < copy[c].length; p++) {
        copy[c][p] = counts.get(c).get(p);
      }
    }
    return copy;
  }

  private static long sum(long[] to, long[] from, @Nullable Set<Integer> partitions, boolean inside) {
    long total = 0;
    for (int p = 0; p < to.length; p++) {
      if (partitions == null || partitions.contains(p) == inside) {
        total += to[p] - from[p];
      }
    }
    return total;
  }
}
