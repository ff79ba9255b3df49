package dev.resilientkafka.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilientkafka.ResilientProducer;
import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Brokers that advertise their pod IPs (a common misconfiguration) all killed and restarted on new IPs at
 * once: every address a client learned from metadata is gone, and only a rebootstrap from the pods' DNS
 * names finds the cluster again. The library (bootstrapped from the headless Service) beside its tuned
 * twin (the pods' FQDNs, the same rebootstrap and reconnect settings): nothing lost, duplicated or
 * reordered, and the library's {@code send()} never blocks while the twin's waits for metadata.
 */
class PodIpRotationTwinTest {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final Duration DELIVERY = Duration.ofSeconds(120);
  private static LocalKafkaCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = LocalKafkaCluster.builder().advertisePodIps(true).brokerSessionTimeout(Duration.ofSeconds(5)).start();
  }

  @AfterAll
  static void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void allBrokersRestartedOnNewIpsAtOnce() {
    cluster.createTopic("pod-ips-r", 3, 3);
    cluster.createTopic("pod-ips-p", 3, 3);
    ResilientProducer<String, String> library = ResilientProducer.<String, String>builder()
        .config(VerifyClients.serviceBootstrap(cluster))
        .config(Map.of("request.timeout.ms", 10_000, "delivery.timeout.ms", (int) DELIVERY.toMillis()))
        .serializers(new StringSerializer(), new StringSerializer())
        .build();
    try (VerifyingProducer resilient = new VerifyingProducer(library, "pod-ips-r", 6, 1);
        VerifyingProducer twin = new VerifyingProducer(TunedTwins.twin(cluster, DELIVERY, Duration.ofSeconds(60), Map.of()), "pod-ips-p", 6, 1)) {
      resilient.start();
      twin.start();
      resilient.awaitAckedMore(200, WAIT);
      twin.awaitAckedMore(200, WAIT);
      cluster.restartAllOnNewIps();
      resilient.awaitAckedMore(300, WAIT);
      twin.awaitAckedMore(300, WAIT);
      resilient.stopAndAwaitCallbacks(WAIT);
      twin.stopAndAwaitCallbacks(WAIT);
      DeliveryChecker checker = VerifyClients.checker(cluster);
      DeliveryReport r = checker.check("pod-ip rotation resilient", "pod-ips-r", resilient).print();
      DeliveryReport p = checker.check("pod-ip rotation plain twin", "pod-ips-p", twin).print();
      TunedTwins.print("all pod IPs rotated", resilient, r, twin, p);
      r.assertGuarantees("");
      assertThat(r.failed()).isZero();
      assertThat(resilient.longestSendMs()).as("the library's send() does not block").isLessThan(1_000);
      assertThat(resilient.longestAckGapMs()).as("longest ack gap: never worse than the twin (timer noise: %d ms)", TunedTwins.GAP_SLACK_MS)
          .isLessThanOrEqualTo(twin.longestAckGapMs() + TunedTwins.GAP_SLACK_MS);
      assertThat(r.lost()).isLessThanOrEqualTo(p.lost());
      assertThat(r.reordered()).isLessThanOrEqualTo(p.reordered());
    }
  }
}
