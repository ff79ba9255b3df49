package dev.resilientkafka.examples.doctor;

import java.util.ArrayList;
import java.util.List;

/** The rules in the order the table shows them, and running them over a snapshot. */
public final class DoctorChecks {
  private DoctorChecks() {}

  /** Every check, one per rule. */
  public static List<Check> standard() {
    return List.of(
        new BrokerCountCheck(),
        new ReplicationFactorCheck(),
        new MinInsyncReplicasCheck(),
        new ReplicaRackSpreadCheck(),
        new RackCountCheck(),
        new InternalTopicsCheck(),
        new InSyncReplicasCheck(),
        new UncleanLeaderElectionCheck(),
        new AdvertisedListenersCheck(),
        new ReplicaSelectorCheck());
  }

  /** Runs the checks in order; each contributes at least one row. */
  public static List<Finding> run(List<Check> checks, ClusterSnapshot cluster) {
    List<Finding> findings = new ArrayList<>();
    for (Check check : checks) {
      findings.addAll(check.evaluate(cluster));
    }
    return findings;
  }
}
