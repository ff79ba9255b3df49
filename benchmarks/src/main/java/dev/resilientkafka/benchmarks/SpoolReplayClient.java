package dev.resilientkafka.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.resilientkafka.ResilientProducer;
import dev.resilientkafka.ResilientProducerConfig;
import dev.resilientkafka.SpoolStatus;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The application of the spool replay measurement, in its own JVM (started by {@link ClientJvm}), in one of two
 * roles.
 *
 * <ul>
 *   <li>{@code fill <spool dir> <bootstrap> <topic> <records> <fsync>}: a {@link ResilientProducer} with a
 *       durable spool sends that many keyed 1 KiB records while the cluster acknowledges none, prints {@code
 *       FILLED <json>} ({@link Filled}) once every {@code send()} returned, and then waits to be killed.
 *   <li>{@code replay <spool dir> <bootstrap> <fsync> <timeout s>}: opens the same directory with a new producer,
 *       waits until the spool holds no record (every one acknowledged or failed for good), prints {@code RESULT
 *       <json>} ({@link Replayed}) and exits.
 * </ul>
 *
 * <p>It halts when its standard input closes: the suite that started it is gone.
 */
public final class SpoolReplayClient {
  /** How often the replay looks at the spool's state: the resolution of the replay's duration. */
  private static final long POLL_NANOS = 10_000_000L;

  /**
   * What the filling application did.
   *
   * @param records records in the spool once every {@code send()} returned (none acknowledged: all of them)
   * @param bytes their size on disk
   * @param seconds from the first {@code send()} until the last returned
   */
  public record Filled(long records, long bytes, double seconds) {}

  /**
   * What the replaying application measured, from just before it built its producer (which opens the spool
   * and starts sending what it found) until the spool held no record.
   *
   * @param recovered records found in the spool at start ({@link SpoolStatus#recoveredAtStart()})
   * @param tornTails records cut short by the kill and truncated at start
   * @param remaining records still in the spool at the end (0 unless the timeout passed)
   * @param openSeconds building the producer: Kafka's producer, the spool's recovery
   * @param firstAckSeconds from the start of the build until the spool first held fewer records than recovered
   * @param halfSeconds from the start of the build until the spool held half of them or fewer
   * @param replaySeconds from the start of the build until the spool was empty
   * @param cpuSeconds the JVM's process CPU time over {@code replaySeconds}
   * @param secondHalfCpuSeconds the JVM's process CPU time from {@code halfSeconds} to {@code replaySeconds}
   * @param allocatedBytes bytes allocated by the JVM's live threads over {@code replaySeconds}
   * @param loadAverage the machine's 1-minute load average at the start
   */
  public record Replayed(long recovered, int tornTails, long remaining, double openSeconds, double firstAckSeconds,
      double halfSeconds, double replaySeconds, double cpuSeconds, double secondHalfCpuSeconds, long allocatedBytes,
      double loadAverage) {}

  private SpoolReplayClient() {}

  /** Entry point; arguments in the class description. */
  public static void main(String[] args) throws Exception {
    ClientMain.haltWhenParentGone();
    if (args.length == 6 && args[0].equals("fill")) {
      fill(args[1], args[2], args[3], Integer.parseInt(args[4]), args[5]);
    } else if (args.length == 5 && args[0].equals("replay")) {
      replay(args[1], args[2], args[3], Duration.ofSeconds(Long.parseLong(args[4])));
    } else {
      throw new IllegalArgumentException("Invalid arguments " + String.join(" ", args) + ": expected fill <spool dir> "
          + "<bootstrap> <topic> <records> <fsync> or replay <spool dir> <bootstrap> <fsync> <timeout s>");
    }
  }

  private static ResilientProducer<byte[], byte[]> producer(String dir, String bootstrap, String fsync, String id) {
    return (ResilientProducer<byte[], byte[]>) ClientKind.RESILIENT.create(bootstrap, id,
        Map.of(ResilientProducerConfig.SPOOL_DIR, dir, ResilientProducerConfig.SPOOL_FSYNC, fsync));
  }

  private static void fill(String dir, String bootstrap, String topic, int records, String fsync) throws Exception {
    byte[][] keys = new byte[1024][];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = String.format("key-%04d", i).getBytes(StandardCharsets.UTF_8);
    }
    byte[] value = new byte[1024];
    Producer<byte[], byte[]> producer = producer(dir, bootstrap, fsync, "bench-spool-fill");
    long start = System.nanoTime();
    for (int i = 0; i < records; i++) {
      producer.send(new ProducerRecord<>(topic, keys[i % keys.length], value));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    SpoolStatus status = ((ResilientProducer<byte[], byte[]>) producer).spoolStatus().orElseThrow();
    System.out.println("FILLED " + new ObjectMapper().writeValueAsString(new Filled(status.records(), status.bytes(),
        seconds)));
    System.out.flush();
    // the producer stays open: the suite kills this JVM as an application dies, with records unsent
    while (System.in.read() >= 0) {
      // until killed, or until the suite closes the input (then the parent watch halts the JVM)
    }
  }

  private static void replay(String dir, String bootstrap, String fsync, Duration timeout) throws Exception {
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    long cpu = ClientMain.processCpuNanos();
    long allocated = ClientMain.allocatedBytes();
    long start = System.nanoTime();
    ResilientProducer<byte[], byte[]> producer = producer(dir, bootstrap, fsync, "bench-spool-replay");
    long built = System.nanoTime();
    SpoolStatus status = producer.spoolStatus().orElseThrow();
    long recovered = status.recoveredAtStart();
    long deadline = start + timeout.toNanos();
    long firstAck = -1;
    long half = -1;
    long halfCpu = 0;
    while (status.records() > 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(POLL_NANOS);
      status = producer.spoolStatus().orElseThrow();
      if (firstAck < 0 && status.records() < recovered) {
        firstAck = System.nanoTime();
      }
      if (half < 0 && status.records() <= recovered / 2) {
        half = System.nanoTime();
        halfCpu = ClientMain.processCpuNanos();
      }
    }
    long end = System.nanoTime();
    long endCpu = ClientMain.processCpuNanos();
    Replayed replayed = new Replayed(recovered, status.tornTailsRepairedAtStart(), status.records(),
        (built - start) / 1e9, firstAck < 0 ? Double.NaN : (firstAck - start) / 1e9,
        half < 0 ? Double.NaN : (half - start) / 1e9, (end - start) / 1e9, (endCpu - cpu) / 1e9,
        half < 0 ? Double.NaN : (endCpu - halfCpu) / 1e9, ClientMain.allocatedBytes() - allocated, load);
    producer.close(Duration.ofSeconds(10));
    System.out.println(ClientMain.RESULT + new ObjectMapper().writeValueAsString(replayed));
    System.out.flush();
    System.exit(0);
  }
}
