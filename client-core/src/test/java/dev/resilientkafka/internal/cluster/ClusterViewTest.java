package dev.resilientkafka.internal.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.resilientkafka.ResilientProducer;
import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One view per cluster per JVM: producers of one JVM share one Admin client and ask the cluster nothing
 * while their records are acknowledged but each topic's {@code min.insync.replicas} once; a topic that
 * cannot be described does not hide what is known of the others.
 */
class ClusterViewTest {
  private static LocalKafkaCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = LocalKafkaCluster.start();
    for (int i = 0; i < 5; i++) {
      cluster.createTopic("view-" + i, 3, 3);
    }
  }

  @AfterAll
  static void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** A member that reports fixed topics. */
  private record FixedMember(Collection<String> topics, Collection<String> stalledTopics) implements ClusterView.Member {}

  @Test
  void producersOfOneJvmShareOneViewThatIsQuietWhileRecordsAreAcknowledged() {
    int before = SharedAdmins.clusters();
    List<ResilientProducer<String, String>> producers = new ArrayList<>();
    try (ClusterView.Membership observer = ClusterView.join(Map.of("bootstrap.servers", cluster.bootstrapFqdns()),
        new FixedMember(List.of(), List.of()))) {
      for (int i = 0; i < 10; i++) {
        producers.add(ResilientProducer.<String, String>builder()
            .bootstrapServers(cluster.bootstrapFqdns())
            .serializers(new StringSerializer(), new StringSerializer())
            .build());
      }
      assertThat(SharedAdmins.clusters()).as("one shared Admin client for the cluster").isEqualTo(before + 1);
      long start = System.nanoTime();
      int sent = 0;
      while (System.nanoTime() - start < Duration.ofSeconds(15).toNanos()) {
        for (ResilientProducer<String, String> producer : producers) {
          producer.send(new ProducerRecord<>("view-" + (sent % 5), "k" + sent, "v" + sent));
          sent++;
        }
        producers.get(0).flush();
      }
      producers.forEach(ResilientProducer::flush);
      ClusterView view = observer.view();
      await().atMost(Duration.ofSeconds(20)).until(() -> view.minInsyncReplicas("view-4") != null);
      System.out.printf("10 producers, 5 topics, %d records in 15 s: the shared view sent %d requests%n", sent,
          view.requestsSent());
      assertThat(view.minInsyncReplicas("view-0")).isEqualTo(2);
      assertThat(view.requestsSent()).as("describeConfigs for the topics, nothing else while healthy")
          .isLessThanOrEqualTo(5);
      assertThat(view.recentReachability()).as("no probe while records are acknowledged").isNull();
    } finally {
      producers.forEach(p -> p.close(Duration.ofSeconds(5)));
    }
    assertThat(SharedAdmins.clusters()).as("the last producer closed releases the Admin client").isEqualTo(before);
  }

  @Test
  void aTopicThatCannotBeDescribedMarksOnlyItself() {
    try (ClusterView.Membership membership = ClusterView.join(Map.of("bootstrap.servers", cluster.bootstrapFqdns()),
        new FixedMember(List.of("view-1"), List.of("view-1", "no-such-topic")))) {
      ClusterView view = membership.view();
      await().atMost(Duration.ofSeconds(20)).until(() -> view.recentPartitions("view-1") != null);
      assertThat(view.recentPartitions("view-1")).hasSize(3)
          .allSatisfy((p, state) -> assertThat(state.inSyncReplicas()).isEqualTo(3));
      assertThat(view.recentPartitions("no-such-topic")).isNull();
      assertThat(view.recentReachability()).isEqualTo(ClusterView.Reachability.REACHABLE);
    }
  }
}
