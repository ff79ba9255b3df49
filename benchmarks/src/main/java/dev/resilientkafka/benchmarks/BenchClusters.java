package dev.resilientkafka.benchmarks;

import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.nio.file.Path;

/** Builders of the suite's testkit clusters, each started on a clean directory. */
final class BenchClusters {
  private BenchClusters() {}

  /**
   * A builder for the cluster {@code name}, after deleting what a suite that was killed left in its
   * directory (a broker refuses a log directory formatted for another cluster id). Its brokers look for
   * segments past a topic's retention every 10 s (Kafka's default: 5 min), so that topics written at
   * saturation with {@link #TOPIC_RETENTION} keep a few GB on disk, not the tens of GB a long run writes.
   */
  static LocalKafkaCluster.Builder builder(String name) {
    String root = System.getProperty("resilientkafka.testkit.dir");
    if (root != null && !root.isBlank()) {
      DirectoryCleaner.delete(Path.of(root, name));
    }
    return LocalKafkaCluster.builder().name(name).brokerProperty("log.retention.check.interval.ms", "10000");
  }

  /**
   * Topic settings of the suite's topics: at most 128 MiB kept per partition in 32 MiB segments, deleted
   * a second after they expire. At 30,000 records of 1 KiB a second and RF 3 a run writes about 5 GB; kept,
   * a part's runs filled the disk and the page cache, and the brokers slowed down run after run.
   */
  static final java.util.Map<String, String> TOPIC_RETENTION = java.util.Map.of("retention.bytes",
      Long.toString(128L << 20), "segment.bytes", Integer.toString(32 << 20), "file.delete.delay.ms", "1000");
}
