package dev.resilientkafka.benchmarks;

import dev.resilientkafka.ResilientProducer;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The two producers compared, built so that every benchmark runs the same code against either: {@link
 * ResilientProducer} with its defaults, and its tuned twin, a {@link KafkaProducer} given the same
 * settings wherever Kafka has one (acks, idempotence, delivery and request timeouts, the rebootstrap and
 * reconnect settings the library applies, the {@code buffer.memory} it gives its inner producer, the same
 * bootstrap list). Only {@code max.block.ms} has no
 * counterpart: the library's {@code send()} does not wait for metadata, the twin keeps Kafka's 60 s.
 */
public enum ClientKind {
  /** The tuned twin: {@link KafkaProducer} configured as a user who knows Kafka would for this job. */
  PLAIN,
  /** {@link ResilientProducer} with default settings. */
  RESILIENT;

  /** Timeout of one request, both clients (Kafka's default is 30 s, the library's 15 s). */
  static final int REQUEST_TIMEOUT_MS = 10_000;
  /** The library's default delivery timeout, given to the twin too. */
  static final int DELIVERY_TIMEOUT_MS = 600_000;

  /** The lower-case name used in arguments, tables and charts. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * A producer of this kind.
   *
   * @param bootstrapServers {@code bootstrap.servers}
   * @param clientId {@code client.id}
   * @param extra further Kafka settings for both kinds (for {@link #RESILIENT} also {@code resilient.*})
   */
  public Producer<byte[], byte[]> create(String bootstrapServers, String clientId, Map<String, Object> extra) {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, REQUEST_TIMEOUT_MS);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, DELIVERY_TIMEOUT_MS);
    if (this == PLAIN) {
      config.putAll(twinSettings());
      config.putAll(extra);
      return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }
    config.putAll(extra);
    return ResilientProducer.<byte[], byte[]>builder()
        .config(config)
        .serializers(new ByteArraySerializer(), new ByteArraySerializer())
        .build();
  }

  /**
   * The library raises its inner producer's {@code buffer.memory} to twice its own byte bound plus 64
   * batches (so that half-filled batches never make Kafka's pool the bound): 2 x 32 MiB + 64 x 16 KiB.
   */
  static final long INNER_BUFFER_MEMORY = 2L * 32 * 1024 * 1024 + 64L * 16_384;

  /** What the library sets (or forces) on its inner producer, set by hand on the twin. */
  static Map<String, Object> twinSettings() {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, INNER_BUFFER_MEMORY);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put("metadata.recovery.strategy", "rebootstrap");
    config.put("metadata.recovery.rebootstrap.trigger.ms", 10_000);
    config.put(ProducerConfig.RECONNECT_BACKOFF_MS_CONFIG, 100);
    config.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
    config.put(ProducerConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, 2_000);
    config.put(ProducerConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, 5_000);
    config.put(ProducerConfig.PARTITIONER_AVAILABILITY_TIMEOUT_MS_CONFIG, 1_000);
    return config;
  }

  /**
   * The kind named {@code label} ({@code plain} or {@code resilient}, any case).
   *
   * @throws IllegalArgumentException for any other name
   */
  public static ClientKind of(String label) {
    for (ClientKind kind : values()) {
      if (kind.label().equalsIgnoreCase(label)) {
        return kind;
      }
    }
    throw new IllegalArgumentException("Invalid value " + label + " for client: must be plain or resilient");
  }
}
