package dev.resilientkafka.examples.doctor;

import java.util.ArrayList;
import java.util.List;

/**
 * Every user topic has {@code min.insync.replicas} 2 and below its replication factor. Equal to RF (FAIL):
 * any one replica down stops acks=all writes, so every drain is an outage. 1 (WARN): an acks=all write is
 * acknowledged by a single copy and lost with that broker.
 */
public final class MinInsyncReplicasCheck implements Check {
  static final String ID = "min-insync-replicas";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String rule() {
    return "every topic has min.insync.replicas 2 (at least 2, below its replication factor)";
  }

  @Override
  public List<Finding> evaluate(ClusterSnapshot cluster) {
    List<Finding> findings = new ArrayList<>();
    List<TopicView> topics = cluster.userTopics();
    for (TopicView topic : topics) {
      findings.addAll(judge(cluster, topic, ID));
    }
    if (findings.isEmpty()) {
      findings.add(Finding.pass(ID, "all topics",
          topics.isEmpty() ? "no user topics yet" : topics.size() + " topic(s) with 2 <= min.insync.replicas < RF"));
    }
    return findings;
  }

  /** The FAIL or WARN for one topic's min ISR against its RF; empty when it is right. */
  static List<Finding> judge(ClusterSnapshot cluster, TopicView topic, String check) {
    int rf = topic.replicationFactor();
    int minIsr = cluster.minInsyncReplicas(topic);
    String topicFix = "kafka-configs.sh --bootstrap-server " + cluster.bootstrap()
        + " --alter --entity-type topics --entity-name " + topic.name() + " --add-config min.insync.replicas=2"
        + (rf < 3 ? " (after raising the replication factor to 3)" : "");
    // a topic without its own value takes the cluster default: on KRaft that is the controllers' setting or
    // a dynamic cluster default, not what the brokers' server.properties say
    String fix = topic.minInsyncReplicas().isPresent() ? topicFix
        : topicFix + "; or for every topic without its own value, the cluster default: " + clusterDefaultFix(cluster);
    if (minIsr >= rf) {
      return List.of(Finding.fail(check, "topic " + topic.name(),
          "min.insync.replicas " + minIsr + " >= replication factor " + rf
              + ": one replica down stops every acks=all write", fix));
    }
    if (minIsr < 2) {
      return List.of(Finding.warn(check, "topic " + topic.name(),
          "min.insync.replicas " + minIsr + ": an acks=all write may be acknowledged by one copy and lost with it",
          fix));
    }
    return List.of();
  }

  /**
   * How to set the cluster-wide default on KRaft: a dynamic default for all brokers (stored in the
   * metadata log, seen by brokers and controllers), or the controllers' own configuration.
   */
  static String clusterDefaultFix(ClusterSnapshot cluster) {
    return "kafka-configs.sh --bootstrap-server " + cluster.bootstrap()
        + " --alter --entity-type brokers --entity-default --add-config min.insync.replicas=2"
        + " (or min.insync.replicas=2 in the controllers' server.properties)";
  }
}
