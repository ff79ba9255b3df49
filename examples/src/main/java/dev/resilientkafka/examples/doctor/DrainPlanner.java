package dev.resilientkafka.examples.doctor;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides whether a broker can be drained now: for every partition (internal ones included) with the
 * broker in its ISR, the ISR without it must still hold {@code min.insync.replicas} replicas. A broker
 * in no ISR (down, or catching up) can always go. Stateless.
 */
public final class DrainPlanner {
  private DrainPlanner() {}

  /**
   * Judges draining {@code brokerId} on this snapshot.
   *
   * @throws IllegalArgumentException if the broker is neither registered nor a replica of any partition
   */
  public static DrainVerdict plan(ClusterSnapshot cluster, int brokerId) {
    boolean known = cluster.broker(brokerId).isPresent() || cluster.topics().stream()
        .flatMap(t -> t.partitions().stream()).anyMatch(p -> p.replicas().contains(brokerId));
    if (!known) {
      throw new IllegalArgumentException("broker " + brokerId + " is not in the cluster; brokers: "
          + cluster.brokers().stream().map(BrokerView::id).toList());
    }
    int hosted = 0;
    List<DrainVerdict.Blocker> blockers = new ArrayList<>();
    List<DrainVerdict.Blocker> alreadyBelow = new ArrayList<>();
    for (TopicView topic : cluster.topics()) {
      int minIsr = cluster.minInsyncReplicas(topic);
      for (PartitionView p : topic.partitions()) {
        if (p.replicas().contains(brokerId)) {
          hosted++;
        }
        List<Integer> after = p.isr().stream().filter(id -> id != brokerId).toList();
        DrainVerdict.Blocker state = new DrainVerdict.Blocker(topic.name(), p.partition(), p.replicas(), p.isr(), minIsr, after);
        if (p.isr().contains(brokerId) && after.size() < minIsr) {
          blockers.add(state);
        } else if (p.isr().size() < minIsr) {
          alreadyBelow.add(state);
        }
      }
    }
    return new DrainVerdict(brokerId, hosted, blockers, alreadyBelow);
  }
}
