package dev.resilientkafka.benchmarks;

import org.jspecify.annotations.Nullable;

/**
 * What one client JVM measured over its window, sent to the suite as one JSON line. Counts and times are
 * deltas between the window's start and end; latency fields are {@code NaN} for a saturating load.
 *
 * @param client {@code plain} or {@code resilient}
 * @param acked records acknowledged in the window
 * @param failed records whose callback reported a failure in the window
 * @param windowSeconds measured length of the window
 * @param acksPerSecond {@code acked / windowSeconds}
 * @param cpuMicrosPerRecord the JVM's process CPU time in the window over {@code acked}, in microseconds
 * @param cpuCores process CPU time over wall time in the window (1.0 = one core busy)
 * @param allocatedBytesPerRecord bytes allocated by the JVM's live threads in the window over {@code acked}
 * @param gcCount collections in the window
 * @param gcMillis time the collectors report for the window
 * @param p50Millis median send-to-ack latency ({@link ClientSpec.Load#PACED})
 * @param p99Millis 99th percentile
 * @param p999Millis 99.9th percentile
 * @param maxMillis largest
 * @param histogram the window's latency histogram (HdrHistogram, compressed, Base64; microseconds), or null
 * @param producerRequests the producers' {@code request-total} ({@code producer-metrics}) in the window
 * @param adminRequests {@code request-total} of the library's shared Admin clients (JMX) in the window
 * @param adminRequestsBefore the same, counted from the JVM's start to the window's start
 * @param recordsPerRequest mean of the producers' {@code records-per-request-avg} at the window's end
 * @param loadAverage the machine's 1-minute load average at the window's start
 * @param requestsByApi requests sent in the window by client type and API ({@code Producer PRODUCE}, {@code
 *     AdminClient DESCRIBE_CONFIGS}), counted from the clients' own debug log; empty when not counted
 * @param warmupSeconds how long the load ran before the window: the spec's warm-up, then until the JIT
 *     compilers were quiet ({@link JitSettle}); 0 in results recorded before it was measured
 * @param cpuByThread CPU per record in the window (microseconds) by thread group: {@code senders}, {@code
 *     kafka io}, {@code dispatcher}, {@code other java}, {@code vm jit}, {@code vm gc}, {@code vm g1 refine},
 *     {@code vm other}; empty when not measured
 */
public record ClientResult(String client, long acked, long failed, double windowSeconds, double acksPerSecond,
    double cpuMicrosPerRecord, double cpuCores, double allocatedBytesPerRecord, long gcCount, long gcMillis,
    double p50Millis, double p99Millis, double p999Millis, double maxMillis, @Nullable String histogram,
    long producerRequests, long adminRequests, long adminRequestsBefore, double recordsPerRequest,
    double loadAverage, java.util.Map<String, Long> requestsByApi, double warmupSeconds,
    java.util.Map<String, Double> cpuByThread) {

  /** Checks the arguments. */
  public ClientResult {
    requestsByApi = requestsByApi == null ? java.util.Map.of() : new java.util.TreeMap<>(requestsByApi);
    cpuByThread = cpuByThread == null ? java.util.Map.of() : new java.util.TreeMap<>(cpuByThread);
  }

  /** Microseconds of CPU per record of one thread group ({@link #cpuByThread}); NaN when not measured. */
  public double cpuOf(String group) {
    return cpuByThread.getOrDefault(group, Double.NaN);
  }

  /** This result with the requests counted in the window. */
  ClientResult withRequestsByApi(java.util.Map<String, Long> counts) {
    return new ClientResult(client, acked, failed, windowSeconds, acksPerSecond, cpuMicrosPerRecord, cpuCores,
        allocatedBytesPerRecord, gcCount, gcMillis, p50Millis, p99Millis, p999Millis, maxMillis, histogram,
        producerRequests, adminRequests, adminRequestsBefore, recordsPerRequest, loadAverage, counts, warmupSeconds,
        cpuByThread);
  }

  /** Requests in the window other than produce requests (metadata, config reads, probes, handshakes). */
  public long nonProduceRequests() {
    return requestsByApi.entrySet().stream().filter(e -> !e.getKey().endsWith(" PRODUCE"))
        .mapToLong(java.util.Map.Entry::getValue).sum();
  }
}
