package dev.resilientkafka.benchmarks;

import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

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
      Path leftover = Path.of(root, name);
      if (Files.isDirectory(leftover)) {
        try (Stream<Path> files = Files.walk(leftover)) {
          files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
          throw new UncheckedIOException("cannot delete the leftover cluster directory " + leftover, e);
        }
      }
    }
    return LocalKafkaCluster.builder().name(name);
  }
}
