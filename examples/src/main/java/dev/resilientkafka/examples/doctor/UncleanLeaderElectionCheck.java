package dev.resilientkafka.examples.doctor;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code unclean.leader.election.enable} is false on every broker and every topic: an out-of-sync replica
 * elected leader silently drops acknowledged records, which is exactly what acks=all and min ISR 2 exist
 * to prevent.
 */
public final class UncleanLeaderElectionCheck implements Check {
  static final String ID = "unclean-election";
  static final String KEY = "unclean.leader.election.enable";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String rule() {
    return "unclean.leader.election.enable is false on every broker and topic";
  }

  @Override
  public List<Finding> evaluate(ClusterSnapshot cluster) {
    List<Finding> findings = new ArrayList<>();
    List<Integer> brokers = cluster.brokers().stream()
        .filter(b -> b.configValue(KEY).map(Boolean::parseBoolean).orElse(false)).map(BrokerView::id).toList();
    if (!brokers.isEmpty()) {
      findings.add(Finding.fail(ID, "brokers " + brokers,
          KEY + "=true by default: an out-of-sync replica may become leader and drop acknowledged records",
          "set " + KEY + "=false in the brokers' and controllers' server.properties, or: kafka-configs.sh "
              + "--bootstrap-server " + cluster.bootstrap() + " --alter --entity-type brokers --entity-default "
              + "--add-config " + KEY + "=false"));
    }
    for (TopicView topic : cluster.topics()) {
      boolean enabled = Boolean.parseBoolean(topic.config().getOrDefault(KEY, "false"));
      if (enabled && brokers.isEmpty()) {
        findings.add(Finding.fail(ID, "topic " + topic.name(),
            KEY + "=true: an out-of-sync replica may become leader and drop acknowledged records",
            "kafka-configs.sh --bootstrap-server " + cluster.bootstrap() + " --alter --entity-type topics "
                + "--entity-name " + topic.name() + " --delete-config " + KEY));
      }
    }
    if (findings.isEmpty()) {
      long unknown = cluster.brokers().stream().filter(b -> !b.configKnown()).count();
      findings.add(Finding.pass(ID, "cluster", "disabled on " + (cluster.brokers().size() - unknown)
          + " broker(s) and " + cluster.topics().size() + " topic(s)"
          + (unknown > 0 ? " (" + unknown + " fenced broker(s) not read)" : "")));
    }
    return findings;
  }
}
