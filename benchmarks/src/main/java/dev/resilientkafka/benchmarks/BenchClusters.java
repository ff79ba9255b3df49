package dev.resilientkafka.benchmarks;

import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.nio.file.Path;

/** Builders of the suite's testkit clusters, each started on a clean directory. */
final class BenchClusters {
  private BenchClusters() {}

  /**
   * A builder for the cluster {@code name}, after deleting what a suite that was killed left in its
   * directory (a broker refuses a log directory formatted for another cluster id).
   */
  static LocalKafkaCluster.Builder builder(String name) {
    String root = System.getProperty("resilientkafka.testkit.dir");
    if (root != null && !root.isBlank()) {
      DirectoryCleaner.delete(Path.of(root, name));
    }
    return LocalKafkaCluster.builder().name(name);
  }
}
