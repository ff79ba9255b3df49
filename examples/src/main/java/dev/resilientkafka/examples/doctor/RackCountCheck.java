package dev.resilientkafka.examples.doctor;

import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The brokers are spread over at least 3 racks (availability zones) and each has {@code broker.rack}: RF 3
 * can only put every replica in its own zone if there are 3 zones, and Kafka spreads replicas only over
 * racks it knows.
 */
public final class RackCountCheck implements Check {
  static final String ID = "rack-count";
  static final int MINIMUM = 3;

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String rule() {
    return "every broker has broker.rack and the brokers span 3 racks or more";
  }

  @Override
  public List<Finding> evaluate(ClusterSnapshot cluster) {
    List<Integer> withoutRack = cluster.brokers().stream().filter(b -> b.rack() == null).map(BrokerView::id).toList();
    TreeSet<String> racks = cluster.brokers().stream().map(BrokerView::rack).filter(Objects::nonNull)
        .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
    String fix = "set broker.rack from the node's zone label (topology.kubernetes.io/zone) and spread the "
        + "StatefulSet over " + MINIMUM + " zones (pod anti-affinity or topologySpreadConstraints)";
    if (!withoutRack.isEmpty()) {
      return List.of(Finding.fail(ID, "brokers " + withoutRack, "no broker.rack: Kafka cannot spread replicas over zones", fix));
    }
    if (racks.size() < MINIMUM) {
      return List.of(Finding.fail(ID, "cluster",
          cluster.brokers().size() + " brokers on " + racks.size() + " rack(s) " + racks
              + ": losing one zone can take " + (racks.size() <= 1 ? "every" : "more than one") + " replica of a partition",
          fix));
    }
    return List.of(Finding.pass(ID, "cluster", cluster.brokers().size() + " brokers on " + racks.size() + " racks " + racks));
  }
}
