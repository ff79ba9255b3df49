package dev.resilientkafka.benchmarks;

import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Steady state on a healthy 3-broker testkit cluster, {@code acks=all}, 1 KiB values, one topic of 6
 * partitions with RF 3: {@link #throughput} sends asynchronously with at most {@value #IN_FLIGHT}
 * records in flight and counts acknowledgements per second (the {@code acks} secondary result);
 * {@link #sendToAck} sends one record and waits for its acknowledgement (SampleTime: percentiles).
 * The {@code client} parameter runs the same code against {@code KafkaProducer} and {@code
 * ResilientProducer}.
 *
 * <p>Not final: JMH generates subclasses of benchmark classes. The fork JVM must resolve through the
 * testkit hosts file; {@link BenchmarkSuite} passes absolute paths, the annotation's relative ones fit a
 * run from the {@code benchmarks} directory.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-Djdk.net.hosts.file=target/testkit/hosts", "-Dsun.net.inetaddr.ttl=1",
    "-Dsun.net.inetaddr.negative.ttl=0", "-Dresilientkafka.testkit.dir=target/testkit",
    "-Djava.security.properties=../.mvn/testkit-dns-cache.security", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 10)
@Threads(1)
public class SteadyStateBenchmark {
  static final int IN_FLIGHT = 1024;
  static final String TOPIC = "steady";

  /** Which producer: {@code plain} or {@code resilient}. */
  @Param({"plain", "resilient"})
  public String client = "plain";

  private LocalKafkaCluster cluster;
  private Producer<byte[], byte[]> producer;
  private final Semaphore inFlight = new Semaphore(IN_FLIGHT);
  private final LongAdder errors = new LongAdder();
  private final byte[] value = new byte[1024];

  /** Acknowledgements counted per iteration; reported by JMH as the {@code acks} rate. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Acks {
    final LongAdder count = new LongAdder();

    /** Acknowledged records in this iteration. */
    public long acks() {
      return count.sum();
    }

    @Setup(Level.Iteration)
    public void reset() {
      count.reset();
    }
  }

  @Setup(Level.Trial)
  public void startCluster() throws Exception {
    LocalKafkaCluster.prepareHostsFile();
    cluster = LocalKafkaCluster.builder().name("bench-steady").start();
    cluster.createTopic(TOPIC, 6, 3);
    producer = ClientKind.of(client).create(cluster.bootstrapFqdns(), "steady-" + client, Map.of());
    for (int i = 0; i < 100; i++) {
      producer.send(new ProducerRecord<>(TOPIC, value)).get(60, TimeUnit.SECONDS);
    }
  }

  /** Lets the previous iteration's records complete before counting the next one's acks. */
  @Setup(Level.Iteration)
  public void drain() throws InterruptedException {
    if (!inFlight.tryAcquire(IN_FLIGHT, 60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("records still in flight after 60 s");
    }
    inFlight.release(IN_FLIGHT);
  }

  @TearDown(Level.Trial)
  public void stopCluster() {
    if (errors.sum() > 0) {
      System.out.printf("[bench] %s: %d sends failed%n", client, errors.sum());
    }
    if (producer != null) {
      producer.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** One asynchronous send, waiting only for room among the records in flight. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public void throughput(Acks acks) throws InterruptedException {
    inFlight.acquire();
    producer.send(new ProducerRecord<>(TOPIC, value), (metadata, exception) -> {
      inFlight.release();
      if (exception == null) {
        acks.count.increment();
      } else {
        errors.increment();
      }
    });
  }

  /** One send, waiting for its acknowledgement. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public RecordMetadata sendToAck() throws Exception {
    return producer.send(new ProducerRecord<>(TOPIC, value)).get(60, TimeUnit.SECONDS);
  }
}
