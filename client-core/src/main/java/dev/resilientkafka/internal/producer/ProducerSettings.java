package dev.resilientkafka.internal.producer;

import static dev.resilientkafka.ResilientProducerConfig.*;

import dev.resilientkafka.OverflowPolicy;
import dev.resilientkafka.ResilientBootstrapConfig;
import dev.resilientkafka.ResilientConsumerConfig;
import dev.resilientkafka.ResilientProducerConfig;
import dev.resilientkafka.ResilientRackConfig;
import dev.resilientkafka.internal.config.ParsedConfig;
import dev.resilientkafka.internal.spool.FsyncPolicy;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;

/**
 * The {@code resilient.*} settings parsed and checked with their definition ({@link
 * ResilientProducerConfig#configDef()}), and the inner producer's Kafka configuration with the durability
 * settings forced. Immutable.
 */
public final class ProducerSettings {
  /**
   * Kafka's default is 30 s. A leader that hangs without closing its connections (a frozen node, a network
   * drop) answers nothing: its partitions' requests in flight hold every later batch of those partitions
   * until they time out, long after the controller fenced it and named a new leader (9 s by default).
   * Timing them out after 15 s sends them to the new leader 15 s sooner, and stays above the fencing time:
   * an acks=all write waiting for a hung follower to leave the ISR (up to that 9 s) is not cut short.
   * What it gives up: a follower that is slow but not fenced can hold acks=all writes up to
   * {@code replica.lag.time.max.ms} (30 s), and a request timed out meanwhile drops the connection to the
   * leader and is sent again (written once: retries are idempotent; Kafka advises a timeout above that lag
   * to avoid duplicates, which idempotence rules out). Only where the inner producer is idempotent.
   */
  static final int DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
  private static final int KAFKA_DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
  private static final int KAFKA_DEFAULT_LINGER_MS = 5;
  private static final long KAFKA_DEFAULT_BUFFER_MEMORY = 32L * 1024 * 1024;
  private static final long KAFKA_DEFAULT_MAX_BLOCK_MS = 60_000L;
  /**
   * Kafka disables partition avoidance by default ({@code partitioner.availability.timeout.ms=0}); the
   * inner producer gets a second unless the application set it, so that Kafka's partitioner moves keyless
   * records off a partition whose broker stopped taking them.
   */
  private static final long DEFAULT_PARTITION_AVAILABILITY_MS = 1_000;

  final Duration deliveryTimeout;
  final int maxRecords;
  final long maxBytes;
  final OverflowPolicy overflowPolicy;
  final Duration blockTimeout;
  final @Nullable String recordIdHeader;
  final boolean availabilityMode;
  final Duration retryBackoff;
  final Duration retryBackoffMax;
  /** Kafka's {@code batch.size}: the room a transaction's commit keeps free in the inner producer. */
  final int batchSize;
  /** {@code partitioner.ignore.keys}: keyed records are spread like keyless ones. */
  final boolean ignoreKeys;
  /** State of a topic without records for this long is dropped. */
  final Duration topicIdle;
  /** The durable spool's directory, or null without a spool. */
  final java.nio.file.@Nullable Path spoolDir;
  final long spoolMaxBytes;
  final FsyncPolicy spoolFsync;
  /** {@code transactional.id}; null for a producer without transactions. */
  final @Nullable String transactionalId;
  /**
   * How long {@code initTransactions}, {@code commitTransaction} and {@code abortTransaction} wait: the
   * user's {@code max.block.ms} (Kafka's default 60 s), as {@code KafkaProducer} bounds them.
   */
  final Duration transactionCallTimeout;
  /** Kafka keys only (serializer keys removed), for the inner producer. */
  final Map<String, Object> innerConfig;
  /** Kafka keys only, before forcing, for admin clients and the serializers' {@code configure}. */
  final Map<String, Object> userKafkaConfig;

  /** The producer's {@code resilient.*} keys: {@link ResilientProducerConfig#configDef()}. */
  private static final ConfigDef DEFINITION = ResilientProducerConfig.configDef();
  /** The other clients' key families: a map shared between clients may carry them. */
  private static final List<String> OTHER_PREFIXES =
      List.of(ResilientBootstrapConfig.PREFIX, ResilientConsumerConfig.PREFIX, ResilientRackConfig.PREFIX);

  private ProducerSettings(Map<String, Object> config) {
    rejectUnknownKeys(config);
    Map<String, Object> kafka = new HashMap<>(config);
    kafka.keySet().removeIf(key -> key.startsWith("resilient."));
    this.userKafkaConfig = Map.copyOf(kafka);
    ParsedConfig values = ParsedConfig.parse(DEFINITION, config);
    this.availabilityMode = values.getBoolean(AVAILABILITY_MODE);
    // Kafka's own keys stand in for ours when only they are given
    this.deliveryTimeout = Duration.ofMillis(values.isSet(DELIVERY_TIMEOUT_MS) ? values.getLong(DELIVERY_TIMEOUT_MS)
        : positive(config, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, DEFAULT_DELIVERY_TIMEOUT_MS));
    this.maxRecords = values.getInt(BUFFER_MAX_RECORDS);
    this.maxBytes = values.getLong(BUFFER_MAX_BYTES);
    this.overflowPolicy = OverflowPolicy.valueOf(
        java.util.Objects.requireNonNull(values.getString(BUFFER_OVERFLOW_POLICY)).toUpperCase(Locale.ROOT));
    this.blockTimeout = Duration.ofMillis(values.isSet(BUFFER_BLOCK_MS) ? values.getLong(BUFFER_BLOCK_MS)
        : nonNegative(config, ProducerConfig.MAX_BLOCK_MS_CONFIG, DEFAULT_BUFFER_BLOCK_MS));
    this.recordIdHeader = values.getNonBlankString(RECORD_ID_HEADER);
    this.retryBackoff = Duration.ofMillis(values.getLong(RETRY_BACKOFF_MS));
    this.retryBackoffMax = Duration.ofMillis(values.getLong(RETRY_BACKOFF_MAX_MS));
    if (retryBackoffMax.compareTo(retryBackoff) < 0) {
      throw new ConfigException(RETRY_BACKOFF_MAX_MS, retryBackoffMax.toMillis(),
          "must be >= " + RETRY_BACKOFF_MS + " (" + retryBackoff.toMillis() + ")");
    }
    this.batchSize = (int) Math.max(1, longValue(kafka, ProducerConfig.BATCH_SIZE_CONFIG, 16_384));
    this.ignoreKeys = bool(kafka, ProducerConfig.PARTITIONER_IGNORE_KEYS_CONFIG, false);
    this.topicIdle = Duration.ofMillis(values.getLong(TOPIC_IDLE_MS));
    String dir = values.getNonBlankString(SPOOL_DIR);
    this.spoolDir = dir == null ? null : java.nio.file.Path.of(dir);
    this.spoolMaxBytes = values.getLong(SPOOL_MAX_BYTES);
    this.spoolFsync = FsyncPolicy.parse(java.util.Objects.requireNonNull(values.getString(SPOOL_FSYNC)));
    Object transactional = kafka.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
    this.transactionalId = transactional == null ? null : transactional.toString();
    this.transactionCallTimeout = Duration.ofMillis(nonNegative(kafka, ProducerConfig.MAX_BLOCK_MS_CONFIG,
        KAFKA_DEFAULT_MAX_BLOCK_MS));
    if (transactionalId != null && spoolDir != null) {
      throw new ConfigException(SPOOL_DIR, spoolDir.toString(), "a transaction cannot outlive its producer, and the "
          + "spool sends records again after a restart: remove " + SPOOL_DIR + " or " + ProducerConfig.TRANSACTIONAL_ID_CONFIG);
    }
    if (transactionalId != null && availabilityMode) {
      throw new ConfigException(AVAILABILITY_MODE, "true", "transactions need acks=all and "
          + "idempotence; remove " + ProducerConfig.TRANSACTIONAL_ID_CONFIG + " or set " + AVAILABILITY_MODE + "=false");
    }
    this.innerConfig = Map.copyOf(innerConfig(kafka));
  }

  /** Parses {@code config} (Kafka and {@code resilient.*} keys; bootstrap keys already handled). */
  public static ProducerSettings parse(Map<String, Object> config) {
    return new ProducerSettings(config);
  }

  public boolean availabilityMode() {
    return availabilityMode;
  }

  /** Whether {@code transactional.id} is set. */
  public boolean transactional() {
    return transactionalId != null;
  }

  private Map<String, Object> innerConfig(Map<String, Object> kafka) {
    rejectUnsupported(kafka, ProducerConfig.PARTITIONER_CLASS_CONFIG,
        "a custom partitioner is not supported yet: the producer partitions itself (murmur2 of the key, like Kafka's default)");
    rejectUnsupported(kafka, ProducerConfig.INTERCEPTOR_CLASSES_CONFIG,
        "producer interceptors are not supported yet");
    Map<String, Object> inner = new HashMap<>(kafka);
    inner.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
    inner.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
    inner.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    inner.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    if (!availabilityMode) {
      requireIfSet(kafka, ProducerConfig.ACKS_CONFIG, "all", "all", "-1");
      requireIfSet(kafka, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true", "true");
      inner.put(ProducerConfig.ACKS_CONFIG, "all");
      inner.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    }
    Object retries = kafka.get(ProducerConfig.RETRIES_CONFIG);
    if (retries != null && parseLong(ProducerConfig.RETRIES_CONFIG, retries) < Integer.MAX_VALUE) {
      throw new ConfigException(ProducerConfig.RETRIES_CONFIG, retries,
          "must be " + Integer.MAX_VALUE + " or unset: the producer retries until " + DELIVERY_TIMEOUT_MS);
    }
    inner.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
    long inFlight = longValue(kafka, ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    if (inFlight < 1 || inFlight > 5) {
      throw new ConfigException(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, inFlight,
          "accepted values are 1 to 5 (idempotent ordering)");
    }
    long linger = longValue(kafka, ProducerConfig.LINGER_MS_CONFIG, KAFKA_DEFAULT_LINGER_MS);
    if (idempotent(kafka)) {
      inner.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, DEFAULT_REQUEST_TIMEOUT_MS);
    }
    long requestTimeout = longValue(inner, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, KAFKA_DEFAULT_REQUEST_TIMEOUT_MS);
    if (deliveryTimeout.toMillis() < linger + requestTimeout) {
      throw new ConfigException(DELIVERY_TIMEOUT_MS, deliveryTimeout.toMillis(),
          "must be >= linger.ms + request.timeout.ms (" + (linger + requestTimeout) + ")");
    }
    inner.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, deliveryTimeout.toMillis()));
    // KAFKA-3539: the inner send() must never block; missing metadata and a full accumulator then fail
    // synchronously and the record waits in this producer's queue instead.
    inner.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 0L);
    long memory = longValue(kafka, ProducerConfig.BUFFER_MEMORY_CONFIG, KAFKA_DEFAULT_BUFFER_MEMORY);
    long batchSize = longValue(kafka, ProducerConfig.BATCH_SIZE_CONFIG, 16_384);
    // per-record batch overhead and half-filled batches: Kafka's pool must not be the bound that bites
    inner.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Math.max(memory, 2 * maxBytes + 64 * batchSize));
    inner.putIfAbsent(ProducerConfig.PARTITIONER_AVAILABILITY_TIMEOUT_MS_CONFIG, DEFAULT_PARTITION_AVAILABILITY_MS);
    return inner;
  }

  /**
   * Whether the inner producer is idempotent: always outside availability mode; in it, as Kafka decides
   * when {@code enable.idempotence} is not false (acks all, or unset).
   */
  private boolean idempotent(Map<String, Object> kafka) {
    if (!availabilityMode) {
      return true;
    }
    Object idempotence = kafka.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG);
    Object acks = kafka.get(ProducerConfig.ACKS_CONFIG);
    return (idempotence == null || !"false".equalsIgnoreCase(idempotence.toString().strip()))
        && (acks == null || List.of("all", "-1").contains(acks.toString().strip().toLowerCase(Locale.ROOT)));
  }

  /** A misspelt key must not silently leave a default in force (e.g. an unbounded-looking buffer). */
  private static void rejectUnknownKeys(Map<String, Object> config) {
    for (Map.Entry<String, Object> entry : config.entrySet()) {
      String key = entry.getKey();
      if (key.startsWith("resilient.") && !DEFINITION.names().contains(key)
          && OTHER_PREFIXES.stream().noneMatch(key::startsWith)) {
        throw new ConfigException(key, entry.getValue(),
            "unknown resilient-kafka producer setting; accepted keys are " + new java.util.TreeSet<>(DEFINITION.names()));
      }
    }
  }

  private static void rejectUnsupported(Map<String, Object> kafka, String key, String reason) {
    Object value = kafka.get(key);
    if (value == null || value.toString().isBlank() || (value instanceof java.util.List<?> list && list.isEmpty())) {
      return;
    }
    throw new ConfigException(key, value, reason + "; remove " + key);
  }

  private static void requireIfSet(Map<String, Object> kafka, String key, String shown, String... accepted) {
    Object value = kafka.get(key);
    if (value == null) {
      return;
    }
    String text = value.toString().trim().toLowerCase(Locale.ROOT);
    for (String ok : accepted) {
      if (ok.equals(text)) {
        return;
      }
    }
    throw new ConfigException(key, value, "accepted values are " + String.join(", ", accepted)
        + " (durability is forced; set " + AVAILABILITY_MODE + "=true to trade it for availability)");
  }

  private static boolean bool(Map<String, Object> config, String key, boolean fallback) {
    Object value = config.get(key);
    if (value == null) {
      return fallback;
    }
    String text = value.toString().trim().toLowerCase(Locale.ROOT);
    if (text.equals("true") || text.equals("false")) {
      return Boolean.parseBoolean(text);
    }
    throw new ConfigException(key, value, "accepted values are true, false");
  }

  private static long positive(Map<String, Object> config, String key, long fallback) {
    long value = longValue(config, key, fallback);
    if (value <= 0) {
      throw new ConfigException(key, value, "must be > 0");
    }
    return value;
  }

  private static long nonNegative(Map<String, Object> config, String key, long fallback) {
    long value = longValue(config, key, fallback);
    if (value < 0) {
      throw new ConfigException(key, value, "must be >= 0");
    }
    return value;
  }

  private static long longValue(Map<String, Object> config, String key, long fallback) {
    Object value = config.get(key);
    return value == null ? fallback : parseLong(key, value);
  }

  private static long parseLong(String key, Object value) {
    if (value instanceof Number number) {
      return number.longValue();
    }
    if (value instanceof Duration duration) {
      return duration.toMillis();
    }
    try {
      return Long.parseLong(value.toString().trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key, value, "must be a whole number");
    }
  }
}
