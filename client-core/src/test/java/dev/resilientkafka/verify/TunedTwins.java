package dev.resilientkafka.verify;

import dev.resilientkafka.ProducerListener;
import dev.resilientkafka.ResilientProducer;
import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The two clients every claim is measured with: a {@link ResilientProducer} and its tuned plain twin, a
 * {@link KafkaProducer} given the same settings wherever Kafka has one (acks, idempotence, delivery
 * timeout, request timeout, the reconnect and rebootstrap settings the library applies), and the same
 * bootstrap list (the pods' FQDNs).
 */
final class TunedTwins {
  /**
   * How much longer the library's longest ack gap may be than the twin's in one run and still count as no
   * worse: both clients recover on timers they do not share (reconnect backoff up to 1 s, the rebootstrap
   * trigger's phase, the moment a metadata answer arrives), which puts a second or two of noise between two
   * otherwise equal clients. The interleaved benchmarks compare medians instead.
   */
  static final long GAP_SLACK_MS = 2_500;

  private TunedTwins() {}

  /** The settings both clients get. */
  static Map<String, Object> common(LocalKafkaCluster cluster, Duration deliveryTimeout) {
    Map<String, Object> config = new HashMap<>(cluster.clientSecurityProperties());
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapFqdns());
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) deliveryTimeout.toMillis());
    return config;
  }

  static ResilientProducer<String, String> resilient(LocalKafkaCluster cluster, Duration deliveryTimeout,
      Map<String, Object> extra, ProducerListener... listeners) {
    ResilientProducer.Builder<String, String> builder = ResilientProducer.<String, String>builder()
        .config(common(cluster, deliveryTimeout))
        .config(extra)
        .serializers(new StringSerializer(), new StringSerializer());
    for (ProducerListener listener : listeners) {
      builder.listener(listener);
    }
    return builder.build();
  }

  /**
   * The plain twin: what a user who knows Kafka configures for the same job ({@code max.block.ms} is the
   * one setting with no counterpart: the library's {@code send()} does not wait for metadata).
   */
  static KafkaProducer<String, String> twin(LocalKafkaCluster cluster, Duration deliveryTimeout,
      Duration maxBlock, Map<String, Object> extra) {
    Map<String, Object> config = common(cluster, deliveryTimeout);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) maxBlock.toMillis());
    config.put("metadata.recovery.strategy", "rebootstrap");
    config.put("metadata.recovery.rebootstrap.trigger.ms", 10_000);
    config.put(ProducerConfig.RECONNECT_BACKOFF_MS_CONFIG, 100);
    config.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
    config.put(ProducerConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, 2_000);
    config.put(ProducerConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, 5_000);
    config.put(ProducerConfig.PARTITIONER_AVAILABILITY_TIMEOUT_MS_CONFIG, 1_000);
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    config.putAll(extra);
    return new KafkaProducer<>(config);
  }

  /** One line comparing the two runs, for the surefire output. */
  static void print(String scenario, VerifyingProducer resilient, DeliveryReport resilientReport,
      VerifyingProducer twin, DeliveryReport twinReport) {
    System.out.printf("TWIN %-28s %-10s longest-send=%6dms longest-ack-gap=%6dms sent=%5d refused=%4d lost=%d "
            + "failed=%d duplicated=%d reordered=%d%n", scenario, "resilient", resilient.longestSendMs(),
        resilient.longestAckGapMs(), resilient.sent(), resilient.refused(), resilientReport.lost(),
        resilientReport.failed(), resilientReport.duplicates(), resilientReport.reordered());
    System.out.printf("TWIN %-28s %-10s longest-send=%6dms longest-ack-gap=%6dms sent=%5d refused=%4d lost=%d "
            + "failed=%d duplicated=%d reordered=%d%n", scenario, "plain twin", twin.longestSendMs(),
        twin.longestAckGapMs(), twin.sent(), twin.refused(), twinReport.lost(), twinReport.failed(),
        twinReport.duplicates(), twinReport.reordered());
  }
}
