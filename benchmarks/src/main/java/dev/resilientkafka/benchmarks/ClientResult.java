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
 */
public record ClientResult(String client, long acked, long failed, double windowSeconds, double acksPerSecond,
    double cpuMicrosPerRecord, double cpuCores, double allocatedBytesPerRecord, long gcCount, long gcMillis,
    double p50Millis, double p99Millis, double p999Millis, double maxMillis, @Nullable String histogram,
    long producerRequests, long adminRequests, long adminRequestsBefore, double recordsPerRequest,
    double loadAverage) {

  /** Requests the client sent to the cluster per minute of the window, Admin included. */
  public double requestsPerMinute() {
    return (producerRequests + adminRequests) * 60.0 / windowSeconds;
  }
}
