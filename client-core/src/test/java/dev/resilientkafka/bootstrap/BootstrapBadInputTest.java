package dev.resilientkafka.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.resilientkafka.BootstrapException;
import dev.resilientkafka.BootstrapException.Reason;
import dev.resilientkafka.HeadlessServiceResolver;
import dev.resilientkafka.internal.bootstrap.ClientBootstrap;
import dev.resilientkafka.testkit.KubeDnsServer;
import dev.resilientkafka.testkit.PodRecord;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every bad input of issue 3 against the testkit's real DNS server (no brokers), with the error it gets. */
class BootstrapBadInputTest {
  private static final String NS = "default";
  private static KubeDnsServer dns;
  private static HeadlessServiceResolver resolver;
  private static String dnsAddress;

  @BeforeAll
  static void startDns() throws IOException {
    dns = KubeDnsServer.builder().start();
    dnsAddress = dns.address().getHostString() + ":" + dns.address().getPort();
    resolver = HeadlessServiceResolver.builder()
        .dnsServer(dns.address())
        .namespace(NS)
        .clusterDomain("cluster.local")
        .queryTimeout(Duration.ofMillis(300))
        .build();
  }

  @AfterAll
  static void stopDns() {
    dns.close();
  }

  @AfterEach
  void clearFaults() {
    dns.clearFaults();
  }

  @Test
  void malformedNamesAndPortsAreRejectedNamingWhatIsWrong() {
    Map<String, String> cases = new java.util.LinkedHashMap<>();
    cases.put("kafka-svc:99999", "port 99999 is not between 1 and 65535");
    cases.put("kafka-svc:abc", "port 'abc' is not a number");
    cases.put("kafka_svc.default.svc.cluster.local:9092", "'_' is only allowed");
    cases.put("-bad.default.svc.cluster.local", "'-bad' is not a DNS label");
    cases.put("10.1.2.3:9092", "an IP literal is not a Service");
    cases.put("_9092._udp.kafka-svc.default.svc.cluster.local", "an SRV name must look like _<port-name>._tcp.<service>");
    cases.put("_9092._tcp.kafka-svc.default.svc.cluster.local:9092", "an SRV name carries its port");
    cases.put("  ", "it is empty");
    cases.forEach((input, expected) -> {
      assertThatThrownBy(() -> resolver.resolve(input))
          .as(input)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Invalid service '" + input + "'")
          .hasMessageContaining(expected);
      System.out.printf("bad input %-55s -> %s%n", "'" + input + "'", errorOf(() -> resolver.resolve(input)));
    });
    // through a client's configuration the error names the key
    Map<String, Object> config = new HashMap<>(Map.of(
        "resilient.bootstrap.service", "kafka-svc:70000", "resilient.bootstrap.dns.server", dnsAddress));
    assertThatThrownBy(() -> ClientBootstrap.configure(config))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("resilient.bootstrap.service")
        .hasMessageContaining("70000");
  }

  @Test
  void unknownServiceIsNxdomainNamingServerAndQueries() {
    BootstrapException e = expectFailure("no-such-svc:9092", Reason.NXDOMAIN);
    assertThat(e.getMessage())
        .contains("no-such-svc:9092 (no-such-svc.default.svc.cluster.local)", dnsAddress,
            "SRV no-such-svc.default.svc.cluster.local -> NXDOMAIN", "A no-such-svc.default.svc.cluster.local -> NXDOMAIN");
  }

  @Test
  void serviceWithoutReadyPodsIsNxdomainToo() {
    dns.registerService(NS, "empty-svc");
    BootstrapException e = expectFailure("empty-svc", Reason.NXDOMAIN);
    assertThat(e.getMessage()).contains("without Ready pods");
  }

  @Test
  void servfailIsReportedAsServerFailure() throws Exception {
    dns.putPod(new PodRecord(NS, "sf-svc", "kafka-0", InetAddress.getByName("127.0.0.1"), Map.of("9092", 9092)));
    dns.failName("sf-svc.default.svc.cluster.local", 2);
    BootstrapException e = expectFailure("sf-svc.default.svc.cluster.local:9092", Reason.SERVER_FAILURE);
    assertThat(e.getMessage()).contains("SERVFAIL", dnsAddress);
  }

  @Test
  void dnsTimeoutIsReportedAsTimeout() {
    dns.dropQueries(true);
    long start = System.nanoTime();
    BootstrapException e = expectFailure("kafka-svc", Reason.TIMEOUT);
    assertThat(e.getMessage()).contains("no answer within 300 ms", dnsAddress);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void emptySrvAnswerIsNoRecords() throws Exception {
    // a pod without named ports: the Service exists, its SRV name has nothing
    dns.putPod(new PodRecord(NS, "noport-svc", "kafka-0", InetAddress.getByName("127.0.0.1")));
    BootstrapException e = expectFailure("_9092._tcp.noport-svc.default.svc.cluster.local", null);
    assertThat(e.reason()).isIn(Reason.NO_RECORDS, Reason.NXDOMAIN);
    assertThat(e.getMessage()).contains("SRV _9092._tcp.noport-svc.default.svc.cluster.local");
    // given as the Service, the same pod is found through its A and PTR records instead
    assertThat(resolver.resolve("noport-svc:9092"))
        .containsExactly(InetSocketAddress.createUnresolved("kafka-0.noport-svc.default.svc.cluster.local", 9092));
  }

  @Test
  void podsThatDoNotListenStartTheClientAtOnceWithTheFailureReported() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closedPort = s.getLocalPort();
    }
    dns.putPod(new PodRecord(NS, "closed-svc", "kafka-0", InetAddress.getByName("127.0.0.1"), Map.of("kafka", closedPort)));
    Map<String, Object> config = new HashMap<>(Map.of(
        "resilient.bootstrap.service", "closed-svc",
        "resilient.bootstrap.port.name", "kafka",
        "resilient.bootstrap.dns.server", dnsAddress,
        "resilient.bootstrap.timeout.ms", 30_000));
    List<BootstrapException> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
    long start = System.nanoTime();
    try (ClientBootstrap bootstrap = ClientBootstrap.configure(config, new dev.resilientkafka.BootstrapListener() {
      @Override
      public void onResolutionFailed(String service, BootstrapException error, boolean keptLastGood) {
        reported.add(error);
      }
    })) {
      long waitedMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
      System.out.printf("pods without a listener: started after %d ms with %s; reported: %s%n", waitedMs,
          config.get("bootstrap.servers"), reported.get(0).getMessage());
      assertThat(config.get("bootstrap.servers")).isEqualTo("kafka-0.closed-svc.default.svc.cluster.local:" + closedPort);
      assertThat(reported).first().satisfies(e -> {
        assertThat(e.reason()).isEqualTo(Reason.NO_LISTENER);
        assertThat(e.getMessage()).contains("closed-svc", dnsAddress,
            "TCP kafka-0.closed-svc.default.svc.cluster.local (127.0.0.1):" + closedPort);
      });
      assertThat(waitedMs).as("no waiting for the start-up timeout when the pods are in DNS").isLessThan(10_000);
    }
  }

  private static BootstrapException expectFailure(String service, Reason reason) {
    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> resolver.resolve(service));
    assertThat(thrown).as(service).isInstanceOf(BootstrapException.class);
    BootstrapException e = (BootstrapException) thrown;
    if (reason != null) {
      assertThat(e.reason()).isEqualTo(reason);
    }
    assertThat(e.dnsServer()).isEqualTo(dnsAddress);
    assertThat(e.attempts()).isNotEmpty();
    System.out.printf("%-50s -> %s%n", service, e.getMessage());
    return e;
  }

  private static String errorOf(Runnable r) {
    try {
      r.run();
      return "no error";
    } catch (RuntimeException e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }
}
