package dev.resilientkafka.examples.doctor;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One topic with its partitions and its effective configuration.
 *
 * @param name the topic
 * @param internal whether Kafka marks it internal ({@code __consumer_offsets}, {@code
 *     __transaction_state})
 * @param partitions every partition, by number
 * @param config its effective configuration (overrides and inherited defaults); empty if unknown
 */
public record TopicView(String name, boolean internal, List<PartitionView> partitions, Map<String, String> config) {
  /** Copies the lists and map. */
  public TopicView {
    Objects.requireNonNull(name, "name");
    partitions = List.copyOf(partitions);
    config = Map.copyOf(config);
  }

  /** The replication factor: the largest replica count of its partitions. */
  public int replicationFactor() {
    return partitions.stream().mapToInt(p -> p.replicas().size()).max().orElse(0);
  }

  /** Its {@code min.insync.replicas}, if known. */
  public Optional<Integer> minInsyncReplicas() {
    return ClusterSnapshot.intConfig(config, ClusterSnapshot.MIN_INSYNC_REPLICAS);
  }
}
