package dev.resilientkafka.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Deletes what the suite leaves on disk: a killed suite's cluster directory, a run's spool directory. */
final class DirectoryCleaner {
  private DirectoryCleaner() {}

  /**
   * Deletes {@code dir} and everything under it; nothing when it does not exist.
   *
   * @throws UncheckedIOException when the tree cannot be listed
   */
  static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
