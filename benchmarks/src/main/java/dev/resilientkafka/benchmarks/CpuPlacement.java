package dev.resilientkafka.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Where the suite's processes run, from {@code -Dbench.cpus}: {@code shared} (the default: brokers,
 * controller and clients on every CPU, as they were measured before) or {@code split} (the cluster's nodes
 * on the first half of the CPUs, the client JVMs on the other half).
 *
 * <p>Split stands for clients and brokers on separate machines, as in production: on two shared CPUs a
 * client that spends more CPU per record also slows the brokers that acknowledge it, and how the scheduler
 * shared the CPUs between a run's five JVMs moved throughput by more than the clients differ. A client JVM
 * keeps the JVM's sizing of all the CPUs ({@code -XX:ActiveProcessorCount}), so it has the GC and compiler
 * threads it has unpinned (on half the CPUs). The faults and stall parts run their clients in the suite's JVM,
 * which split moves onto the clients' CPUs. CPUs are those this JVM may run on (a cpuset is respected).
 */
enum CpuPlacement {
  SHARED,
  SPLIT;

  private static final List<Integer> ALLOWED_AT_START = List.copyOf(readAllowedCpus());

  /** The placement {@code -Dbench.cpus} names. */
  static CpuPlacement fromProperty() {
    return of(System.getProperty("bench.cpus", "shared"), allowedCpus().size());
  }

  /** The placement {@code value} names on a machine where this JVM may run on {@code cpus} CPUs. */
  static CpuPlacement of(String value, int cpus) {
    return switch (value.isBlank() ? "shared" : value) {
      case "shared" -> SHARED;
      case "split" -> {
        if (cpus < 2) {
          throw new IllegalArgumentException(
              "Invalid value split for bench.cpus: this JVM may run on " + cpus + " CPU, split needs at least 2");
        }
        yield SPLIT;
      }
      default -> throw new IllegalArgumentException(
          "Invalid value " + value + " for bench.cpus: must be shared or split");
    };
  }

  /** The CPU list for the cluster's nodes ({@code taskset -c}), or null for any CPU. */
  @Nullable String nodeCpus() {
    return this == SHARED ? null : list(nodeHalf(allowedCpus()));
  }

  /** What a client JVM's {@code java} command runs under: empty, or {@code taskset} on the other CPUs. */
  List<String> clientLauncher() {
    return this == SHARED ? List.of() : List.of("taskset", "-c", clientCpus());
  }

  /** JVM options of a client JVM: with split, the JVM sizes itself for all the CPUs as it would unpinned. */
  List<String> clientJvmOptions() {
    return this == SHARED ? List.of() : List.of("-XX:ActiveProcessorCount=" + allowedCpus().size());
  }

  /** With split, moves every thread of this JVM (and those it starts later) onto the clients' CPUs. */
  void placeThisJvm() {
    if (this == SHARED) {
      return;
    }
    List<String> command =
        List.of("taskset", "-a", "-p", "-c", clientCpus(), Long.toString(ProcessHandle.current().pid()));
    try {
      Process taskset = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(taskset.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!taskset.waitFor(10, TimeUnit.SECONDS) || taskset.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + output.strip());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("bench.cpus=split needs taskset (util-linux): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while placing this JVM on CPUs " + clientCpus(), e);
    }
  }

  /** One line for the results: where the measured processes ran. */
  String describe() {
    return this == SHARED
        ? "shared (cluster nodes and clients on every CPU)"
        : "split (cluster nodes on CPUs " + nodeCpus() + ", client JVMs and the suite's own on CPUs " + clientCpus() + ")";
  }

  private static String clientCpus() {
    List<Integer> cpus = allowedCpus();
    return list(cpus.subList(nodeHalf(cpus).size(), cpus.size()));
  }

  private static List<Integer> nodeHalf(List<Integer> cpus) {
    return cpus.subList(0, cpus.size() / 2);
  }

  /**
   * The CPUs this JVM may run on ({@code Cpus_allowed_list} in {@code /proc/self/status}: a container's
   * cpuset or a {@code taskset} the suite was started under), else 0 to the processor count - 1; read once,
   * before {@link #placeThisJvm()} narrows them.
   */
  static List<Integer> allowedCpus() {
    return ALLOWED_AT_START;
  }

  private static List<Integer> readAllowedCpus() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
        if (line.startsWith("Cpus_allowed_list:")) {
          return parseList(line.substring(line.indexOf(':') + 1).strip());
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: taskset is not there either, and split fails when it is used
    }
    List<Integer> cpus = new ArrayList<>();
    for (int cpu = 0; cpu < Runtime.getRuntime().availableProcessors(); cpu++) {
      cpus.add(cpu);
    }
    return cpus;
  }

  /** {@code 0-3,8,10-11} as CPU numbers. */
  static List<Integer> parseList(String list) {
    List<Integer> cpus = new ArrayList<>();
    for (String part : list.split(",")) {
      String[] range = part.strip().split("-");
      int first = Integer.parseInt(range[0]);
      int last = range.length == 1 ? first : Integer.parseInt(range[1]);
      for (int cpu = first; cpu <= last; cpu++) {
        cpus.add(cpu);
      }
    }
    return cpus;
  }

  private static String list(List<Integer> cpus) {
    return cpus.stream().map(String::valueOf).collect(Collectors.joining(","));
  }
}
