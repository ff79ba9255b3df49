package dev.resilientkafka.benchmarks;

import dev.resilientkafka.HeadlessServiceResolver;
import dev.resilientkafka.testkit.KubeDnsServer;
import dev.resilientkafka.testkit.PodRecord;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of resolving a headless Service with {@link HeadlessServiceResolver} against the testkit's
 * {@link KubeDnsServer} on loopback (3 pods): {@link #resolveSrv} (the SRV path, one query plus the
 * additional section), {@link #resolveByPtr} (no named ports: the Service's A records, then one PTR
 * query per pod) and {@link #reResolveAfterMove} (a pod moved to a new address just before each
 * resolution, so nothing is reused from before the move).
 *
 * <p>Not final: JMH generates subclasses of benchmark classes.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ResolverBenchmark {
  private KubeDnsServer dns;
  private HeadlessServiceResolver resolver;
  private PodRecord moving;
  private int moves;

  @Setup(Level.Trial)
  public void startDns() throws UnknownHostException {
    dns = KubeDnsServer.builder().start();
    for (int i = 0; i < 3; i++) {
      dns.putPod(new PodRecord("default", "kafka-svc", "kafka-" + i, address(1, i + 1), Map.of("kafka", 9092)));
      dns.putPod(new PodRecord("default", "plain-svc", "plain-" + i, address(2, i + 1)));
    }
    moving = dns.pods().stream().filter(p -> p.hostname().equals("kafka-0")).findFirst().orElseThrow();
    resolver = HeadlessServiceResolver.builder().dnsServer(dns.address()).namespace("default")
        .clusterDomain("cluster.local").build();
  }

  /** Moves kafka-0 to another address before each {@link #reResolveAfterMove} call. */
  @State(Scope.Benchmark)
  public static class PodMover {
    @Setup(Level.Invocation)
    public void movePod(ResolverBenchmark benchmark) throws UnknownHostException {
      benchmark.moving = benchmark.moving.withAddress(address(3, 1 + (benchmark.moves++ % 200)));
      benchmark.dns.putPod(benchmark.moving);
    }
  }

  @TearDown(Level.Trial)
  public void stopDns() {
    dns.close();
  }

  @Benchmark
  public List<InetSocketAddress> resolveSrv() {
    return resolver.resolve("kafka-svc");
  }

  @Benchmark
  public List<InetSocketAddress> resolveByPtr() {
    return resolver.resolve("plain-svc");
  }

  @Benchmark
  public List<InetSocketAddress> reResolveAfterMove(PodMover mover) {
    return resolver.resolve("kafka-svc");
  }

  private static InetAddress address(int third, int fourth) throws UnknownHostException {
    return InetAddress.getByAddress(new byte[] {127, 0, (byte) (200 + third), (byte) fourth});
  }
}
