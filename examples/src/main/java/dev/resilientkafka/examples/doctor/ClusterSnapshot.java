package dev.resilientkafka.examples.doctor;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the doctor read from a cluster, once, before any check ran: the registered brokers with their
 * configuration and every topic (internal ones included) with partitions and effective configuration.
 * Immutable; build one by hand to test a {@link Check}, or read one with {@link ClusterSnapshotReader}.
 *
 * @param bootstrap the bootstrap servers used, quoted in the fixes ({@code kafka-configs.sh
 *     --bootstrap-server ...})
 * @param brokers every registered broker, fenced ones included, by id
 * @param topics every topic, by name
 * @param expectedBrokers how many brokers there should be ({@code --expected-brokers}, or the pods the
 *     headless Service lists); 0 when not known
 * @param expectedSource where {@code expectedBrokers} came from, for messages; empty when not known
 */
public record ClusterSnapshot(String bootstrap, List<BrokerView> brokers, List<TopicView> topics,
    int expectedBrokers, String expectedSource) {
  static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";

  /** Copies and sorts the lists. */
  public ClusterSnapshot {
    Objects.requireNonNull(bootstrap, "bootstrap");
    Objects.requireNonNull(expectedSource, "expectedSource");
    if (expectedBrokers < 0) {
      throw new IllegalArgumentException("expectedBrokers must be >= 0, was " + expectedBrokers);
    }
    brokers = brokers.stream().sorted(Comparator.comparingInt(BrokerView::id)).toList();
    topics = topics.stream().sorted(Comparator.comparing(TopicView::name)).toList();
  }

  /** A snapshot without an expected broker count. */
  public ClusterSnapshot(String bootstrap, List<BrokerView> brokers, List<TopicView> topics) {
    this(bootstrap, brokers, topics, 0, "");
  }

  /** The same cluster with how many brokers there should be, and where that number came from. */
  public ClusterSnapshot expecting(int count, String source) {
    return new ClusterSnapshot(bootstrap, brokers, topics, count, source);
  }

  /**
   * Registered brokers that do not serve: fenced by the controller (stopped, starting, or lost their
   * session), or not answering describeConfigs although not fenced yet (killed moments ago, hung).
   */
  public List<BrokerView> brokersNotServing() {
    return brokers.stream().filter(b -> b.fenced() || !b.configKnown()).toList();
  }

  /** The broker with this id, if registered. */
  public Optional<BrokerView> broker(int id) {
    return brokers.stream().filter(b -> b.id() == id).findFirst();
  }

  /** The rack of a broker, if it is registered and has one. */
  public Optional<String> rackOf(int id) {
    return broker(id).map(BrokerView::rack);
  }

  /** The topics Kafka does not mark internal. */
  public List<TopicView> userTopics() {
    return topics.stream().filter(t -> !t.internal()).toList();
  }

  /** The topic with this name, if it exists. */
  public Optional<TopicView> topic(String name) {
    return topics.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  /** The brokers' default {@code min.insync.replicas} (the highest if they disagree), if any broker's config was read. */
  public OptionalInt brokerMinInsyncReplicas() {
    return brokers.stream()
        .flatMap(b -> intConfig(b.config(), MIN_INSYNC_REPLICAS).stream())
        .mapToInt(Integer::intValue)
        .max();
  }

  /** A topic's {@code min.insync.replicas}: its own, else the brokers' default, else Kafka's default 1. */
  public int minInsyncReplicas(TopicView topic) {
    return topic.minInsyncReplicas().orElseGet(() -> brokerMinInsyncReplicas().orElse(1));
  }

  /** A config value parsed as an int, if present and numeric. */
  static Optional<Integer> intConfig(Map<String, String> config, String key) {
    String value = config.get(key);
    if (value == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Integer.parseInt(value.trim()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
