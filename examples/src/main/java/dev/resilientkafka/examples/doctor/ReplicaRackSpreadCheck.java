package dev.resilientkafka.examples.doctor;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The replicas of every partition (internal topics included) sit on distinct racks, so that losing a
 * zone costs each partition one replica at most. A replica on a broker without {@code broker.rack} counts
 * as not spread: nothing proves it is elsewhere.
 */
public final class ReplicaRackSpreadCheck implements Check {
  static final String ID = "replica-racks";
  private static final int EXAMPLES = 3;

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String rule() {
    return "the replicas of every partition are on distinct racks";
  }

  @Override
  public List<Finding> evaluate(ClusterSnapshot cluster) {
    List<Finding> findings = new ArrayList<>();
    int partitions = 0;
    for (TopicView topic : cluster.topics()) {
      List<String> offenders = new ArrayList<>();
      for (PartitionView partition : topic.partitions()) {
        partitions++;
        if (!spread(cluster, partition)) {
          offenders.add(topic.name() + "-" + partition.partition() + " " + placement(cluster, partition));
        }
      }
      if (!offenders.isEmpty()) {
        findings.add(Finding.fail(ID, "topic " + topic.name(),
            offenders.size() + " of " + topic.partitions().size() + " partition(s) have replicas sharing a rack"
                + " or without one: " + String.join("; ", offenders.subList(0, Math.min(EXAMPLES, offenders.size())))
                + (offenders.size() > EXAMPLES ? "; ..." : ""),
            "set broker.rack on every broker (the node's zone label), then move replicas so each is in another "
                + "zone: kafka-reassign-partitions.sh --bootstrap-server " + cluster.bootstrap()
                + " --topics-to-move-json-file <topics> --broker-list <ids> --generate, then --execute"));
      }
    }
    if (findings.isEmpty()) {
      findings.add(Finding.pass(ID, "all partitions", partitions + " partition(s), each with its replicas on distinct racks"));
    }
    return findings;
  }

  private static boolean spread(ClusterSnapshot cluster, PartitionView partition) {
    Set<String> racks = new HashSet<>();
    for (int replica : partition.replicas()) {
      Optional<String> rack = cluster.rackOf(replica);
      if (rack.isEmpty() || !racks.add(rack.get())) {
        return false;
      }
    }
    return true;
  }

  private static String placement(ClusterSnapshot cluster, PartitionView partition) {
    List<String> parts = new ArrayList<>();
    for (int replica : partition.replicas()) {
      parts.add(replica + ":" + cluster.rackOf(replica).orElse("?"));
    }
    return "[" + String.join(", ", parts) + "]";
  }
}
