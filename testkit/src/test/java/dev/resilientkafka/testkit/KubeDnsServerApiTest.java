package dev.resilientkafka.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** The Java side: the hosts-file projection, change listeners, argument checks, concurrent changes. */
class KubeDnsServerApiTest {
  private KubeDnsServer server;

  @BeforeEach
  void start() {
    server = KubeDnsServer.builder().start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void defaults() {
    assertThat(server.clusterDomain()).isEqualTo("cluster.local");
    assertThat(server.ttl()).isEqualTo(Duration.ofSeconds(5));
    assertThat(server.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
    assertThat(server.address().getPort()).isPositive();
    assertThat(server.pods()).isEmpty();
    assertThat(server.hostEntries()).isEmpty();
  }

  @Test
  void hostEntriesHoldEveryPodNameAndEveryServiceWithReadyPods() {
    server.putPod(pod("kafka", "brokers", "kafka-0", 1));
    server.putPod(pod("kafka", "brokers", "kafka-1", 2));
    server.putPod(pod("other", "things", "thing-0", 3));
    server.registerService("kafka", "empty");

    assertThat(server.hostEntries())
        .containsExactly(
            entry("brokers.kafka.svc.cluster.local", List.of(address(1), address(2))),
            entry("kafka-0.brokers.kafka.svc.cluster.local", List.of(address(1))),
            entry("kafka-1.brokers.kafka.svc.cluster.local", List.of(address(2))),
            entry("thing-0.things.other.svc.cluster.local", List.of(address(3))),
            entry("things.other.svc.cluster.local", List.of(address(3))));
    assertThat(server.podFqdn(pod("kafka", "brokers", "kafka-0", 1)))
        .isEqualTo("kafka-0.brokers.kafka.svc.cluster.local");
    assertThat(server.serviceFqdn("kafka", "brokers")).isEqualTo("brokers.kafka.svc.cluster.local");
  }

  @Test
  void listenersRunOnEveryChangeAndSeeIt() {
    List<Map<String, List<InetAddress>>> seen = new ArrayList<>();
    server.addChangeListener(() -> seen.add(server.hostEntries()));

    server.putPod(pod("kafka", "brokers", "kafka-0", 1));
    server.putPod(pod("kafka", "brokers", "kafka-0", 2));
    server.removePod("kafka", "brokers", "kafka-0");
    server.registerService("kafka", "other");

    assertThat(seen).hasSize(4);
    assertThat(seen.get(0)).containsEntry("kafka-0.brokers.kafka.svc.cluster.local", List.of(address(1)));
    assertThat(seen.get(1)).containsEntry("kafka-0.brokers.kafka.svc.cluster.local", List.of(address(2)));
    assertThat(seen.get(2)).isEmpty();
  }

  @Test
  void changesThatChangeNothingDoNotNotify() {
    server.putPod(pod("kafka", "brokers", "kafka-0", 1));
    AtomicInteger calls = new AtomicInteger();
    server.addChangeListener(calls::incrementAndGet);

    server.putPod(pod("kafka", "brokers", "kafka-0", 1));
    server.registerService("kafka", "brokers");
    assertThat(server.removePod("kafka", "brokers", "kafka-9")).isFalse();
    server.ttl(Duration.ofSeconds(1));
    server.dropQueries(true);
    server.clearFaults();

    assertThat(calls).hasValue(0);
  }

  @Test
  void aFailingListenerNeitherUndoesTheChangeNorSilencesTheOthers() {
    AtomicInteger later = new AtomicInteger();
    server.addChangeListener(
        () -> {
          throw new IllegalStateException("listener bug");
        });
    server.addChangeListener(later::incrementAndGet);

    server.putPod(pod("kafka", "brokers", "kafka-0", 1));
    server.putPod(pod("kafka", "brokers", "kafka-1", 2));

    assertThat(server.pods()).hasSize(2);
    assertThat(later).hasValue(2);
  }

  @Test
  void aRemovedListenerIsNoLongerCalled() {
    AtomicInteger calls = new AtomicInteger();
    Runnable listener = calls::incrementAndGet;
    server.addChangeListener(listener);

    assertThat(server.removeChangeListener(listener)).isTrue();
    server.putPod(pod("kafka", "brokers", "kafka-0", 1));

    assertThat(calls).hasValue(0);
  }

  @Test
  void aCustomClusterDomainIsNormalizedAndServed() throws IOException {
    try (KubeDnsServer custom =
        KubeDnsServer.builder().clusterDomain("Kube.Example.").ttl(Duration.ZERO).start()) {
      custom.putPod(pod("kafka", "brokers", "kafka-0", 1));

      assertThat(custom.clusterDomain()).isEqualTo("kube.example");
      Message answer = query(custom, "kafka-0.brokers.kafka.svc.kube.example.");
      assertThat(answer.getSection(Section.ANSWER))
          .singleElement()
          .satisfies(r -> assertThat(r.getTTL()).isZero());
      assertThat(query(custom, "kafka-0.brokers.kafka.svc.cluster.local.").getRcode())
          .isEqualTo(Rcode.REFUSED);
    }
  }

  @Test
  void podRecordChecksAndCopiesItsArguments() {
    Map<String, Integer> ports = new HashMap<>(Map.of("tcp-kafka", 9092));
    PodRecord pod = new PodRecord("kafka", "brokers", "kafka-0", address(1), ports);
    ports.put("tcp-other", 1);
    assertThat(pod.ports()).containsExactly(entry("tcp-kafka", 9092));

    assertThatThrownBy(() -> new PodRecord(" ", "brokers", "kafka-0", address(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("namespace");
    assertThatThrownBy(() -> new PodRecord("kafka", "Brokers", "kafka-0", address(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("service");
    assertThatThrownBy(() -> new PodRecord("kafka", "brokers", "kafka_0", address(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hostname");
    assertThatThrownBy(() -> new PodRecord("kafka", "brokers", "kafka-0", List.of(address(1), address(2)), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most one IPv4 and one IPv6 address");
    assertThatThrownBy(() -> new PodRecord("kafka", "brokers", "kafka-0", List.of(), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be one address");
    assertThatThrownBy(() -> new PodRecord("kafka", "brokers", "kafka-0", address(1), Map.of("tcp-kafka", 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tcp-kafka");
    assertThatThrownBy(() -> new PodRecord("kafka", "brokers", "kafka-0", address(1), Map.of("", 9092)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("port name");
  }

  @Test
  void argumentsAreCheckedAtOnceWithTheirNames() {
    assertThatThrownBy(() -> server.ttl(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ttl");
    assertThatThrownBy(() -> server.ttl(Duration.ofMillis(1500)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("whole seconds");
    assertThatThrownBy(() -> server.failName("kafka.svc.cluster.local", 16))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rcode");
    assertThatThrownBy(() -> server.failName("a..b", Rcode.SERVFAIL))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fqdn");
    assertThatThrownBy(() -> server.registerService("kafka", "Not_A_Label"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("service");
    assertThatThrownBy(() -> KubeDnsServer.builder().port(65_536))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("port");
    assertThatThrownBy(() -> KubeDnsServer.builder().clusterDomain("cluster..local"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("clusterDomain");
    assertThatThrownBy(() -> KubeDnsServer.builder().ttl(Duration.ofSeconds(-5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ttl");
  }

  @Test
  void queriesSeeAConsistentVersionWhileAnotherThreadChangesRecords() throws Exception {
    server.putPod(pod("kafka", "brokers", "kafka-0", 1));
    CompletableFuture<Void> writer =
        CompletableFuture.runAsync(
            () -> {
              for (int i = 0; i < 2_000; i++) {
                server.putPod(pod("kafka", "brokers", "kafka-0", 1 + i % 2));
              }
            });
    List<InetAddress> answers = new ArrayList<>();
    while (!writer.isDone()) {
      Message response = query(server, "kafka-0.brokers.kafka.svc.cluster.local.");
      assertThat(response.getRcode()).isEqualTo(Rcode.NOERROR);
      assertThat(response.getSection(Section.ANSWER)).hasSize(1);
      answers.add(((ARecord) response.getSection(Section.ANSWER).get(0)).getAddress());
    }
    writer.get();

    assertThat(answers).isSubsetOf(address(1), address(2));
  }

  private static Message query(KubeDnsServer server, String name) throws IOException {
    SimpleResolver resolver = new SimpleResolver(server.address());
    resolver.setTimeout(Duration.ofSeconds(5));
    return resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)));
  }

  private static PodRecord pod(String namespace, String service, String hostname, int lastOctet) {
    return new PodRecord(namespace, service, hostname, address(lastOctet), Map.of("tcp-kafka", 9092));
  }

  private static InetAddress address(int lastOctet) {
    try {
      return InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) lastOctet});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
