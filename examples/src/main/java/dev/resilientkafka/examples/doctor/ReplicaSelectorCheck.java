package dev.resilientkafka.examples.doctor;

import java.util.List;

/**
 * Every live broker sets {@code replica.selector.class} to Kafka's {@code RackAwareReplicaSelector}, so
 * consumers that say {@code client.rack} fetch from a replica in their own zone (KIP-392) instead of the
 * leader's. Without it nothing breaks but every fetch may cross zones: a WARN.
 */
public final class ReplicaSelectorCheck implements Check {
  static final String ID = "replica-selector";
  static final String KEY = "replica.selector.class";
  static final String RACK_AWARE = "org.apache.kafka.common.replica.RackAwareReplicaSelector";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String rule() {
    return "every broker uses the rack-aware replica selector (follower fetching)";
  }

  @Override
  public List<Finding> evaluate(ClusterSnapshot cluster) {
    List<BrokerView> read = cluster.brokers().stream().filter(BrokerView::configKnown).toList();
    if (read.isEmpty()) {
      return List.of(Finding.warn(ID, "cluster", "no broker configuration could be read",
          "run the doctor while brokers are up, with describeConfigs permission on the cluster"));
    }
    List<Integer> without = read.stream()
        .filter(b -> !b.configValue(KEY).map(String::trim).orElse("").equals(RACK_AWARE))
        .map(BrokerView::id).toList();
    if (without.isEmpty()) {
      return List.of(Finding.pass(ID, "all brokers", KEY + "=RackAwareReplicaSelector on " + read.size() + " broker(s)"));
    }
    return List.of(Finding.warn(ID, "brokers " + without,
        KEY + " is not RackAwareReplicaSelector: consumers with client.rack still fetch from the leader, across zones",
        "set " + KEY + "=" + RACK_AWARE + " (and broker.rack) in server.properties and client.rack on consumers"));
  }
}
