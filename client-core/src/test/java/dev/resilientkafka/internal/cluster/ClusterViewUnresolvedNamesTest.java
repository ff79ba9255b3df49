package dev.resilientkafka.internal.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Kafka refuses to create an Admin client when no bootstrap name resolves. The view must name that
 * ("names unresolved", not a bare failure), and must not stay stuck as if a request were still under way:
 * it tries again on each tick.
 */
class ClusterViewUnresolvedNamesTest {
  private record FixedMember(Collection<String> topics, Collection<String> stalledTopics) implements ClusterView.Member {}

  @Test
  void bootstrapNamesThatDoNotResolveAreNamedAndProbedAgain() {
    try (ClusterView.Membership membership = ClusterView.join(
        Map.of("bootstrap.servers", "no-such-broker.invalid:9092"), new FixedMember(List.of("t"), List.of("t")))) {
      ClusterView view = membership.view();
      await().atMost(Duration.ofSeconds(10))
          .until(() -> view.recentReachability() == ClusterView.Reachability.NAMES_UNRESOLVED);
      // a failed attempt must not leave its request marked as under way, or no later tick would try again
      await("no probe or config read left marked as under way").atMost(Duration.ofSeconds(5)).until(() -> !view.busy());
      assertThat(view.requestsSent()).as("no request could be sent").isZero();
    }
  }
}
