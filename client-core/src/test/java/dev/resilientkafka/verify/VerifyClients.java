package dev.resilientkafka.verify;

import dev.resilientkafka.FailureCause;
import dev.resilientkafka.ProducerListener;
import dev.resilientkafka.ResilientProducer;
import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.StringSerializer;

/** How the verification tests configure the library's clients: bootstrap from the headless Service only. */
final class VerifyClients {
  private VerifyClients() {}

  /** The record-id header the producer stamps by default. */
  static final String ID_HEADER = "resilient-record-id";

  /**
   * The cluster the fault schedules run on: the controller fences a silent broker after 5 s ({@code
   * broker.session.timeout.ms}, Kafka's default is 9 s) to keep the suites short.
   */
  static LocalKafkaCluster startFaultCluster() {
    return LocalKafkaCluster.builder()
        .brokerSessionTimeout(Duration.ofSeconds(5))
        .start();
  }

  /** A checker reading {@code cluster}'s topics back by pod FQDN, de-duplicating by the record-id header. */
  static DeliveryChecker checker(LocalKafkaCluster cluster) {
    return new DeliveryChecker(cluster.bootstrapFqdns(), cluster.clientSecurityProperties(), ID_HEADER);
  }

  /** What a user writes: the Service and, here, where the test DNS server listens; plus the cluster's TLS settings. */
  static Map<String, Object> serviceBootstrap(LocalKafkaCluster cluster) {
    Map<String, Object> config = new HashMap<>(cluster.clientSecurityProperties());
    config.put("resilient.bootstrap.service", cluster.serviceBootstrap());
    config.put("resilient.bootstrap.dns.server", dnsServer(cluster));
    return config;
  }

  static String dnsServer(LocalKafkaCluster cluster) {
    return cluster.dnsAddress().getHostString() + ":" + cluster.dnsAddress().getPort();
  }

  /**
   * A producer bootstrapped from the Service; {@code request.timeout.ms} 10 s (the library's default is
   * 15 s, Kafka's 30 s) so that a request stuck on a paused leader is retried sooner and the suite stays
   * short (this cluster fences a silent broker after 5 s).
   */
  static ResilientProducer<String, String> producer(LocalKafkaCluster cluster, ProducerListener listener) {
    return ResilientProducer.<String, String>builder()
        .config(serviceBootstrap(cluster))
        .config("request.timeout.ms", 10_000)
        .serializers(new StringSerializer(), new StringSerializer())
        .listener(listener)
        .build();
  }

  /** Counts the producer's events that explain duplicates and failures. */
  static final class EventCounts implements ProducerListener {
    final AtomicLong resent = new AtomicLong();
    final AtomicLong failed = new AtomicLong();

    @Override
    public void onResent(String topic) {
      resent.incrementAndGet();
    }

    @Override
    public void onFailed(String topic, FailureCause cause) {
      failed.incrementAndGet();
    }
  }
}
