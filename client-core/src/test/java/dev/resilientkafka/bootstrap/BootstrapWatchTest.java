package dev.resilientkafka.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.resilientkafka.HeadlessServiceResolver;
import dev.resilientkafka.internal.bootstrap.ClientBootstrap;
import dev.resilientkafka.metrics.MicrometerBootstrapMetrics;
import dev.resilientkafka.testkit.KubeDnsServer;
import dev.resilientkafka.testkit.PodRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resolver's inputs, background re-resolution, last-good answer and Kafka settings, against the
 * testkit's real DNS server with records only (no brokers; the listener check is off).
 */
class BootstrapWatchTest {
  private KubeDnsServer dns;
  private String dnsAddress;

  @BeforeEach
  void startDns() {
    dns = KubeDnsServer.builder().clusterDomain("example.local").ttl(Duration.ofSeconds(1)).start();
    dnsAddress = dns.address().getHostString() + ":" + dns.address().getPort();
  }

  @AfterEach
  void stopDns() {
    dns.close();
  }

  @Test
  void shortNameUsesTheSearchListOfResolvConfAndGivesPodFqdns(@TempDir Path dir) throws Exception {
    pod("kafka-ns", "kafka-svc", "kafka-0", "127.0.0.1");
    pod("kafka-ns", "kafka-svc", "kafka-1", "127.0.0.2");
    Path resolvConf = dir.resolve("resolv.conf");
    Files.writeString(resolvConf, "nameserver 10.96.0.10\nsearch kafka-ns.svc.example.local svc.example.local example.local\noptions ndots:5\n");
    HeadlessServiceResolver resolver = HeadlessServiceResolver.builder().resolvConf(resolvConf).dnsServer(dns.address()).build();
    var expected = new InetSocketAddress[] {
        InetSocketAddress.createUnresolved("kafka-0.kafka-svc.kafka-ns.svc.example.local", 9092),
        InetSocketAddress.createUnresolved("kafka-1.kafka-svc.kafka-ns.svc.example.local", 9092)};
    assertThat(resolver.resolve("kafka-svc")).containsExactly(expected);
    assertThat(resolver.resolve("kafka-svc.kafka-ns:9092")).containsExactly(expected);
    assertThat(resolver.resolve("kafka-svc.kafka-ns.svc.example.local:9092")).containsExactly(expected);
    assertThat(resolver.resolve("_tcp-kafka._tcp.kafka-svc.kafka-ns.svc.example.local")).containsExactly(expected);
    assertThat(resolver.resolve("kafka-svc")).allSatisfy(a -> assertThat(a.isUnresolved()).isTrue());
  }

  @Test
  void withoutSrvRecordsTheServiceAddressesAreMappedToPodNamesByPtr() throws Exception {
    dns.putPod(new PodRecord("default", "plain-svc", "kafka-0", InetAddress.getByName("127.0.0.5")));
    HeadlessServiceResolver resolver = HeadlessServiceResolver.builder().dnsServer(dns.address()).clusterDomain("example.local").build();
    assertThat(resolver.resolve("plain-svc:19092"))
        .containsExactly(InetSocketAddress.createUnresolved("kafka-0.plain-svc.default.svc.example.local", 19092));
  }

  @Test
  void configureSetsPodFqdnsForSeveralServicesAndTheClientSettings() throws Exception {
    pod("default", "kafka-a", "kafka-0", "127.0.0.1");
    pod("default", "kafka-b", "kafka-1", "127.0.0.2");
    Map<String, Object> config = config("kafka-a,kafka-b");
    config.put("reconnect.backoff.max.ms", 2_000); // safe: the user's value wins
    try (ClientBootstrap bootstrap = ClientBootstrap.configure(config)) {
      assertThat(config.get("bootstrap.servers"))
          .isEqualTo("kafka-0.kafka-a.default.svc.example.local:9092,kafka-1.kafka-b.default.svc.example.local:9092");
      assertThat(config).doesNotContainKeys("resilient.bootstrap.service", "resilient.bootstrap.dns.server")
          .containsEntry("client.dns.lookup", "use_all_dns_ips")
          .containsEntry("metadata.recovery.strategy", "rebootstrap")
          .containsEntry("metadata.recovery.rebootstrap.trigger.ms", 10_000L)
          .containsEntry("reconnect.backoff.max.ms", 2_000)
          .containsEntry("socket.connection.setup.timeout.ms", 2_000L);
      assertThat(bootstrap.servers()).hasSize(2);
    }
  }

  @Test
  void unsafeKafkaSettingsFailNamingTheKey() throws Exception {
    pod("default", "kafka-svc", "kafka-0", "127.0.0.1");
    Map<String, String> unsafe = Map.of(
        "client.dns.lookup", "resolve_canonical_bootstrap_servers_only",
        "metadata.recovery.strategy", "none",
        "reconnect.backoff.max.ms", "60000",
        "socket.connection.setup.timeout.max.ms", "120000",
        "bootstrap.servers", "10.0.0.1:9092");
    unsafe.forEach((key, value) -> {
      Map<String, Object> config = config("kafka-svc");
      config.put(key, value);
      assertThatThrownBy(() -> ClientBootstrap.configure(config))
          .as(key)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("Invalid value " + value + " for configuration " + key);
      System.out.printf("unsafe %s=%s -> %s%n", key, value, errorOf(() -> ClientBootstrap.configure(withService(key, value))));
    });
  }

  @Test
  void backgroundReResolutionFollowsTtlKeepsTheLastGoodAnswerWhileDnsFailsAndIsPaced() throws Exception {
    pod("default", "kafka-svc", "kafka-0", "127.0.0.1");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (MicrometerBootstrapMetrics metrics = new MicrometerBootstrapMetrics(registry);
        ClientBootstrap bootstrap = ClientBootstrap.configure(config("kafka-svc"), metrics)) {
      assertThat(registry.get("resilientkafka.bootstrap.pods").gauge().value()).isEqualTo(1.0);

      // scale-out seen within a TTL or two
      long added = System.nanoTime();
      pod("default", "kafka-svc", "kafka-1", "127.0.0.2");
      await().atMost(Duration.ofSeconds(5)).until(() -> bootstrap.servers().size() == 2);
      System.out.printf("new pod seen by the background watch after %d ms (TTL 1 s)%n", Duration.ofNanos(System.nanoTime() - added).toMillis());
      assertThat(registry.get("resilientkafka.bootstrap.pods").gauge().value()).isEqualTo(2.0);
      assertThat(registry.get("resilientkafka.bootstrap.broker.set.changes").counter().count()).isEqualTo(1.0);

      // DNS goes silent: the last good answer stays, failures are counted by reason and paced by backoff
      dns.dropQueries(true);
      long queriesBefore = dns.queries();
      long start = System.nanoTime();
      await().atMost(Duration.ofSeconds(10)).until(() ->
          registry.find("resilientkafka.bootstrap.failures").tag("reason", "timeout").counter() != null
              && registry.get("resilientkafka.bootstrap.failures").tag("reason", "timeout").counter().count() >= 3);
      double seconds = (System.nanoTime() - start) / 1e9;
      long queries = dns.queries() - queriesBefore;
      System.out.printf("DNS down: %d queries and %.0f failures in %.1f s; last good answer kept: %s%n",
          queries, registry.get("resilientkafka.bootstrap.failures").counter().count(), seconds, bootstrap.servers());
      assertThat(bootstrap.usingLastGoodAnswer()).isTrue();
      assertThat(bootstrap.servers()).hasSize(2);
      assertThat(seconds).as("backoff 1 s, 2 s, 4 s between failures").isGreaterThan(2.5);
      assertThat(queries).as("no hot loop").isLessThan(20);

      // on demand and recovered
      dns.dropQueries(false);
      pod("default", "kafka-svc", "kafka-2", "127.0.0.3");
      assertThat(bootstrap.refreshNow()).hasSize(3);
      assertThat(bootstrap.usingLastGoodAnswer()).isFalse();

      // pod gone: reported as missing, once, with no failure counted
      dns.removePod("default", "kafka-svc", "kafka-1");
      await().atMost(Duration.ofSeconds(5)).until(() -> bootstrap.missingPods().contains("kafka-1.kafka-svc.default.svc.example.local"));
      assertThat(registry.get("resilientkafka.bootstrap.pods").gauge().value()).isEqualTo(2.0);
    }
    assertThat(registry.find("resilientkafka.bootstrap.pods").gauge()).as("close() removes the meters").isNull();
  }

  private void pod(String ns, String service, String host, String ip) throws Exception {
    dns.putPod(new PodRecord(ns, service, host, InetAddress.getByName(ip), Map.of("tcp-kafka", 9092)));
  }

  private Map<String, Object> config(String service) {
    Map<String, Object> config = new HashMap<>();
    config.put("resilient.bootstrap.service", service);
    config.put("resilient.bootstrap.dns.server", dnsAddress);
    config.put("resilient.bootstrap.cluster.domain", "example.local");
    config.put("resilient.bootstrap.dns.timeout.ms", 300);
    config.put("resilient.bootstrap.check.listener", false);
    config.put("resilient.bootstrap.check.advertised.hosts", false);
    return config;
  }

  private Map<String, Object> withService(String key, String value) {
    Map<String, Object> config = config("kafka-svc");
    config.put(key, value);
    return config;
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
