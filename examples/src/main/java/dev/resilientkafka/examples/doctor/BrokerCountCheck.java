package dev.resilientkafka.examples.doctor;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Enough brokers serving: every registered broker serves (none fenced or silent), as many are registered
 * as are expected ({@code --expected-brokers}, or the pods of the headless Service), and the brokers
 * serving are at least one more than the highest {@code min.insync.replicas} of the brokers' default and
 * every topic: with only as many brokers as min ISR, losing one stops every acks=all producer.
 */
public final class BrokerCountCheck implements Check {
  static final String ID = "broker-count";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String rule() {
    return "every expected broker is registered and serving, one more than the highest min.insync.replicas";
  }

  @Override
  public List<Finding> evaluate(ClusterSnapshot cluster) {
    int registered = cluster.brokers().size();
    List<BrokerView> notServing = cluster.brokersNotServing();
    int serving = registered - notServing.size();
    int highest = cluster.brokerMinInsyncReplicas().orElse(1);
    String source = "the brokers' default";
    Optional<TopicView> strictest = cluster.topics().stream()
        .max((a, b) -> Integer.compare(cluster.minInsyncReplicas(a), cluster.minInsyncReplicas(b)));
    if (strictest.isPresent() && cluster.minInsyncReplicas(strictest.get()) > highest) {
      highest = cluster.minInsyncReplicas(strictest.get());
      source = "topic " + strictest.get().name();
    }
    String counts = serving + " brokers serving (" + registered + " registered"
        + (notServing.isEmpty() ? "" : ", " + notServing.size() + " not serving")
        + (cluster.expectedBrokers() > 0 ? ", " + cluster.expectedBrokers() + " expected from " + cluster.expectedSource() : "")
        + ")";
    String detail = counts + ", highest min.insync.replicas " + highest + " (" + source + ")";

    List<Finding> findings = new ArrayList<>();
    for (BrokerView broker : notServing) {
      findings.add(Finding.fail(ID, "broker " + broker.id(),
          "broker " + broker.describe() + (broker.fenced()
              ? " is registered but fenced: stopped, starting, or it lost its controller session"
              : " is registered but does not answer (killed or hung, not fenced yet)"),
          "start it again or find why it stopped (kubectl get pod / kubectl logs for " + broker.host()
              + "); until it is back, one more broker down may stop acks=all writes"));
    }
    if (cluster.expectedBrokers() > registered) {
      findings.add(Finding.fail(ID, "cluster",
          cluster.expectedBrokers() + " brokers expected from " + cluster.expectedSource() + ", only " + registered
              + " registered (" + cluster.brokers().stream().map(b -> Integer.toString(b.id()))
                  .collect(Collectors.joining(", ")) + ")",
          "find the broker pods that never registered (kubectl get pods; their logs), or correct the expectation"));
    }
    if (serving < highest + 1) {
      findings.add(Finding.fail(ID, "cluster",
          detail + ": losing " + (serving <= highest ? "any broker stops" : "one more broker stops") + " acks=all writes",
          registered >= highest + 1
              ? "bring broker(s) " + notServing.stream().map(b -> Integer.toString(b.id())).collect(Collectors.joining(", "))
                  + " back: with all " + registered + " registered brokers serving, one can be down"
              : "run at least " + (highest + 1) + " brokers (min.insync.replicas + 1, e.g. 3 brokers with "
                  + "min.insync.replicas=2), or lower min.insync.replicas to 2 on topics with RF 3"));
    }
    if (findings.isEmpty()) {
      findings.add(Finding.pass(ID, "cluster", detail + ": one broker can be down and acks=all writes go on"));
    }
    return findings;
  }
}
