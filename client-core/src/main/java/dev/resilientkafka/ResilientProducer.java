package dev.resilientkafka;

import dev.resilientkafka.internal.bootstrap.ClientBootstrap;
import dev.resilientkafka.internal.producer.ProducerCore;
import dev.resilientkafka.internal.producer.ProducerSettings;
import dev.resilientkafka.internal.producer.TransactionCoordinator;
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
 * <p>Differences from {@code KafkaProducer}: {@code partitioner.class} and {@code interceptor.classes}
 * are rejected; under {@link OverflowPolicy#FAIL} a full buffer makes {@code send()} throw;
 * {@code partitioner.availability.timeout.ms} defaults to 1000 instead of 0, so keyless records (whose
 * partition Kafka's built-in partitioner chooses, as for a plain producer) move off a partition whose
 * broker stopped taking them within a second; {@code request.timeout.ms} defaults to 15000 instead of
 * 30000 (where the producer is idempotent), so records for a partition whose leader hangs without
 * closing its connections (a frozen node) reach the new leader about 15 s after the hang instead of 30 s.
 *
 * <p><b>Transactions</b> ({@code transactional.id} set) work as on {@code KafkaProducer}: {@link
 * #initTransactions}, {@link #beginTransaction}, {@code send}, {@link #sendOffsetsToTransaction}, {@link
 * #commitTransaction}, {@link #abortTransaction}; Spring's {@code KafkaTransactionManager} and {@code
 * executeInTransaction} drive them unchanged. What holds in transactional mode:
 * <ul>
 *   <li>{@code send()} never blocks on metadata or a full Kafka buffer: a record Kafka would refuse waits,
 *       in send order, and is handed over before the commit is asked of the coordinator. (A plain
 *       transactional {@code KafkaProducer} blocks up to {@code max.block.ms} there, and a record it
 *       refuses makes the whole transaction abortable.)
 *   <li>Every record's future and callback complete exactly once, failures with a {@link
 *       DeliveryFailedException} naming the {@link FailureCause} ({@link FailureCause#FENCED} and {@link
 *       FailureCause#ABORTED} are the transactional ones) and {@link DeliveryFailedException.Recovery}
 *       {@code ABORT_TRANSACTION} (or {@code CLOSE_PRODUCER} when fenced). When {@code commitTransaction()}
 *       returns, every callback of the transaction has run.
 *   <li>{@code initTransactions}, {@code commitTransaction} and {@code abortTransaction} wait at most
 *       {@code max.block.ms} (default 60 s), as Kafka's do, and fail with a {@link DeliveryFailedException}
 *       naming the cause (ISR below {@code min.insync.replicas}, brokers unreachable, names unresolved,
 *       fenced, timed out) and the {@link DeliveryFailedException#recovery() recovery}: {@code RETRY} the
 *       same call, {@code ABORT_TRANSACTION}, or {@code CLOSE_PRODUCER}, with a cause of the matching
 *       KIP-1050 class ({@code RetriableException}, {@code TransactionAbortableException}, {@code
 *       ApplicationRecoverableException}).
 *   <li>{@code commitTransaction()} first waits until every record of the transaction was acknowledged,
 *       then asks the coordinator. A commit whose records are not acknowledged in time (two of three
 *       brokers down, say) therefore fails as {@code ABORT_TRANSACTION} with the records' cause, before
 *       the coordinator was asked, and {@code abortTransaction()} may follow (Kafka would only allow
 *       repeating the commit). A commit the coordinator does not answer in time fails as {@code RETRY}
 *       and, as in Kafka, only the commit may be repeated.
 *   <li>{@code abortTransaction()} fails the records still waiting (never handed to Kafka) with {@link
 *       FailureCause#ABORTED} at once; Kafka fails those it holds with {@code ABORTED} as well, and those
 *       it had already written (their callbacks reported success) are marked aborted: consumers with
 *       {@code isolation.level=read_committed} see none of them.
 * </ul>
 * What does not hold: <b>records do not outlive their transaction.</b> The buffer keeps records only
 * within one transaction; an outage longer than {@code max.block.ms} makes the commit fail, and the
 * application re-sends the transaction's records after aborting (a read-process-write loop re-reads
 * them from the committed offsets); {@code resilient.delivery.timeout.ms} therefore matters little, and
 * the broker aborts a transaction open longer than {@code transaction.timeout.ms}. {@code close()} fails
 * the records still waiting ({@link FailureCause#CLOSED}) and Kafka aborts the open transaction. {@code
 * send()} outside a transaction throws {@link IllegalStateException}, as Kafka does; in a transaction that
 * must be aborted it throws the {@link DeliveryFailedException}. {@code sendOffsetsToTransaction} returns
 * once Kafka has queued the offsets; their failure (a consumer that left its group) is reported by {@code
 * commitTransaction}, not by that call. A record the producer fails itself (dropped by the overflow
 * policy, its deadline passed) dooms the transaction as one Kafka fails does. Records are handed to Kafka
 * one at a time under one lock, so concurrent senders scale less than without transactions.
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
   * or it failed for good ({@link DeliveryFailedException}). As with {@code KafkaProducer}, the callback
   * runs first: when {@code get()} returns, the callback has run and {@link #bufferedRecords()} no longer
   * counts the record. So a callback must not wait on a record's future (its own, or one whose callback
   * waits for it), nor take a lock held by a thread waiting on one: the future completes after the callback.
   *
   * @throws IllegalStateException after {@link #close}; with {@code transactional.id}, outside a transaction
   * @throws org.apache.kafka.common.errors.SerializationException when the key or value cannot be serialized
   * @throws DeliveryFailedException when the buffer is full under {@link OverflowPolicy#FAIL}; in a
   *     transaction that must be aborted ({@link DeliveryFailedException#recovery()})
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
   * with {@link FailureCause#CLOSED} (callback, future and listener told). With a durable spool ({@link
   * ResilientProducerConfig#SPOOL_DIR}) it does not wait for records Kafka has not taken yet: they, and
   * those Kafka did not acknowledge in time, stay in the spool and are sent by the next producer that
   * opens it (their callbacks are told CLOSED, "kept in the spool").
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

  /**
   * Partitions below {@code min.insync.replicas} among the topics whose records are not being acknowledged
   * (waiting, or in flight for longer than a healthy cluster takes); 0 while every topic's records are.
   */
  public int partitionsBelowMinIsr() {
    return core.buffer().partitionsBelowMinIsr();
  }

  /** Whether the availability-first mode ({@link ResilientProducerConfig#AVAILABILITY_MODE}) is on. */
  public boolean availabilityMode() {
    return core.availabilityMode();
  }

  /**
   * Registers {@code transactional.id} with its coordinator: waits for a producer id, and for Kafka to
   * finish a transaction a previous producer with the same id left open (fencing that producer). Call once,
   * before any other transactional method.
   *
   * @throws IllegalStateException without {@code transactional.id}, or when already initialized
   * @throws DeliveryFailedException when it did not complete within {@code max.block.ms} ({@code RETRY}: call
   *     it again; the cause says why, e.g. {@link FailureCause#BROKERS_UNREACHABLE}), or failed for good
   *     ({@code CLOSE_PRODUCER}, e.g. not authorized)
   * @throws org.apache.kafka.common.errors.InterruptException when interrupted while waiting
   */
  @Override
  public void initTransactions() {
    core.transactionCall("initTransactions", TransactionCoordinator::init);
  }

  /**
   * Starts a transaction; every record sent until {@link #commitTransaction} or {@link #abortTransaction}
   * belongs to it. Does not wait for anything.
   *
   * @throws IllegalStateException without {@code transactional.id}, before {@link #initTransactions}, or
   *     while a transaction is open
   * @throws DeliveryFailedException when this producer can no longer be used ({@code CLOSE_PRODUCER})
   */
  @Override
  public void beginTransaction() {
    core.transactionCall("beginTransaction", TransactionCoordinator::begin);
  }

  /**
   * Adds the consumer's offsets to the transaction: committed with it, or not at all. Returns once Kafka has
   * queued them (it sends them before the commit request); a failure of theirs, e.g. a {@code
   * CommitFailedException} because the consumer left its group, makes {@link #commitTransaction} fail with
   * {@code ABORT_TRANSACTION}. {@code KafkaProducer} instead waits here up to {@code max.block.ms} and
   * throws that failure from this call.
   *
   * @throws IllegalStateException without {@code transactional.id} or outside a transaction
   * @throws IllegalArgumentException when {@code groupMetadata} is invalid (as Kafka checks it)
   * @throws DeliveryFailedException when the transaction must be aborted or the producer closed
   */
  @Override
  public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets,
      ConsumerGroupMetadata groupMetadata) {
    Objects.requireNonNull(offsets, "offsets");
    core.transactionCall("sendOffsetsToTransaction", transactions -> transactions.sendOffsets(offsets, groupMetadata));
  }

  /**
   * Commits the transaction: waits until every record of it was handed to Kafka and acknowledged (and its
   * callback ran), then until the coordinator committed, within {@code max.block.ms} in all.
   *
   * @throws IllegalStateException without {@code transactional.id} or outside a transaction
   * @throws DeliveryFailedException naming the cause: a record of the transaction failed, or its records
   *     were not acknowledged in time ({@code ABORT_TRANSACTION}: call {@link #abortTransaction}, then run
   *     the transaction again); the coordinator did not answer in time ({@code RETRY}: only the commit may
   *     be called again); this producer was fenced ({@link FailureCause#FENCED}, {@code CLOSE_PRODUCER})
   * @throws org.apache.kafka.common.KafkaException when called from a callback of this producer
   * @throws org.apache.kafka.common.errors.InterruptException when interrupted while waiting (call it again)
   */
  @Override
  public void commitTransaction() {
    core.transactionCall("commitTransaction", TransactionCoordinator::commit);
  }

  /**
   * Aborts the transaction: records still waiting fail at once with {@link FailureCause#ABORTED}, Kafka
   * fails those it holds and marks those it wrote as aborted, all within {@code max.block.ms}. Consumers
   * with {@code isolation.level=read_committed} see none of the transaction's records.
   *
   * @throws IllegalStateException without {@code transactional.id}, outside a transaction, or after a
   *     commit that timed out at the coordinator (repeat the commit instead, as in Kafka)
   * @throws DeliveryFailedException when the coordinator did not answer in time ({@code RETRY}: call it
   *     again), or the abort failed for good ({@code CLOSE_PRODUCER}, e.g. fenced)
   * @throws org.apache.kafka.common.KafkaException when called from a callback of this producer
   * @throws org.apache.kafka.common.errors.InterruptException when interrupted while waiting (call it again)
   */
  @Override
  public void abortTransaction() {
    core.transactionCall("abortTransaction", TransactionCoordinator::abort);
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
