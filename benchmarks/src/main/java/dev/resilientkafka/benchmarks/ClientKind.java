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
 * The two producers compared, built from the same settings so that every benchmark runs the same code
 * against either: Kafka's {@link KafkaProducer} with its defaults plus {@code acks=all}, and {@link
 * ResilientProducer} (which forces {@code acks=all} and idempotence itself).
 */
public enum ClientKind {
  /** {@link KafkaProducer} with default settings and {@code acks=all}. */
  PLAIN,
  /** {@link ResilientProducer} with default settings. */
  RESILIENT;

  /** The lower-case name used in JMH parameters, tables and charts. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * A producer of this kind.
   *
   * @param bootstrapServers {@code bootstrap.servers}
   * @param clientId {@code client.id}
   * @param extra further Kafka (or, for {@link #RESILIENT}, {@code resilient.*}) settings
   */
  public Producer<byte[], byte[]> create(String bootstrapServers, String clientId, Map<String, Object> extra) {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.putAll(extra);
    if (this == PLAIN) {
      return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }
    return ResilientProducer.<byte[], byte[]>builder()
        .config(config)
        .serializers(new ByteArraySerializer(), new ByteArraySerializer())
        .build();
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
