package dev.resilientkafka.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.resilientkafka.BootstrapException;
import dev.resilientkafka.BootstrapException.Reason;
import dev.resilientkafka.BootstrapListener;
import dev.resilientkafka.HeadlessServiceResolver;
import dev.resilientkafka.internal.bootstrap.ClientBootstrap;
import dev.resilientkafka.metrics.MicrometerBootstrapMetrics;
import dev.resilientkafka.testkit.KubeDnsServer;
import dev.resilientkafka.testkit.PodRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resolver on the DNS that real clusters serve, against the testkit's DNS server listening on
 * {@code ::1}: IPv6-only and dual-stack pods (AAAA, PTR under ip6.arpa), Services with several named ports,
 * SRV answers with targets outside the Service, two-label names that are not Services, and the errors of
 * each new bad input. No brokers: where a listener is needed, a server socket stands in.
 */
class BootstrapIpv6PortsAndTargetsTest {
  private static final String NS = "default";
  private KubeDnsServer dns;
  private String dnsAddress;
  private InetAddress loopback6;

  @BeforeEach
  void startDns() throws Exception {
    loopback6 = InetAddress.getByName("::1");
    dns = KubeDnsServer.builder().bindAddress(loopback6).ttl(Duration.ofSeconds(1)).start();
    dnsAddress = "[::1]:" + dns.address().getPort();
  }

  @AfterEach
  void stopDns() {
    dns.close();
  }

  @Test
  void ipv6OnlyPodsAreFoundThroughAaaaAndPtrUnderIp6ArpaAndPassTheListenerCheck() throws Exception {
    try (ServerSocket broker = new ServerSocket(0, 50, loopback6)) {
      dns.putPod(new PodRecord(NS, "kafka6", "kafka-0", loopback6, Map.of("kafka", broker.getLocalPort())));
      dns.putPod(new PodRecord(NS, "plain6", "kafka-0", InetAddress.getByName("fd00::10")));
      dns.putPod(new PodRecord(NS, "dual", "kafka-0",
          List.of(InetAddress.getByName("10.1.0.1"), InetAddress.getByName("fd00::21")), Map.of()));

      // SRV with AAAA glue, and the start-up listener check connecting to ::1
      Map<String, Object> config = config("kafka6");
      config.put("resilient.bootstrap.port.name", "kafka");
      config.put("resilient.bootstrap.check.listener", true);
      try (ClientBootstrap bootstrap = ClientBootstrap.configure(config)) {
        assertThat(config.get("bootstrap.servers")).isEqualTo("kafka-0.kafka6.default.svc.cluster.local:" + broker.getLocalPort());
        assertThat(bootstrap.servers()).hasSize(1);
      }

      HeadlessServiceResolver resolver = resolver().build();
      // no SRV records (no named ports): AAAA, then PTR under ip6.arpa gives the pod name
      assertThat(resolver.resolve("plain6:19092"))
          .containsExactly(InetSocketAddress.createUnresolved("kafka-0.plain6.default.svc.cluster.local", 19092));
      // dual stack: both addresses map back to the same pod, listed once
      assertThat(resolver.resolve("dual"))
          .containsExactly(InetSocketAddress.createUnresolved("kafka-0.dual.default.svc.cluster.local", 9092));
      assertThat(resolver.dnsServer()).isEqualTo("[0:0:0:0:0:0:0:1]:" + dns.address().getPort());
    }
  }

  @Test
  void dnsServersAreAcceptedAsBareIpv6AndInBracketsAndNamedInErrors() {
    dns.putPod(pod("kafka-svc", "kafka-0", "127.0.0.1", ports(9092)));
    for (String server : List.of("[::1]:" + dns.address().getPort(), "[0:0:0:0:0:0:0:1]:" + dns.address().getPort())) {
      Map<String, Object> config = config("kafka-svc");
      config.put("resilient.bootstrap.dns.server", server);
      try (ClientBootstrap ignored = ClientBootstrap.configure(config)) {
        assertThat(config.get("bootstrap.servers")).isEqualTo("kafka-0.kafka-svc.default.svc.cluster.local:9092");
      }
    }
    // bare ::1 is the address ::1 on port 53 (nothing listens there), not host "::" on port 1
    Map<String, Object> bare = config("kafka-svc");
    bare.put("resilient.bootstrap.dns.server", "::1");
    bare.put("resilient.bootstrap.timeout.ms", 0);
    assertThatThrownBy(() -> ClientBootstrap.configure(bare))
        .isInstanceOfSatisfying(BootstrapException.class, e -> {
          assertThat(e.dnsServer()).isEqualTo("[0:0:0:0:0:0:0:1]:53");
          assertThat(e.reason()).isIn(Reason.TIMEOUT, Reason.IO_ERROR);
          System.out.printf("bare ::1 as DNS server -> %s%n", e.getMessage());
        });
  }

  @Test
  void onlyTheKafkaPortOfAServiceWithThreeNamedPortsGoesIntoBootstrapServersAndTheRestIsReportedOnce() throws Exception {
    for (int i = 0; i < 3; i++) {
      dns.putPod(pod("multi", "kafka-" + i, "127.0.1." + (i + 1), ports(9092)));
    }
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<String> reports = new CopyOnWriteArrayList<>();
    BootstrapListener listener = new BootstrapListener() {
      @Override
      public void onSrvRecordsIgnored(String service, String reason, List<InetSocketAddress> ignored, String detail) {
        reports.add(reason + " " + ignored.size() + ": " + detail);
      }
    };
    Map<String, Object> config = config("multi");
    try (MicrometerBootstrapMetrics metrics = new MicrometerBootstrapMetrics(registry);
        ClientBootstrap bootstrap = ClientBootstrap.configure(config, new Both(metrics, listener))) {
      assertThat(config.get("bootstrap.servers")).isEqualTo(
          "kafka-0.multi.default.svc.cluster.local:9092,kafka-1.multi.default.svc.cluster.local:9092,"
              + "kafka-2.multi.default.svc.cluster.local:9092");
      bootstrap.refreshNow();
      bootstrap.refreshNow();
      assertThat(reports).as("reported once, not per re-resolution").hasSize(1);
      assertThat(reports.get(0)).startsWith("other_port 6: ").contains("[5555, 9404]", "port(s) [9092]",
          "resilient.bootstrap.port.name");
      assertThat(registry.get("resilientkafka.bootstrap.srv.records.ignored").tag("reason", "other_port").counter().count())
          .isEqualTo(6.0);
      System.out.printf("three named ports: bootstrap.servers=%s; reported: %s%n", config.get("bootstrap.servers"), reports.get(0));
    }

    HeadlessServiceResolver resolver = resolver().build();
    assertThat(resolver.resolve("multi:5555")).as("the port in the name wins").hasSize(3)
        .allSatisfy(a -> assertThat(a.getPort()).isEqualTo(5555));
    assertThat(resolver().portName("metrics").build().resolve("multi")).hasSize(3)
        .allSatisfy(a -> assertThat(a.getPort()).isEqualTo(9404));
    assertThat(resolver().portName("_kafka").build().resolve("multi.default")).hasSize(3)
        .allSatisfy(a -> assertThat(a.getPort()).isEqualTo(9092));
    assertThat(resolver().portName("metrics").build().resolve("multi:9092")).as("name's port beats port.name")
        .allSatisfy(a -> assertThat(a.getPort()).isEqualTo(9092));
    assertThatThrownBy(() -> resolver().portName("kafka-client").build().resolve("multi"))
        .isInstanceOfSatisfying(BootstrapException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.NXDOMAIN);
          assertThat(e.getMessage()).contains("SRV _kafka-client._tcp.multi.default.svc.cluster.local -> NXDOMAIN",
              "check the port name");
        });
  }

  @Test
  void srvTargetsOutsideTheServiceAreLeftOutAndReportedUnlessAllowed() throws Exception {
    dns.putPod(pod("mixed", "kafka-0", "127.0.2.1", Map.of("kafka", 9092)));
    dns.putExternalHost("broker.other.example", List.of(InetAddress.getByName("127.0.2.9")));
    dns.putSrvRecord("mixed.default.svc.cluster.local", "broker.other.example", 9092);
    dns.putSrvRecord("_kafka._tcp.mixed.default.svc.cluster.local", "broker.other.example", 9092);

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<String> reports = new CopyOnWriteArrayList<>();
    BootstrapListener listener = new BootstrapListener() {
      @Override
      public void onSrvRecordsIgnored(String service, String reason, List<InetSocketAddress> ignored, String detail) {
        reports.add(reason + " " + ignored.stream().map(a -> a.getHostString() + ":" + a.getPort()).toList() + ": " + detail);
      }
    };
    Map<String, Object> config = config("mixed");
    try (MicrometerBootstrapMetrics metrics = new MicrometerBootstrapMetrics(registry);
        ClientBootstrap bootstrap = ClientBootstrap.configure(config, new Both(metrics, listener))) {
      assertThat(config.get("bootstrap.servers")).isEqualTo("kafka-0.mixed.default.svc.cluster.local:9092");
      bootstrap.refreshNow();
      assertThat(reports).hasSize(1);
      assertThat(reports.get(0)).startsWith("foreign_target [broker.other.example:9092]")
          .contains("outside the Service", "resilient.bootstrap.allow.foreign.targets=true");
      assertThat(registry.get("resilientkafka.bootstrap.srv.records.ignored").tag("reason", "foreign_target").counter()
          .count()).isEqualTo(1.0);
      System.out.printf("foreign SRV target: bootstrap.servers=%s; reported: %s%n", config.get("bootstrap.servers"), reports.get(0));
    }

    Map<String, Object> allowed = config("mixed");
    allowed.put("resilient.bootstrap.allow.foreign.targets", "true");
    try (ClientBootstrap ignored = ClientBootstrap.configure(allowed)) {
      assertThat(allowed.get("bootstrap.servers"))
          .isEqualTo("broker.other.example:9092,kafka-0.mixed.default.svc.cluster.local:9092");
    }

    // an SRV name whose every target is foreign: an error with the fix
    dns.putSrvRecord("_ext._tcp.mixed.default.svc.cluster.local", "broker.other.example", 9092);
    assertThatThrownBy(() -> resolver().build().resolve("_ext._tcp.mixed"))
        .isInstanceOfSatisfying(BootstrapException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.NO_POD_NAMES);
          assertThat(e.getMessage()).contains("broker.other.example:9092", "outside the Service",
              "resilient.bootstrap.allow.foreign.targets=true", "SRV _ext._tcp.mixed.default.svc.cluster.local -> NOERROR");
          System.out.printf("only foreign targets -> %s%n", e.getMessage());
        });
  }

  @Test
  void aTwoLabelNameIsTheServiceWhenItExistsElseTheNameItself() throws Exception {
    dns.putPod(pod("kafka-svc", "kafka-0", "127.0.3.1", Map.of("kafka", 9092)));
    dns.putSrvRecord("kafka.corp", "b0.kafka.corp", 9092);
    dns.putExternalHost("b0.kafka.corp", List.of(InetAddress.getByName("127.0.3.9")));
    HeadlessServiceResolver resolver = resolver().build();

    assertThat(resolver.resolve("kafka-svc.default"))
        .containsExactly(InetSocketAddress.createUnresolved("kafka-0.kafka-svc.default.svc.cluster.local", 9092));
    assertThat(resolver.resolve("kafka.corp"))
        .containsExactly(InetSocketAddress.createUnresolved("b0.kafka.corp", 9092));
    assertThat(resolver.resolve("kafka.corp."))
        .containsExactly(InetSocketAddress.createUnresolved("b0.kafka.corp", 9092));

    assertThatThrownBy(() -> resolver.resolve("nope.corp"))
        .isInstanceOfSatisfying(BootstrapException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.NXDOMAIN);
          assertThat(e.service()).isEqualTo("nope.corp (nope.corp.svc.cluster.local or nope.corp)");
          assertThat(e.getMessage()).contains("SRV nope.corp.svc.cluster.local -> NXDOMAIN", "SRV nope.corp -> REFUSED",
              "Neither the Service nope.corp.svc.cluster.local", "trailing dot");
          System.out.printf("two-label name that exists nowhere -> %s%n", e.getMessage());
        });
  }

  @Test
  void eachNewBadInputGetsItsError(@TempDir Path dir) throws Exception {
    Map<String, String> servers = new LinkedHashMap<>();
    servers.put("[::1", "'[' without ']'");
    servers.put("[::1]x", "only ':port' may follow ']'");
    servers.put("[::1]:0", "port '0' is not a number between 1 and 65535");
    servers.put("[::1]:abc", "port 'abc'");
    servers.put("[10.0.0.1]:53", "brackets are for IPv6 addresses only");
    servers.put("fd00::zz", "'fd00::zz' is not an IPv6 address");
    servers.forEach((value, why) -> expectConfigError("resilient.bootstrap.dns.server", value, why));
    expectConfigError("resilient.bootstrap.port.name", "Kafka_Port", "lower-case letters, digits and '-'");
    expectConfigError("resilient.bootstrap.allow.foreign.targets", "maybe", "accepted values: true, false");
    expectConfigError("resilient.bootstrap.fallback.servers", "fd00::1:9092", "[address]:port");
    expectConfigError("resilient.bootstrap.fallback.servers", "[fd00::1]", "[address]:port");
    Path resolvConf = dir.resolve("resolv.conf");
    Files.writeString(resolvConf, "nameserver\n");
    Map<String, Object> config = new HashMap<>(Map.of("resilient.bootstrap.service", "kafka-svc",
        "resilient.bootstrap.resolv.conf", resolvConf.toString()));
    assertThatThrownBy(() -> ClientBootstrap.configure(config)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("resilient.bootstrap.resolv.conf").hasMessageContaining("nameserver line without an address");
    for (String service : List.of("[::1]:9092", "fd00::1")) {
      assertThatThrownBy(() -> resolver().build().resolve(service)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Invalid service '" + service + "'").hasMessageContaining("an IPv6 address is not a Service");
    }
    assertThatThrownBy(() -> resolver().portName("Kafka")).hasMessageContaining("Invalid value Kafka for portName");
  }

  private void expectConfigError(String key, String value, String why) {
    dns.putPod(pod("kafka-svc", "kafka-0", "127.0.0.1", ports(9092)));
    Map<String, Object> config = config("kafka-svc");
    config.put(key, value);
    assertThatThrownBy(() -> ClientBootstrap.configure(config))
        .as(key + "=" + value)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("Invalid value " + value + " for configuration " + key)
        .hasMessageContaining(why);
    Map<String, Object> again = config("kafka-svc");
    again.put(key, value);
    System.out.printf("%s=%s -> %s%n", key, value, catchMessage(again));
  }

  private static String catchMessage(Map<String, Object> config) {
    try {
      ClientBootstrap.configure(config).close();
      return "no error";
    } catch (RuntimeException e) {
      return e.getMessage();
    }
  }

  private HeadlessServiceResolver.Builder resolver() {
    return HeadlessServiceResolver.builder().dnsServer(dns.address()).namespace(NS).clusterDomain("cluster.local")
        .queryTimeout(Duration.ofMillis(500));
  }

  private Map<String, Object> config(String service) {
    Map<String, Object> config = new HashMap<>();
    config.put("resilient.bootstrap.service", service);
    config.put("resilient.bootstrap.dns.server", dnsAddress);
    config.put("resilient.bootstrap.namespace", NS);
    config.put("resilient.bootstrap.cluster.domain", "cluster.local");
    config.put("resilient.bootstrap.dns.timeout.ms", 300);
    config.put("resilient.bootstrap.check.listener", false);
    config.put("resilient.bootstrap.check.advertised.hosts", false);
    return config;
  }

  /** The Kafka port and, as a Service declaring JMX and metrics ports has them, two more named ports. */
  private static Map<String, Integer> ports(int kafka) {
    return Map.of("kafka", kafka, "jmx", 5555, "metrics", 9404);
  }

  private static PodRecord pod(String service, String host, String ip, Map<String, Integer> ports) {
    try {
      return new PodRecord(NS, service, host, InetAddress.getByName(ip), ports);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Two listeners, as a client would add metrics next to its own. */
  private record Both(BootstrapListener first, BootstrapListener second) implements BootstrapListener {
    @Override
    public void onSrvRecordsIgnored(String service, String reason, List<InetSocketAddress> ignored, String detail) {
      first.onSrvRecordsIgnored(service, reason, ignored, detail);
      second.onSrvRecordsIgnored(service, reason, ignored, detail);
    }

    @Override
    public void onResolved(String service, List<InetSocketAddress> servers, Duration ttl) {
      first.onResolved(service, servers, ttl);
      second.onResolved(service, servers, ttl);
    }
  }
}
