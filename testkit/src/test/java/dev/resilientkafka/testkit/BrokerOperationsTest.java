package dev.resilientkafka.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** Each pod operation does to names, addresses and processes what Kubernetes would. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrokerOperationsTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static LocalKafkaCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = LocalKafkaCluster.builder().brokerSessionTimeout(Duration.ofSeconds(5)).start();
    cluster.createTopic("ops", 3, 3);
  }

  @AfterAll
  static void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void pausedLeaderIsFencedAndReplacedThenRejoinsAfterResume() {
    TopicPartition partition = new TopicPartition("ops", 0);
    int leader = cluster.leaderOf(partition);
    long pid = cluster.broker(leader).pid();
    long start = System.nanoTime();
    cluster.pause(leader);
    assertThat(cluster.broker(leader).state()).isEqualTo(BrokerState.PAUSED);
    assertThat(ProcessHandle.of(pid)).isPresent(); // hung, not gone
    int newLeader = cluster.awaitLeaderChange(partition, leader, WAIT);
    long replacedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    System.out.printf("paused leader kafka-%d replaced by kafka-%d after %d ms (broker.session.timeout.ms 5 s here)%n",
        leader, newLeader, replacedMs);
    assertThat(replacedMs).as("fenced after the cluster's 5 s session timeout, not Kafka's default 9 s").isLessThan(9_000);
    cluster.resume(leader);
    cluster.awaitIsrSize(partition, 3, WAIT);
    assertThat(cluster.broker(leader).pid()).isEqualTo(pid);
  }

  @Test
  @Order(2)
  void killedBrokerKeepsItsAddressAndRecordAndRestartsThere() throws Exception {
    LocalBroker broker = cluster.broker(1);
    InetAddress address = broker.address();
    long pid = broker.pid();
    cluster.kill(1);
    assertThat(broker.state()).isEqualTo(BrokerState.KILLED);
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(InetAddress.getByName(broker.fqdn())).isEqualTo(address);
    cluster.start(1);
    cluster.awaitReady(1, WAIT);
    assertThat(broker.address()).isEqualTo(address);
    assertThat(broker.pid()).isNotEqualTo(pid);
    cluster.awaitFullyReplicated(WAIT);
  }

  @Test
  @Order(3)
  void stoppedBrokerShutsDownInAControlledWayLeavesDnsAndComesBackOnTheSameAddress() throws Exception {
    TopicPartition partition = new TopicPartition("ops", 1);
    int id = cluster.leaderOf(partition);
    LocalBroker broker = cluster.broker(id);
    InetAddress address = broker.address();
    cluster.stop(id);
    // controlled shutdown moved leadership before the process ended: no wait for fencing (5 s here)
    cluster.awaitLeaderChange(partition, id, Duration.ofSeconds(3));
    assertThat(broker.state()).isEqualTo(BrokerState.STOPPED);
    assertThat(dnsAnswers(broker.fqdn(), Type.A)).isEmpty();
    cluster.start(id);
    cluster.awaitReady(id, WAIT);
    assertThat(broker.address()).isEqualTo(address);
    assertThat(dnsAnswers(broker.fqdn(), Type.A)).containsExactly(address.getHostAddress());
    cluster.awaitFullyReplicated(WAIT);
  }

  @Test
  @Order(4)
  void pendingPodHasNoAddressNorNameUntilItIsScheduledAgainElsewhere() throws Exception {
    LocalBroker broker = cluster.broker(0);
    InetAddress before = broker.address();
    cluster.makePending(0);
    assertThat(broker.state()).isEqualTo(BrokerState.PENDING);
    assertThat(broker.address()).isNull();
    assertThat(dnsAnswers(broker.fqdn(), Type.A)).isEmpty();
    assertThat(dnsAnswers(cluster.serviceFqdn(), Type.A)).hasSize(2);
    assertThat(dnsAnswers(cluster.srvName(), Type.SRV)).hasSize(2);
    await("the JVM to stop resolving " + broker.fqdn()).atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThatThrownBy(() -> InetAddress.getByName(broker.fqdn()))
            .isInstanceOf(UnknownHostException.class));

    cluster.start(0);
    cluster.awaitReady(0, WAIT);
    assertThat(broker.address()).isNotNull().isNotEqualTo(before);
    await("the JVM to resolve the new address").atMost(Duration.ofSeconds(10))
        .until(() -> InetAddress.getByName(broker.fqdn()).equals(broker.address()));
    cluster.awaitFullyReplicated(WAIT);
  }

  @Test
  @Order(5)
  void rollingRestartMovesEveryBrokerAndKeepsTheClusterWritable() throws Exception {
    List<InetAddress> before = cluster.brokers().stream().map(LocalBroker::address).toList();
    cluster.rollingRestartOnNewIps();
    List<InetAddress> after = cluster.brokers().stream().map(LocalBroker::address).toList();
    assertThat(after).doesNotContainAnyElementsOf(before);
    try (KafkaProducer<String, String> producer = PlainClients.producer(cluster.bootstrapFqdns(), Map.of())) {
      assertThat(producer.send(new ProducerRecord<>("ops", "k", "v")).get(30, TimeUnit.SECONDS).hasOffset()).isTrue();
    }
  }

  @Test
  @Order(6)
  void scaleOutAddsTheNextPodOnTheNextRack() throws Exception {
    LocalBroker added = cluster.addBroker();
    assertThat(added.podName()).isEqualTo("kafka-3");
    assertThat(added.rack()).isEqualTo("zone-a");
    assertThat(dnsAnswers(cluster.srvName(), Type.SRV)).hasSize(4);
    await("kafka-3 in the cluster metadata").atMost(WAIT).untilAsserted(() ->
        assertThat(cluster.admin().describeCluster().nodes().get(10, TimeUnit.SECONDS))
            .extracting(Node::host)
            .contains("kafka-3.kafka-svc.default.svc.cluster.local"));
  }

  private static List<String> dnsAnswers(String name, int type) throws Exception {
    Lookup lookup = new Lookup(name, type);
    lookup.setResolver(new SimpleResolver(cluster.dnsAddress()));
    lookup.setCache(null);
    org.xbill.DNS.Record[] records = lookup.run();
    return records == null ? List.of() : java.util.Arrays.stream(records).map(r -> r.rdataToString()).toList();
  }
}
