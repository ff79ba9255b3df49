package dev.resilientkafka.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.resilientkafka.ResilientProducerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.utils.Utils;
import org.jspecify.annotations.Nullable;

/**
 * One measured client in its own JVM, started by {@link ClientJvm}: builds the producers of a {@link
 * ClientSpec}, offers its load through a warm-up and a measured window, prints one line {@code RESULT
 * <json>} ({@link ClientResult}) and exits. Everything it counts comes from this JVM alone, so the process
 * CPU time is the client's (the brokers run in other processes). It halts when its standard input closes:
 * the suite that started it is gone.
 */
public final class ClientMain {
  /** The prefix of the result line on standard output. */
  static final String RESULT = "RESULT ";
  /**
   * Written to standard error (where the Kafka clients log) when the window starts and ends, so that the
   * requests the clients log can be counted inside it.
   */
  static final String WINDOW_START = "[bench] window start";
  static final String WINDOW_END = "[bench] window end";
  /** Keys of keyed records, unless the widest topic written needs more. */
  private static final int DEFAULT_KEYS = 1024;
  /** Keys for each partition of a topic wider than {@link #DEFAULT_KEYS} / this. */
  private static final int KEYS_PER_PARTITION = 4;

  private final ClientSpec spec;
  private final List<Producer<byte[], byte[]>> producers = new ArrayList<>();
  private byte[][] keys = keys(DEFAULT_KEYS);
  private final byte[] value;
  private final LongAdder acked = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final Recorder latencies = new Recorder(3);
  private volatile boolean running = true;

  private ClientMain(ClientSpec spec) {
    this.spec = spec;
    this.value = new byte[spec.valueBytes()];
  }

  private static byte[][] keys(int count) {
    byte[][] made = new byte[count][];
    for (int i = 0; i < count; i++) {
      made[i] = String.format("key-%04d", i).getBytes(StandardCharsets.UTF_8);
    }
    return made;
  }

  /** How many keys records carry when the widest topic written has {@code partitions} partitions. */
  static int keyCount(int partitions) {
    return Math.max(DEFAULT_KEYS, KEYS_PER_PARTITION * partitions);
  }

  /**
   * {@link #KEYS_PER_PARTITION} keys for each of {@code partitions} partitions of one topic, as Kafka's
   * partitioner places keyed records (murmur2 of the key), in turn: key {@code i} goes to partition {@code i %
   * partitions}, so that records taking the keys in order write the partitions in turn.
   */
  static byte[][] keysForEachPartition(int partitions) {
    byte[][] made = new byte[KEYS_PER_PARTITION * partitions][];
    int[] found = new int[partitions];
    int missing = made.length;
    for (int candidate = 0; missing > 0; candidate++) {
      byte[] key = String.format("key-%d", candidate).getBytes(StandardCharsets.UTF_8);
      int partition = Utils.toPositive(Utils.murmur2(key)) % partitions;
      if (found[partition] < KEYS_PER_PARTITION) {
        made[found[partition]++ * partitions + partition] = key;
        missing--;
      }
    }
    return made;
  }

  /** Entry point; arguments as {@link ClientSpec#toArgs()}. */
  public static void main(String[] args) throws Exception {
    haltWhenParentGone();
    ClientSpec spec = ClientSpec.parse(args);
    ClientResult result = new ClientMain(spec).run();
    System.out.println(RESULT + new ObjectMapper().writeValueAsString(result));
    System.out.flush();
    System.exit(0);
  }

  private ClientResult run() throws InterruptedException, IOException {
    @Nullable Path spoolDir = null;
    if (spec.spooled()) {
      Path root = Files.createDirectories(Path.of(spec.spoolRoot()));
      spoolDir = Files.createTempDirectory(root, "run-");
    }
    try {
      return run(spoolDir);
    } finally {
      if (spoolDir != null) {
        DirectoryCleaner.delete(spoolDir);
      }
    }
  }

  private ClientResult run(@Nullable Path spoolDir) throws InterruptedException {
    for (int p = 0; p < spec.producers(); p++) {
      Map<String, Object> extra = new java.util.HashMap<>();
      if (spoolDir != null) {
        extra.put(ResilientProducerConfig.SPOOL_DIR, spoolDir.resolve("producer-" + p).toString());
        extra.put(ResilientProducerConfig.SPOOL_FSYNC, spec.spoolFsync());
      }
      if (!spec.recordIds()) {
        extra.put(ResilientProducerConfig.RECORD_ID_HEADER, "");
      }
      producers.add(spec.client().create(spec.bootstrap(), "bench-" + spec.client().label() + "-" + p, extra));
    }
    // every topic's metadata before the clock starts, for both clients alike: the first send to a topic
    // otherwise waits for it (plain) or queues behind it (resilient), which is start-up, not steady state
    int widest = 0;
    for (int i = 0; i < spec.topics().size(); i++) {
      widest = Math.max(widest, producers.get(i % producers.size()).partitionsFor(spec.topics().get(i)).size());
    }
    // 1,024 keys, hashed, would reach 29 % of a topic of 3,000 partitions
    if (keyCount(widest) > keys.length) {
      keys = keysForEachPartition(widest);
    }
    List<Thread> senders = new ArrayList<>();
    if (spec.load() == ClientSpec.Load.SATURATE) {
      for (int t = 0; t < spec.threads(); t++) {
        int thread = t;
        senders.add(new Thread(() -> saturate(thread), "sender-" + t));
      }
    } else {
      senders.add(new Thread(this::paced, "sender-paced"));
    }
    senders.forEach(Thread::start);
    long warmupBegan = System.nanoTime();
    TimeUnit.SECONDS.sleep(spec.warmupSeconds()); // the warm-up's least length, not a wait for a condition
    boolean settled = JitSettle.await(JitSettle.maxSeconds(spec.warmupSeconds()));
    double warmedSeconds = (System.nanoTime() - warmupBegan) / 1e9;
    Snapshot start = snapshot();
    double selectsAtStart = producerMetric("select-total");
    ThreadCpuSnapshot threadsAtStart = ThreadCpuSnapshot.take();
    System.err.println(WINDOW_START);
    latencies.getIntervalHistogram(); // drops the warm-up's latencies
    TimeUnit.SECONDS.sleep(spec.windowSeconds());
    Snapshot end = snapshot();
    ThreadCpuSnapshot threadsAtEnd = ThreadCpuSnapshot.take();
    System.err.println(WINDOW_END);
    long windowRecords = Math.max(1, end.acked() - start.acked());
    System.err.printf(Locale.ROOT, "[bench] warm-up %.1f s (%s)%n", warmedSeconds,
        settled ? "then until the JIT compilers were quiet" : "fixed: this JVM does not report its compiler threads");
    System.err.println(threadsAtEnd.report(threadsAtStart, end.cpuNanos() - start.cpuNanos(), windowRecords));
    // how often Kafka's I/O thread ran its loop (each run scans every partition it holds batches for)
    System.err.printf(Locale.ROOT, "[bench] kafka I/O loop runs per record: %.3f%n",
        (producerMetric("select-total") - selectsAtStart) / windowRecords);
    Histogram window = latencies.getIntervalHistogram();
    running = false;
    for (Thread sender : senders) {
      sender.join(TimeUnit.SECONDS.toMillis(30));
    }
    ClientResult result = result(start, end, window, warmedSeconds,
        threadsAtEnd.perRecordSince(threadsAtStart, windowRecords));
    for (Producer<byte[], byte[]> producer : producers) {
      producer.close(Duration.ofSeconds(10));
    }
    return result;
  }

  private void saturate(int thread) {
    Semaphore inFlight = new Semaphore(spec.inFlight());
    // one callback per thread: the load's own cost per record stays small and alike for both clients
    Callback callback = (metadata, exception) -> {
      inFlight.release();
      if (exception == null) {
        acked.increment();
      } else {
        failed.increment();
      }
    };
    Producer<byte[], byte[]> producer = producers.get(thread % producers.size());
    long i = thread * 131L;
    while (running) {
      try {
        inFlight.acquire();
      } catch (InterruptedException e) {
        return;
      }
      producer.send(record(i++), callback);
    }
  }

  private void paced() {
    long period = TimeUnit.SECONDS.toNanos(1) / spec.rate();
    long next = System.nanoTime();
    for (long i = 0; running; i++) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      next += period;
      long sent = System.nanoTime();
      producers.get((int) (i % producers.size())).send(record(i), (metadata, exception) -> completed(sent, exception));
    }
  }

  private void completed(long sentNanos, @Nullable Exception exception) {
    if (exception == null) {
      latencies.recordValue(Math.max(0, (System.nanoTime() - sentNanos) / 1_000));
      acked.increment();
    } else {
      failed.increment();
    }
  }

  private ProducerRecord<byte[], byte[]> record(long i) {
    String topic = spec.topics().get((int) (i % spec.topics().size()));
    return new ProducerRecord<>(topic, spec.keyed() ? keys[(int) (i % keys.length)] : null, value);
  }

  private record Snapshot(long nanos, long acked, long failed, long cpuNanos, long allocated, long gcCount,
      long gcMillis, long producerRequests, long adminRequests, double load) {}

  private Snapshot snapshot() {
    long gcCount = 0;
    long gcMillis = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      gcCount += Math.max(0, gc.getCollectionCount());
      gcMillis += Math.max(0, gc.getCollectionTime());
    }
    return new Snapshot(System.nanoTime(), acked.sum(), failed.sum(), processCpuNanos(), allocatedBytes(), gcCount,
        gcMillis, (long) producerMetric("request-total"), adminRequests(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  private ClientResult result(Snapshot start, Snapshot end, Histogram window, double warmedSeconds,
      Map<String, Double> cpuByThread) {
    double seconds = (end.nanos() - start.nanos()) / 1e9;
    long records = end.acked() - start.acked();
    double perRecord = Math.max(1, records);
    boolean paced = spec.load() == ClientSpec.Load.PACED;
    return new ClientResult(spec.client().label(), records, end.failed() - start.failed(), seconds, records / seconds,
        (end.cpuNanos() - start.cpuNanos()) / 1e3 / perRecord, (end.cpuNanos() - start.cpuNanos()) / 1e9 / seconds,
        (end.allocated() - start.allocated()) / perRecord, end.gcCount() - start.gcCount(),
        end.gcMillis() - start.gcMillis(), paced ? millis(window, 50) : Double.NaN,
        paced ? millis(window, 99) : Double.NaN, paced ? millis(window, 99.9) : Double.NaN,
        paced ? window.getMaxValue() / 1e3 : Double.NaN, paced ? encode(window) : null,
        end.producerRequests() - start.producerRequests(), end.adminRequests() - start.adminRequests(),
        start.adminRequests(), producerMetric("records-per-request-avg") / producers.size(), start.load(), Map.of(),
        warmedSeconds, cpuByThread);
  }

  private static double millis(Histogram histogram, double percentile) {
    return histogram.getTotalCount() == 0 ? Double.NaN : histogram.getValueAtPercentile(percentile) / 1e3;
  }

  static String encode(Histogram histogram) {
    ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
    int length = histogram.encodeIntoCompressedByteBuffer(buffer);
    return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
  }

  /** The sum over this JVM's producers of one {@code producer-metrics} metric. */
  private double producerMetric(String name) {
    double sum = 0;
    for (Producer<byte[], byte[]> producer : producers) {
      for (Map.Entry<MetricName, ? extends Metric> metric : producer.metrics().entrySet()) {
        if (metric.getKey().name().equals(name) && metric.getKey().group().equals("producer-metrics")
            && metric.getValue().metricValue() instanceof Number number && Double.isFinite(number.doubleValue())) {
          sum += number.doubleValue();
        }
      }
    }
    return sum;
  }

  /**
   * Requests sent by the library's shared Admin clients, read where any operator can: the JVM's {@code
   * kafka.admin.client} MBeans (the library names its Admin clients {@code resilient-kafka-admin-<n>}).
   */
  static long adminRequests() {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    long sum = 0;
    try {
      for (ObjectName name : server.queryNames(
          new ObjectName("kafka.admin.client:type=admin-client-metrics,client-id=resilient-kafka-admin-*"), null)) {
        if (server.getAttribute(name, "request-total") instanceof Number number) {
          sum += number.longValue();
        }
      }
    } catch (javax.management.JMException e) {
      throw new IllegalStateException("cannot read the Admin client's request-total over JMX", e);
    }
    return sum;
  }

  static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    throw new IllegalStateException("this JVM does not report process CPU time (com.sun.management)");
  }

  static long allocatedBytes() {
    if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads) {
      long sum = 0;
      for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
        sum += Math.max(0, bytes);
      }
      return sum;
    }
    return 0;
  }

  static void haltWhenParentGone() {
    Thread watch = new Thread(() -> {
      try {
        InputStream in = System.in;
        while (in.read() >= 0) {
          // the suite writes nothing; end of stream means it is gone
        }
      } catch (IOException e) {
        // same as end of stream
      }
      Runtime.getRuntime().halt(3);
    }, "parent-watch");
    watch.setDaemon(true);
    watch.start();
  }
}
