package dev.resilientkafka.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilientkafka.JvmDnsCache;
import dev.resilientkafka.internal.bootstrap.AdvertisedHostCheck;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Node;
import org.junit.jupiter.api.Test;

/**
 * The JVM's own name cache keeping a moved broker's old address, and the advertised-listener check. {@link JvmDnsCache#limitTo} is tested in
 * forked JVMs: this test JVM has long since fixed its cache policy (ttl=1 from the build).
 */
class JvmDnsCacheTest {

  /** Entry point of the forked JVM: optionally resolves a name first, then calls limitTo(2 s). */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("lookup-first")) {
      InetAddress.getByName("localhost");
    }
    boolean applied = JvmDnsCache.limitTo(Duration.ofSeconds(2));
    System.out.println("applied=" + applied + " effective=" + JvmDnsCache.effectiveTtl().map(Duration::getSeconds).orElse(-1L)
        + " negative=" + java.security.Security.getProperty("networkaddress.cache.negative.ttl"));
  }

  @Test
  void limitToTakesEffectWhenCalledBeforeTheFirstLookup() throws Exception {
    String out = fork();
    System.out.printf("forked JVM, limitTo first: %s%n", out);
    // java.security's 10 s negative caching is capped too
    assertThat(out).contains("applied=true effective=2 negative=2");
  }

  @Test
  void limitToAfterALookupIsDetectedAsTooLateAndReportsTheTtlInForce() throws Exception {
    String out = fork("lookup-first");
    System.out.printf("forked JVM, lookup first: %s%n", out);
    assertThat(out).contains("applied=false effective=30", "came too late", "-Dsun.net.inetaddr.ttl=2");
  }

  @Test
  void inThisJvmTheBuildsOneSecondTtlIsSeen() {
    assertThat(JvmDnsCache.effectiveTtl()).isEqualTo(Optional.of(Duration.ofSeconds(1)));
  }

  @Test
  void brokersAdvertisingIpsOrForeignNamesAreReported() {
    List<Node> nodes = List.of(
        new Node(0, "kafka-0.kafka-svc.default.svc.cluster.local", 9092),
        new Node(1, "10.244.1.7", 9092),
        new Node(2, "broker-2.example.com", 9092));
    List<AdvertisedHostCheck.Problem> problems = AdvertisedHostCheck.problems(nodes, List.of("kafka-svc.default.svc.cluster.local"));
    problems.forEach(p -> System.out.printf("advertised: %s%n", p.detail()));
    assertThat(problems).extracting(AdvertisedHostCheck.Problem::host).containsExactly("10.244.1.7", "broker-2.example.com");
    assertThat(problems.get(0).detail()).contains("IP literal", "advertised.listeners", "$(POD_NAME).kafka-svc.default.svc.cluster.local");
  }

  private static String fork(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("-Dorg.slf4j.simpleLogger.logFile=System.out");
    command.add(JvmDnsCacheTest.class.getName());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("forked JVM ends").isTrue();
      return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      process.destroyForcibly();
    }
  }
}
