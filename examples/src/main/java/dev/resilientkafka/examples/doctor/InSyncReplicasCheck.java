package dev.resilientkafka.examples.doctor;

import java.util.ArrayList;
import java.util.List;

/**
 * No partition is offline or below its min ISR now (FAIL: acks=all writes to it fail with
 * NOT_ENOUGH_REPLICAS), and none is at its min ISR (WARN: one more broker down stops it, so no broker
 * may be drained). Covers every topic, internal ones included.
 */
public final class InSyncReplicasCheck implements Check {
  static final String ID = "isr-now";
  private static final int EXAMPLES = 5;

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String rule() {
    return "every partition has a leader and more in-sync replicas than min.insync.replicas";
  }

  @Override
  public List<Finding> evaluate(ClusterSnapshot cluster) {
    List<Finding> findings = new ArrayList<>();
    int partitions = 0;
    for (TopicView topic : cluster.topics()) {
      int minIsr = cluster.minInsyncReplicas(topic);
      List<String> below = new ArrayList<>();
      List<String> at = new ArrayList<>();
      for (PartitionView p : topic.partitions()) {
        partitions++;
        String state = topic.name() + "-" + p.partition() + " isr " + p.isr() + " of " + p.replicas();
        if (!p.online()) {
          below.add(state + " OFFLINE");
        } else if (p.isr().size() < minIsr) {
          below.add(state);
        } else if (p.isr().size() == minIsr && p.replicas().size() > minIsr) {
          // ISR = min ISR = RF is the min-insync-replicas check's FAIL, not a transient state
          at.add(state);
        }
      }
      String subject = "topic " + topic.name();
      if (!below.isEmpty()) {
        findings.add(Finding.fail(ID, subject,
            below.size() + " partition(s) below min.insync.replicas " + minIsr + ": " + examples(below),
            "bring the missing replicas' brokers back (they must rejoin the ISR); until then acks=all writes "
                + "to these partitions fail; see kafka-topics.sh --bootstrap-server " + cluster.bootstrap()
                + " --describe --under-min-isr-partitions"));
      }
      if (!at.isEmpty()) {
        findings.add(Finding.warn(ID, subject,
            at.size() + " partition(s) at min.insync.replicas " + minIsr + ": " + examples(at),
            "do not drain or restart any of their brokers until the missing replicas rejoin the ISR; see "
                + "kafka-topics.sh --bootstrap-server " + cluster.bootstrap() + " --describe --at-min-isr-partitions"));
      }
    }
    if (findings.isEmpty()) {
      findings.add(Finding.pass(ID, "all partitions", partitions + " partition(s) with a leader and no shortfall against min.insync.replicas"));
    }
    return findings;
  }

  private static String examples(List<String> items) {
    return String.join("; ", items.subList(0, Math.min(EXAMPLES, items.size()))) + (items.size() > EXAMPLES ? "; ..." : "");
  }
}
