package dev.resilientkafka.examples.doctor;

import java.util.List;

/**
 * One partition's replica state.
 *
 * @param partition its number
 * @param leader the leader's broker id, or -1 if it has none (offline)
 * @param replicas the assigned replicas, preferred leader first
 * @param isr the in-sync replicas
 */
public record PartitionView(int partition, int leader, List<Integer> replicas, List<Integer> isr) {
  /** Copies the lists. */
  public PartitionView {
    replicas = List.copyOf(replicas);
    isr = List.copyOf(isr);
  }

  /** Whether it has a leader. */
  public boolean online() {
    return leader >= 0;
  }
}
