package dev.resilientkafka.examples.doctor;

import java.util.List;

/**
 * The answer to "can broker N go down now?": Kafka's own disruption budget, the one a
 * PodDisruptionBudget of {@code maxUnavailable: 1} only approximates.
 *
 * @param brokerId the broker asked about
 * @param hostedPartitions how many partitions have a replica on it
 * @param blockers the partitions whose ISR would drop below their min ISR without it; empty when safe
 * @param alreadyBelow partitions below their min ISR now without this broker in their ISR (not its
 *     fault, but writes to them fail already)
 */
public record DrainVerdict(int brokerId, int hostedPartitions, List<Blocker> blockers, List<Blocker> alreadyBelow) {
  /** Copies the lists. */
  public DrainVerdict {
    blockers = List.copyOf(blockers);
    alreadyBelow = List.copyOf(alreadyBelow);
  }

  /** Whether the broker can go down without any partition dropping below its min ISR. */
  public boolean safe() {
    return blockers.isEmpty();
  }

  /**
   * One partition and what draining would leave of its ISR.
   *
   * @param topic the topic
   * @param partition the partition
   * @param replicas its replicas
   * @param isr its ISR now
   * @param minIsr its min.insync.replicas
   * @param isrAfter its ISR without the drained broker
   */
  public record Blocker(String topic, int partition, List<Integer> replicas, List<Integer> isr, int minIsr,
      List<Integer> isrAfter) {
    /** Copies the lists. */
    public Blocker {
      replicas = List.copyOf(replicas);
      isr = List.copyOf(isr);
      isrAfter = List.copyOf(isrAfter);
    }
  }
}
