package dev.resilientkafka.examples.doctor;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code __consumer_offsets} and {@code __transaction_state} have replication factor ≥ 3 and min ISR 2,
 * below their RF: consumer groups and transactions stop with them. Topics not created yet are judged by
 * the broker settings they will be created with ({@code offsets.topic.replication.factor}, {@code
 * transaction.state.log.replication.factor}, {@code transaction.state.log.min.isr}).
 */
public final class InternalTopicsCheck implements Check {
  static final String ID = "internal-topics";

  private record InternalTopic(String name, String replicationKey, String minIsrKey) {}

  private static final List<InternalTopic> TOPICS = List.of(
      new InternalTopic("__consumer_offsets", "offsets.topic.replication.factor", ClusterSnapshot.MIN_INSYNC_REPLICAS),
      new InternalTopic("__transaction_state", "transaction.state.log.replication.factor", "transaction.state.log.min.isr"));

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String rule() {
    return "__consumer_offsets and __transaction_state have replication factor 3 and min ISR 2";
  }

  @Override
  public List<Finding> evaluate(ClusterSnapshot cluster) {
    List<Finding> findings = new ArrayList<>();
    for (InternalTopic internal : TOPICS) {
      Optional<TopicView> topic = cluster.topic(internal.name());
      findings.add(topic.isPresent() ? existing(cluster, topic.get()) : planned(cluster, internal));
    }
    return findings;
  }

  private static Finding existing(ClusterSnapshot cluster, TopicView topic) {
    int rf = topic.replicationFactor();
    int minIsr = cluster.minInsyncReplicas(topic);
    String subject = "topic " + topic.name();
    if (rf < ReplicationFactorCheck.MINIMUM) {
      return Finding.fail(ID, subject, "replication factor " + rf + " < 3",
          "kafka-reassign-partitions.sh --bootstrap-server " + cluster.bootstrap()
              + " --reassignment-json-file <3 replicas per partition of " + topic.name() + "> --execute");
    }
    List<Finding> minIsrFinding = MinInsyncReplicasCheck.judge(cluster, topic, ID);
    if (!minIsrFinding.isEmpty()) {
      return minIsrFinding.get(0);
    }
    return Finding.pass(ID, subject, "replication factor " + rf + ", min.insync.replicas " + minIsr);
  }

  private static Finding planned(ClusterSnapshot cluster, InternalTopic internal) {
    String subject = "topic " + internal.name() + " (not created yet)";
    Optional<BrokerView> known = cluster.brokers().stream().filter(BrokerView::configKnown).findFirst();
    if (known.isEmpty()) {
      return Finding.warn(ID, subject, "no broker configuration could be read to judge it",
          "run the doctor while brokers are up, with describeConfigs permission on the cluster");
    }
    Optional<Integer> rf = ClusterSnapshot.intConfig(known.get().config(), internal.replicationKey());
    Optional<Integer> minIsr = ClusterSnapshot.intConfig(known.get().config(), internal.minIsrKey());
    String detail = "brokers will create it with " + internal.replicationKey() + "=" + rf.map(String::valueOf).orElse("?")
        + ", " + internal.minIsrKey() + "=" + minIsr.map(String::valueOf).orElse("?");
    // the broker that first needs the topic asks the controller to create it with its own replication
    // setting; its min ISR is a topic default, which on KRaft comes from the cluster default
    String fix = "set " + internal.replicationKey() + "=3 in the brokers' server.properties before the topic is "
        + "first used, and " + (internal.minIsrKey().equals(ClusterSnapshot.MIN_INSYNC_REPLICAS)
            ? "min.insync.replicas=2 as the cluster default: " + MinInsyncReplicasCheck.clusterDefaultFix(cluster)
            : internal.minIsrKey() + "=2 there too");
    if (rf.isEmpty() || rf.get() < ReplicationFactorCheck.MINIMUM) {
      return Finding.fail(ID, subject, detail, fix);
    }
    if (minIsr.isEmpty() || minIsr.get() >= rf.get()) {
      return Finding.fail(ID, subject, detail + ": one replica down would stop it", fix);
    }
    if (minIsr.get() < 2) {
      return Finding.warn(ID, subject, detail + ": writes acknowledged by one copy", fix);
    }
    return Finding.pass(ID, subject, detail);
  }
}
