package dev.resilientkafka;

import dev.resilientkafka.internal.bootstrap.ClientBootstrap;
import dev.resilientkafka.internal.producer.ProducerCore;
import dev.resilientkafka.internal.producer.ProducerSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.serialization.Serializer;
import org.jspecify.annotations.Nullable;

/**
 * A drop-in {@link Producer} that does not lose what the application handed over while brokers are
 * down: {@code acks=all} and idempotence are forced, {@code send()} never blocks on metadata or a full
 * Kafka buffer, records wait in a bounded buffer (records and bytes, {@link OverflowPolicy} when full)
 * until the cluster takes them, per-partition (so per-key) order is kept, and every record's callback
 * and future complete exactly once, failures with a {@link DeliveryFailedException} naming the {@link
 * FailureCause}.
 *
 * <p>Build with {@link #builder()} or {@link #create(Map)} from Kafka-style properties: Kafka's producer
 * keys plus the {@code resilient.*} keys of {@link ResilientProducerConfig} and the bootstrap keys of
 * {@link ResilientBootstrapConfig}. Each record carries a printable id header (a ULID; {@link
 * ResilientProducerConfig#RECORD_ID_HEADER}) unless turned off.
 *
 * <p>Differences from {@code KafkaProducer}: transactions throw {@link UnsupportedOperationException};
 * {@code partitioner.class} and {@code interceptor.classes} are rejected; under {@link
 * OverflowPolicy#FAIL} a full buffer makes {@code send()} throw.
 *
 * <p>Thread-safe, like {@code KafkaProducer}: share one instance between threads.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class ResilientProducer<K, V> implements Producer<K, V> {
  static {
    // before anything of this client resolves a broker name: the JVM fixes its name cache policy then
    JvmDnsCache.guardDefault();
  }

  private final ProducerCore<K, V> core;

  private ResilientProducer(Builder<K, V> builder) {
    this.core = new ProducerCore<>(builder.config, builder.keySerializer, builder.valueSerializer,
        builder.listeners, ClientBootstrap::configure);
    core.buffer().reoffer().registerFor(this);
    core.start(listener -> listener.onStart(this));
  }

  /** A builder with no configuration yet; {@code bootstrap.servers} or a bootstrap key is required. */
  public static <K, V> Builder<K, V> builder() {
    return new Builder<>();
  }

  /**
   * A producer from Kafka-style properties; serializers from {@code key.serializer} and {@code
   * value.serializer}.
   *
   * @throws ConfigException when a setting is invalid or weakens durability (names the key)
   */
  public static <K, V> ResilientProducer<K, V> create(Map<String, ?> config) {
    return ResilientProducer.<K, V>builder().config(config).build();
  }

  /**
   * Checks a configuration as {@link Builder#build()} would, without resolving or connecting anything: the
   * {@code resilient.*} keys (an unknown one under the producer's or the bootstrap's prefix included) and
   * the Kafka keys the producer manages (for example {@code acks=1} without {@link
   * ResilientProducerConfig#AVAILABILITY_MODE}). For frameworks that build producers later and want a bad
   * setting to fail at start-up.
   *
   * @throws ConfigException naming the key and the accepted values
   */
  public static void checkConfig(Map<String, ?> config) {
    Map<String, Object> copy = new HashMap<>(config);
    ClientBootstrap.check(copy);
    ProducerSettings.parse(copy);
  }

  /** As {@link #create(Map)} from {@link Properties}. */
  public static <K, V> ResilientProducer<K, V> create(Properties config) {
    Map<String, Object> map = new HashMap<>();
    config.stringPropertyNames().forEach(name -> map.put(name, config.getProperty(name)));
    return create(map);
  }

  /**
   * Accepts the record; the returned future and the callback complete once, when Kafka acknowledged it
   * or it failed for good ({@link DeliveryFailedException}).
   *
   * @throws IllegalStateException after {@link #close}
   * @throws org.apache.kafka.common.errors.SerializationException when the key or value cannot be serialized
   * @throws DeliveryFailedException when the buffer is full under {@link OverflowPolicy#FAIL}
   */
  @Override
  public Future<RecordMetadata> send(ProducerRecord<K, V> record, @Nullable Callback callback) {
    return core.send(Objects.requireNonNull(record, "record"), callback);
  }

  @Override
  public Future<RecordMetadata> send(ProducerRecord<K, V> record) {
    return send(record, null);
  }

  /** Waits until every buffered record has been handed to Kafka, then until Kafka completed them. */
  @Override
  public void flush() {
    core.flush();
  }

  /** The topic's partitions; waits for metadata up to the block timeout like {@code KafkaProducer}. */
  @Override
  public List<PartitionInfo> partitionsFor(String topic) {
    return core.partitionsFor(topic);
  }

  @Override
  public Map<MetricName, ? extends Metric> metrics() {
    return core.inner().metrics();
  }

  @Override
  public Uuid clientInstanceId(Duration timeout) {
    return core.inner().clientInstanceId(timeout);
  }

  @Override
  public void registerMetricForSubscription(KafkaMetric metric) {
    core.inner().registerMetricForSubscription(metric);
  }

  @Override
  public void unregisterMetricFromSubscription(KafkaMetric metric) {
    core.inner().unregisterMetricFromSubscription(metric);
  }

  /** Closes without a time bound, like {@link org.apache.kafka.clients.producer.KafkaProducer#close()}. */
  @Override
  public void close() {
    close(Duration.ofDays(365));
  }

  /**
   * Stops accepting records, delivers what it can within {@code timeout}, and fails every record left
   * with {@link FailureCause#CLOSED} (callback, future and listener told).
   */
  @Override
  public void close(Duration timeout) {
    core.close(timeout);
  }

  /** This producer's {@code client.id} (generated when not configured). */
  public String clientId() {
    return core.clientId();
  }

  /** Records accepted and not yet completed. */
  public long bufferedRecords() {
    return core.buffer().bufferedRecords();
  }

  /** Serialized bytes (keys, values, headers) of the records accepted and not yet completed. */
  public long bufferedBytes() {
    return core.buffer().bufferedBytes();
  }

  /** Time since the oldest record not yet completed was accepted; zero when there is none. */
  public Duration oldestBufferedAge() {
    return core.buffer().oldestBufferedAge();
  }

  /** The durable spool's state ({@link ResilientProducerConfig#SPOOL_DIR}); empty without a spool. */
  public java.util.Optional<SpoolStatus> spoolStatus() {
    return core.spoolStatus();
  }

  /** Partitions of the topics written to whose ISR was below {@code min.insync.replicas} last seen. */
  public int partitionsBelowMinIsr() {
    return core.buffer().partitionsBelowMinIsr();
  }

  /** Whether the availability-first mode ({@link ResilientProducerConfig#AVAILABILITY_MODE}) is on. */
  public boolean availabilityMode() {
    return core.availabilityMode();
  }

  private static UnsupportedOperationException noTransactions() {
    return new UnsupportedOperationException("ResilientProducer does not support transactions yet; "
        + "use a KafkaProducer with transactional.id for transactional writes");
  }

  /** Not supported yet. @throws UnsupportedOperationException always */
  @Override
  public void initTransactions() {
    throw noTransactions();
  }

  /** Not supported yet. @throws UnsupportedOperationException always */
  @Override
  public void beginTransaction() {
    throw noTransactions();
  }

  /** Not supported yet. @throws UnsupportedOperationException always */
  @Override
  public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets,
      ConsumerGroupMetadata groupMetadata) {
    throw noTransactions();
  }

  /** Not supported yet. @throws UnsupportedOperationException always */
  @Override
  public void commitTransaction() {
    throw noTransactions();
  }

  /** Not supported yet. @throws UnsupportedOperationException always */
  @Override
  public void abortTransaction() {
    throw noTransactions();
  }

  /**
   * Configures a {@link ResilientProducer}: Kafka keys and {@code resilient.*} keys, typed shortcuts for
   * the latter, serializers and listeners. Not thread-safe; {@link #build()} copies what it holds.
   *
   * @param <K> key type
   * @param <V> value type
   */
  public static final class Builder<K, V> {
    private final Map<String, Object> config = new HashMap<>();
    private final List<ProducerListener> listeners = new ArrayList<>();
    private @Nullable Serializer<K> keySerializer;
    private @Nullable Serializer<V> valueSerializer;

    private Builder() {}

    /** Adds every entry (Kafka keys, {@code resilient.*} keys). */
    public Builder<K, V> config(Map<String, ?> entries) {
      entries.forEach(this::config);
      return this;
    }

    /** Sets one configuration key. */
    public Builder<K, V> config(String key, Object value) {
      config.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value of " + key));
      return this;
    }

    /** {@code bootstrap.servers}. */
    public Builder<K, V> bootstrapServers(String servers) {
      return config("bootstrap.servers", servers);
    }

    /** Serializers used as given (not configured by the producer, closed with it). */
    public Builder<K, V> serializers(Serializer<K> key, Serializer<V> value) {
      this.keySerializer = Objects.requireNonNull(key, "key serializer");
      this.valueSerializer = Objects.requireNonNull(value, "value serializer");
      return this;
    }

    /** {@link ResilientProducerConfig#BUFFER_MAX_RECORDS}. */
    public Builder<K, V> bufferMaxRecords(int records) {
      return config(ResilientProducerConfig.BUFFER_MAX_RECORDS, records);
    }

    /** {@link ResilientProducerConfig#BUFFER_MAX_BYTES}. */
    public Builder<K, V> bufferMaxBytes(long bytes) {
      return config(ResilientProducerConfig.BUFFER_MAX_BYTES, bytes);
    }

    /** {@link ResilientProducerConfig#BUFFER_OVERFLOW_POLICY}. */
    public Builder<K, V> overflowPolicy(OverflowPolicy policy) {
      return config(ResilientProducerConfig.BUFFER_OVERFLOW_POLICY, policy.name());
    }

    /** {@link ResilientProducerConfig#BUFFER_BLOCK_MS}. */
    public Builder<K, V> blockTimeout(Duration timeout) {
      return config(ResilientProducerConfig.BUFFER_BLOCK_MS, timeout.toMillis());
    }

    /** {@link ResilientProducerConfig#DELIVERY_TIMEOUT_MS}. */
    public Builder<K, V> deliveryTimeout(Duration timeout) {
      return config(ResilientProducerConfig.DELIVERY_TIMEOUT_MS, timeout.toMillis());
    }

    /** {@link ResilientProducerConfig#RECORD_ID_HEADER}; an empty name turns the header off. */
    public Builder<K, V> recordIdHeader(String name) {
      return config(ResilientProducerConfig.RECORD_ID_HEADER, name);
    }

    /** Adds a listener (metrics are one: {@code dev.resilientkafka.metrics.MicrometerProducerMetrics}). */
    public Builder<K, V> listener(ProducerListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Builds and starts the producer.
     *
     * @throws ConfigException when a setting is invalid (names the key and the accepted values)
     */
    public ResilientProducer<K, V> build() {
      return new ResilientProducer<>(this);
    }
  }
}
