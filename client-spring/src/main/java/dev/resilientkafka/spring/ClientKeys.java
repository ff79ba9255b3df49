package dev.resilientkafka.spring;

import dev.resilientkafka.ResilientBootstrapConfig;
import dev.resilientkafka.ResilientConsumerConfig;
import dev.resilientkafka.ResilientProducerConfig;
import dev.resilientkafka.ResilientRackConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * How the {@code resilient.kafka.*} properties become the clients' {@code resilient.*} keys: the one table
 * the auto-configuration builds client configurations from, and that {@code ClientKeysTest} holds against
 * the keys' {@code ConfigDef}s (every key mapped or listed in {@link #NOT_EXPOSED} with its reason, and the
 * properties' defaults equal to the keys'). Stateless.
 */
final class ClientKeys {
  /**
   * One property and the client key it sets.
   *
   * @param property the property under {@code resilient.kafka.}
   * @param key the client key
   * @param value the key's value from the bound properties; null leaves the key to its default
   */
  record Mapping(String property, String key, Function<ResilientKafkaProperties, @Nullable Object> value) {}

  static final List<Mapping> PRODUCER = List.of(
      new Mapping("producer.buffer-max-records", ResilientProducerConfig.BUFFER_MAX_RECORDS,
          p -> p.producer().bufferMaxRecords()),
      new Mapping("producer.buffer-max-bytes", ResilientProducerConfig.BUFFER_MAX_BYTES,
          p -> p.producer().bufferMaxBytes().toBytes()),
      new Mapping("producer.overflow-policy", ResilientProducerConfig.BUFFER_OVERFLOW_POLICY,
          p -> p.producer().overflowPolicy().name()),
      new Mapping("producer.block-timeout", ResilientProducerConfig.BUFFER_BLOCK_MS, p -> millis(p.producer().blockTimeout())),
      new Mapping("producer.delivery-timeout", ResilientProducerConfig.DELIVERY_TIMEOUT_MS,
          p -> millis(p.producer().deliveryTimeout())),
      new Mapping("producer.availability-mode", ResilientProducerConfig.AVAILABILITY_MODE, p -> p.producer().availabilityMode()),
      new Mapping("producer.retry-backoff", ResilientProducerConfig.RETRY_BACKOFF_MS, p -> millis(p.producer().retryBackoff())),
      new Mapping("producer.retry-backoff-max", ResilientProducerConfig.RETRY_BACKOFF_MAX_MS,
          p -> millis(p.producer().retryBackoffMax())),
      new Mapping("producer.topic-idle", ResilientProducerConfig.TOPIC_IDLE_MS, p -> millis(p.producer().topicIdle())),
      new Mapping("producer.spool-dir", ResilientProducerConfig.SPOOL_DIR, p -> text(p.producer().spoolDir())),
      new Mapping("producer.spool-max-bytes", ResilientProducerConfig.SPOOL_MAX_BYTES,
          p -> p.producer().spoolMaxBytes().toBytes()),
      new Mapping("producer.spool-fsync", ResilientProducerConfig.SPOOL_FSYNC, p -> text(p.producer().spoolFsync())),
      new Mapping("record-id-header", ResilientProducerConfig.RECORD_ID_HEADER, ResilientKafkaProperties::recordIdHeader));

  static final List<Mapping> CONSUMER = List.of(
      new Mapping("consumer.dedup-window", ResilientConsumerConfig.DEDUP_WINDOW, p -> p.consumer().dedupWindow()),
      // producers write the header, consumers read it: one property for both
      new Mapping("record-id-header", ResilientConsumerConfig.DEDUP_HEADER, p -> text(p.recordIdHeader())),
      new Mapping("consumer.verify-rack", ResilientConsumerConfig.VERIFY_RACK, p -> p.consumer().verifyRack()),
      new Mapping("consumer.diagnostics-interval", ResilientConsumerConfig.DIAGNOSTICS_INTERVAL_MS,
          p -> millis(p.consumer().diagnosticsInterval())));

  static final List<Mapping> BOOTSTRAP = List.of(
      new Mapping("service", ResilientBootstrapConfig.SERVICE, p -> p.services().isEmpty() ? null : String.join(",", p.services())),
      new Mapping("dns-server", ResilientBootstrapConfig.DNS_SERVER, p -> text(p.dnsServer())),
      new Mapping("namespace", ResilientBootstrapConfig.NAMESPACE, p -> text(p.namespace())),
      new Mapping("cluster-domain", ResilientBootstrapConfig.CLUSTER_DOMAIN, p -> text(p.clusterDomain())),
      new Mapping("port", ResilientBootstrapConfig.PORT, ResilientKafkaProperties::port),
      new Mapping("port-name", ResilientBootstrapConfig.PORT_NAME, p -> text(p.portName())),
      new Mapping("allow-foreign-targets", ResilientBootstrapConfig.ALLOW_FOREIGN_TARGETS,
          ResilientKafkaProperties::allowForeignTargets),
      new Mapping("bootstrap-timeout", ResilientBootstrapConfig.TIMEOUT_MS, p -> millis(p.bootstrapTimeout())),
      new Mapping("refresh-max", ResilientBootstrapConfig.REFRESH_MS, p -> millis(p.refreshMax())),
      new Mapping("dns-timeout", ResilientBootstrapConfig.DNS_TIMEOUT_MS, p -> millis(p.dnsTimeout())),
      new Mapping("fallback-servers", ResilientBootstrapConfig.FALLBACK_SERVERS, p -> text(p.fallbackServers())),
      new Mapping("check-listener", ResilientBootstrapConfig.CHECK_LISTENER, ResilientKafkaProperties::checkListener),
      new Mapping("check-advertised-hosts", ResilientBootstrapConfig.CHECK_ADVERTISED_HOSTS,
          ResilientKafkaProperties::checkAdvertisedHosts));

  static final List<Mapping> RACK = List.of(
      new Mapping("rack-file", ResilientRackConfig.FILE, ResilientKafkaProperties::rackFile),
      new Mapping("rack-timeout", ResilientRackConfig.TIMEOUT_MS, p -> millis(p.rackTimeout())));

  private static final String RACK_LOCATIONS = "where the rack discovery chain looks; the defaults are Kubernetes'"
      + " and the clouds' own, and a deployment that needs another sets resilient.kafka.rack or"
      + " resilient.kafka.properties[" + ResilientRackConfig.PREFIX + "...]";

  /**
   * Client keys without a property of their own, and why. Each can still be set through {@code
   * resilient.kafka.properties[<key>]}.
   */
  static final Map<String, String> NOT_EXPOSED = Map.ofEntries(
      Map.entry(ResilientBootstrapConfig.RESOLV_CONF, "every pod gets its /etc/resolv.conf from Kubernetes; another"
          + " file is for tests and unusual images"),
      Map.entry(ResilientRackConfig.ENV_VARIABLE, RACK_LOCATIONS),
      Map.entry(ResilientRackConfig.KUBERNETES_NODE_VARIABLE, RACK_LOCATIONS),
      Map.entry(ResilientRackConfig.KUBERNETES_LABEL, RACK_LOCATIONS),
      Map.entry(ResilientRackConfig.KUBERNETES_API, RACK_LOCATIONS),
      Map.entry(ResilientRackConfig.KUBERNETES_TOKEN_PATH, RACK_LOCATIONS),
      Map.entry(ResilientRackConfig.KUBERNETES_CA_PATH, RACK_LOCATIONS),
      Map.entry(ResilientRackConfig.KUBERNETES_TIMEOUT_MS, "bounded by resilient.kafka.rack-timeout, the whole"
          + " discovery's deadline"),
      Map.entry(ResilientRackConfig.METADATA_TIMEOUT_MS, "bounded by resilient.kafka.rack-timeout, the whole"
          + " discovery's deadline"),
      Map.entry(ResilientRackConfig.CLOUD_ENABLED, RACK_LOCATIONS),
      Map.entry(ResilientRackConfig.AWS_URL, RACK_LOCATIONS),
      Map.entry(ResilientRackConfig.GCP_URL, RACK_LOCATIONS),
      Map.entry(ResilientRackConfig.AZURE_URL, RACK_LOCATIONS));

  private ClientKeys() {}

  /**
   * The client keys of {@code mappings} from {@code properties}, then the pass-through {@code
   * resilient.kafka.properties} entries {@code passed} accepts (they win).
   */
  static Map<String, Object> keys(ResilientKafkaProperties properties, List<Mapping> mappings, Predicate<String> passed) {
    Map<String, Object> keys = new HashMap<>();
    for (Mapping mapping : mappings) {
      Object value = mapping.value().apply(properties);
      if (value != null) {
        keys.put(mapping.key(), value);
      }
    }
    properties.properties().forEach((key, value) -> {
      if (passed.test(key)) {
        keys.put(key, value);
      }
    });
    return keys;
  }

  private static long millis(Duration duration) {
    return duration.toMillis();
  }

  private static @Nullable String text(@Nullable String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }
}
