package dev.resilientkafka.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time of every thread of this JVM at one moment, by thread, with the group it counts in: the sending
 * threads, Kafka's I/O thread, the library's dispatcher and its shared threads, other Java threads, and the
 * JVM's own threads (JIT compilers, collector, G1 refinement, the rest) read from HotSpot's internal thread
 * MBean (the client JVM runs with {@code --add-exports java.management/sun.management=ALL-UNNAMED}); plus the
 * process's context switches. Two snapshots give where a window's CPU went; a thread that ended in between
 * counts nothing (its time left with it), one that started counts in full, so no group goes negative.
 */
record ThreadCpuSnapshot(Map<String, Long> nanosByThread, Map<String, String> groupByThread, long voluntarySwitches,
    long involuntarySwitches) {

  /** The thread groups a snapshot knows, as {@link ClientResult#cpuByThread} names them. */
  static final String SENDERS = "senders";
  static final String KAFKA_IO = "kafka io";
  static final String DISPATCHER = "dispatcher";
  /** The library's threads shared by a JVM's clients: cluster view, its Admin client, name watches, spool flushers. */
  static final String LIBRARY_SHARED = "library shared";
  static final String OTHER_JAVA = "other java";
  static final String JIT = "vm jit";
  static final String GC = "vm gc";
  static final String G1_REFINE = "vm g1 refine";
  static final String VM_OTHER = "vm other";

  /** Every live thread's CPU time now. */
  static ThreadCpuSnapshot take() {
    Map<String, Long> nanos = new HashMap<>();
    Map<String, String> groups = new HashMap<>();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null) {
        long cpu = threads.getThreadCpuTime(info.getThreadId());
        if (cpu >= 0) {
          String key = "java " + info.getThreadId();
          nanos.put(key, cpu);
          groups.put(key, javaGroup(info.getThreadName()));
        }
      }
    }
    for (Map.Entry<String, Long> internal : internalThreadCpu().entrySet()) {
      String key = "vm " + internal.getKey();
      nanos.put(key, internal.getValue());
      groups.put(key, vmGroup(internal.getKey()));
    }
    long[] switches = contextSwitches();
    return new ThreadCpuSnapshot(nanos, groups, switches[0], switches[1]);
  }

  /** Whether the JVM's own threads (the JIT compilers among them) are measured. */
  boolean seesVmThreads() {
    return groupByThread.containsValue(JIT);
  }

  /** Nanoseconds the JIT compiler threads used since {@code earlier}. */
  long jitNanosSince(ThreadCpuSnapshot earlier) {
    return groupNanosSince(earlier).getOrDefault(JIT, 0L);
  }

  /** Microseconds of CPU per record by group since {@code earlier}. */
  Map<String, Double> perRecordSince(ThreadCpuSnapshot earlier, long records) {
    Map<String, Double> out = new TreeMap<>();
    groupNanosSince(earlier).forEach((group, nanos) -> out.put(group, nanos / 1e3 / records));
    return out;
  }

  /** One log line: CPU per record by group, context switches per record. */
  String report(ThreadCpuSnapshot earlier, long processCpuNanos, long records) {
    StringBuilder line = new StringBuilder("[bench] cpu by thread, us/record:");
    long named = 0;
    for (Map.Entry<String, Long> group : new TreeMap<>(groupNanosSince(earlier)).entrySet()) {
      named += group.getValue();
      line.append(String.format(Locale.ROOT, " %s=%.2f", group.getKey(), group.getValue() / 1e3 / records));
    }
    return line.append(String.format(Locale.ROOT, " unattributed=%.2f; context switches/record: voluntary=%.3f"
        + " involuntary=%.3f", (processCpuNanos - named) / 1e3 / records,
        (double) (voluntarySwitches - earlier.voluntarySwitches) / records,
        (double) (involuntarySwitches - earlier.involuntarySwitches) / records)).toString();
  }

  private Map<String, Long> groupNanosSince(ThreadCpuSnapshot earlier) {
    Map<String, Long> byGroup = new HashMap<>();
    for (Map.Entry<String, Long> thread : nanosByThread.entrySet()) {
      long before = earlier.nanosByThread.getOrDefault(thread.getKey(), 0L);
      byGroup.merge(groupByThread.get(thread.getKey()), Math.max(0, thread.getValue() - before), Long::sum);
    }
    return byGroup;
  }

  private static String javaGroup(String name) {
    if (name.startsWith("sender")) {
      return SENDERS;
    }
    if (name.startsWith("kafka-producer-network-thread")) {
      return KAFKA_IO;
    }
    if (name.startsWith("resilient-") || name.contains("| resilient-kafka-admin-")) {
      return LIBRARY_SHARED;
    }
    return name.endsWith("-dispatcher") ? DISPATCHER : OTHER_JAVA;
  }

  private static String vmGroup(String name) {
    if (name.contains("CompilerThread")) {
      return JIT;
    }
    if (name.startsWith("G1 Refine")) {
      return G1_REFINE;
    }
    return name.startsWith("GC Thread") || name.startsWith("G1") ? GC : VM_OTHER;
  }

  /** The JVM's own threads by name (HotSpot only); empty where the JVM does not say. */
  @SuppressWarnings("unchecked")
  private static Map<String, Long> internalThreadCpu() {
    try {
      Object bean = Class.forName("sun.management.ManagementFactoryHelper").getMethod("getHotspotThreadMBean").invoke(null);
      return (Map<String, Long>) Class.forName("sun.management.HotspotThreadMBean")
          .getMethod("getInternalThreadCpuTimes").invoke(bean);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return Map.of();
    }
  }

  private static long[] contextSwitches() {
    long[] sum = new long[2];
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      tasks.forEach(task -> {
        try {
          for (String line : Files.readAllLines(task.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches:")) {
              sum[0] += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
              sum[1] += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
          }
        } catch (IOException | RuntimeException e) {
          // a thread that ended meanwhile
        }
      });
    } catch (IOException e) {
      // not Linux: no counts
    }
    return sum;
  }
}
