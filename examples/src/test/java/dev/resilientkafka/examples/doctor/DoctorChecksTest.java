package dev.resilientkafka.examples.doctor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The rules the testkit cannot break on a live cluster (it always advertises per-pod FQDNs and sets the
 * rack-aware selector), judged on snapshots built by hand: the same data {@link ClusterSnapshotReader}
 * produces. Plus the drain arithmetic at its edges.
 */
class DoctorChecksTest {
  private static final String SELECTOR = "org.apache.kafka.common.replica.RackAwareReplicaSelector";

  private static BrokerView broker(int id, String host, String rack, Map<String, String> config) {
    return new BrokerView(id, host, 9092, rack, false, config);
  }

  private static ClusterSnapshot cluster(List<BrokerView> brokers, TopicView... topics) {
    return new ClusterSnapshot("bootstrap:9092", brokers, List.of(topics));
  }

  private static List<BrokerView> fqdnBrokers(Map<String, String> config) {
    return List.of(
        broker(0, "kafka-0.kafka-svc.default.svc.cluster.local", "zone-a", config),
        broker(1, "kafka-1.kafka-svc.default.svc.cluster.local", "zone-b", config),
        broker(2, "kafka-2.kafka-svc.default.svc.cluster.local", "zone-c", config));
  }

  @Test
  void brokersAdvertisingPodIpsFail() {
    ClusterSnapshot snapshot = cluster(List.of(
        broker(0, "10.42.0.17", "zone-a", Map.of("advertised.listeners", "PLAINTEXT://10.42.0.17:9092")),
        broker(1, "kafka-1.kafka-svc.default.svc.cluster.local", "zone-b", Map.of()),
        broker(2, "fd00::12", "zone-c", Map.of())));

    List<Finding> findings = new AdvertisedListenersCheck().evaluate(snapshot);

    assertThat(findings).extracting(Finding::subject, Finding::status)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("broker 0", Status.FAIL),
            org.assertj.core.groups.Tuple.tuple("broker 2", Status.FAIL));
    assertThat(findings.get(0).detail()).contains("advertises the IP 10.42.0.17");
    assertThat(findings.get(0).fix()).contains("$(POD_NAME).<headless-service>");
  }

  @Test
  void aNameSharedByBrokersFailsAndAShortNameWarns() {
    List<Finding> shared = AdvertisedListenersCheck.evaluateHosts(Map.of(
        0, Set.of("kafka-svc.default.svc.cluster.local"), 1, Set.of("kafka-svc.default.svc.cluster.local")));
    assertThat(shared).extracting(Finding::status).containsExactly(Status.FAIL, Status.FAIL);
    assertThat(shared.get(0).detail()).contains("shared with brokers [0, 1]");

    List<Finding> shortName = AdvertisedListenersCheck.evaluateHosts(Map.of(0, Set.of("kafka-0")));
    assertThat(shortName).extracting(Finding::status).containsExactly(Status.WARN);
  }

  @Test
  void perPodFqdnsPassIncludingEveryListenerOfAdvertisedListeners() {
    ClusterSnapshot ok = cluster(fqdnBrokers(Map.of()));
    assertThat(new AdvertisedListenersCheck().evaluate(ok)).extracting(Finding::status).containsExactly(Status.PASS);

    // the metadata shows the FQDN, but a second listener advertises an IP
    ClusterSnapshot mixed = cluster(List.of(broker(0, "kafka-0.kafka-svc.default.svc.cluster.local", "zone-a",
        Map.of("advertised.listeners", "INTERNAL://kafka-0.kafka-svc.default.svc.cluster.local:9092,EXTERNAL://[2001:db8::1]:9094"))));
    assertThat(new AdvertisedListenersCheck().evaluate(mixed)).extracting(Finding::status).containsExactly(Status.FAIL);
    assertThat(AdvertisedListenersCheck.listenerHosts("A://h1:1, B://:2,C://[::1]:3")).containsExactly("h1", "::1");
  }

  @Test
  void missingRackAwareSelectorWarnsAndItsPresencePasses() {
    List<Finding> missing = new ReplicaSelectorCheck().evaluate(cluster(fqdnBrokers(Map.of("broker.rack", "x"))));
    assertThat(missing).extracting(Finding::status).containsExactly(Status.WARN);
    assertThat(missing.get(0).subject()).isEqualTo("brokers [0, 1, 2]");
    assertThat(missing.get(0).fix()).contains("replica.selector.class=" + SELECTOR, "client.rack");

    List<Finding> present = new ReplicaSelectorCheck().evaluate(cluster(fqdnBrokers(Map.of("replica.selector.class", SELECTOR))));
    assertThat(present).extracting(Finding::status).containsExactly(Status.PASS);
  }

  @Test
  void drainCountsOnlyPartitionsWithTheBrokerInTheirIsr() {
    TopicView topic = new TopicView("t", false, List.of(
        new PartitionView(0, 0, List.of(0, 1, 2), List.of(0, 1, 2)),
        new PartitionView(1, 1, List.of(1, 2, 0), List.of(1, 2)),
        new PartitionView(2, 2, List.of(2, 0, 1), List.of(2))),
        Map.of("min.insync.replicas", "2"));
    ClusterSnapshot snapshot = cluster(fqdnBrokers(Map.of()), topic);

    DrainVerdict drain0 = DrainPlanner.plan(snapshot, 0);
    assertThat(drain0.safe()).isTrue();
    assertThat(drain0.hostedPartitions()).isEqualTo(3);
    assertThat(drain0.alreadyBelow()).extracting(DrainVerdict.Blocker::partition).containsExactly(2);

    DrainVerdict drain1 = DrainPlanner.plan(snapshot, 1);
    assertThat(drain1.safe()).isFalse();
    assertThat(drain1.blockers()).extracting(DrainVerdict.Blocker::partition).containsExactly(1);
    assertThat(drain1.blockers().get(0).isrAfter()).containsExactly(2);

    assertThat(DrainPlanner.plan(snapshot, 2).blockers()).extracting(DrainVerdict.Blocker::partition).containsExactly(1, 2);
    assertThatThrownBy(() -> DrainPlanner.plan(snapshot, 5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("broker 5 is not in the cluster; brokers: [0, 1, 2]");
  }
}
