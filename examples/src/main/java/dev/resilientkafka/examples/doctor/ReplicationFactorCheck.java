package dev.resilientkafka.examples.doctor;

import java.util.ArrayList;
import java.util.List;

/**
 * Every user topic has replication factor ≥ 3: one replica may be down for maintenance and another fail
 * unexpectedly while a copy remains. Internal topics are judged by {@link InternalTopicsCheck}.
 */
public final class ReplicationFactorCheck implements Check {
  static final String ID = "replication-factor";
  static final int MINIMUM = 3;

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String rule() {
    return "every topic has replication factor 3 or more";
  }

  @Override
  public List<Finding> evaluate(ClusterSnapshot cluster) {
    List<Finding> findings = new ArrayList<>();
    List<TopicView> topics = cluster.userTopics();
    for (TopicView topic : topics) {
      int rf = topic.replicationFactor();
      if (rf < MINIMUM) {
        findings.add(Finding.fail(ID, "topic " + topic.name(),
            "replication factor " + rf + " < " + MINIMUM + ": " + (rf <= 1
                ? "any broker loss makes partitions offline"
                : "one planned plus one unplanned broker loss makes partitions offline"),
            "add replicas in other zones: kafka-reassign-partitions.sh --bootstrap-server "
                + cluster.bootstrap() + " --reassignment-json-file <plan with 3 replicas per partition> "
                + "--execute; create new topics with --replication-factor 3"));
      }
    }
    if (findings.isEmpty()) {
      findings.add(Finding.pass(ID, "all topics",
          topics.isEmpty() ? "no user topics yet" : topics.size() + " topic(s) with replication factor >= " + MINIMUM));
    }
    return findings;
  }
}
