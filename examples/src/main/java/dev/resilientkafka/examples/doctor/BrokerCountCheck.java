package dev.resilientkafka.examples.doctor;

import java.util.List;
import java.util.Optional;

/**
 * Brokers ≥ min ISR + 1: with only as many brokers as {@code min.insync.replicas}, losing one stops every
 * acks=all producer (the article's two-broker example). Counts registered brokers, fenced ones included,
 * against the highest {@code min.insync.replicas} of the brokers' default and every topic.
 */
public final class BrokerCountCheck implements Check {
  static final String ID = "broker-count";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String rule() {
    return "there is at least one broker more than the highest min.insync.replicas";
  }

  @Override
  public List<Finding> evaluate(ClusterSnapshot cluster) {
    int brokers = cluster.brokers().size();
    int highest = cluster.brokerMinInsyncReplicas().orElse(1);
    String source = "the brokers' default";
    Optional<TopicView> strictest = cluster.topics().stream()
        .max((a, b) -> Integer.compare(cluster.minInsyncReplicas(a), cluster.minInsyncReplicas(b)));
    if (strictest.isPresent() && cluster.minInsyncReplicas(strictest.get()) > highest) {
      highest = cluster.minInsyncReplicas(strictest.get());
      source = "topic " + strictest.get().name();
    }
    String detail = brokers + " brokers, highest min.insync.replicas " + highest + " (" + source + ")";
    if (brokers >= highest + 1) {
      return List.of(Finding.pass(ID, "cluster", detail + ": one broker can be down and acks=all writes go on"));
    }
    return List.of(Finding.fail(ID, "cluster",
        detail + ": losing any broker stops acks=all writes",
        "run at least " + (highest + 1) + " brokers (min.insync.replicas + 1; the article: 3 brokers, "
            + "min.insync.replicas=2), or lower min.insync.replicas to 2 on topics with RF 3"));
  }
}
