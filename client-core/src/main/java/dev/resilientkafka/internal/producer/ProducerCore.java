package dev.resilientkafka.internal.producer;

import dev.resilientkafka.DeliveryFailedException;
import dev.resilientkafka.FailureCause;
import dev.resilientkafka.ProducerListener;
import dev.resilientkafka.ResilientProducerConfig;
import dev.resilientkafka.SpoolStatus;
import dev.resilientkafka.internal.cluster.ClusterView;
import dev.resilientkafka.internal.spool.RecoveryReport;
import dev.resilientkafka.internal.spool.Spool;
import dev.resilientkafka.internal.spool.SpoolException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code ResilientProducer} delegates to: serializes with the user's serializers (so bytes and
 * partition are known before hand-off), stamps the record id, and owns the inner producer, the {@link
 * RecordBuffer}, the {@link ClusterHealth} and the bootstrap handle. Thread-safe.
 */
public final class ProducerCore<K, V> {
  private static final Logger log = LoggerFactory.getLogger(ProducerCore.class);
  private static final AtomicInteger CLIENT_IDS = new AtomicInteger();

  private final ProducerSettings settings;
  private final AutoCloseable bootstrap;
  private final Serializer<K> keySerializer;
  private final Serializer<V> valueSerializer;
  private final String clientId;
  private final KafkaProducer<byte[], byte[]> inner;
  private final ClusterView.Membership cluster;
  private final RecordBuffer buffer;
  private final @Nullable TransactionCoordinator transactions;
  private final SafeListener listener;
  private final RecordIds ids = new RecordIds();
  private final AtomicBoolean closed = new AtomicBoolean();

  public ProducerCore(Map<String, Object> userConfig, @Nullable Serializer<K> keySerializer,
      @Nullable Serializer<V> valueSerializer, List<ProducerListener> listeners,
      Function<Map<String, Object>, ? extends AutoCloseable> bootstrapper) {
    Map<String, Object> config = new HashMap<>(userConfig);
    this.bootstrap = bootstrapper.apply(config);
    Serializer<K> key = null;
    Serializer<V> value = null;
    KafkaProducer<byte[], byte[]> innerProducer = null;
    ClusterView.Membership membership = null;
    Spool openedSpool = null;
    try {
      this.settings = ProducerSettings.parse(config);
      Object configuredId = config.get(ProducerConfig.CLIENT_ID_CONFIG);
      this.clientId = configuredId == null || configuredId.toString().isBlank()
          ? "resilient-producer-" + CLIENT_IDS.incrementAndGet() : configuredId.toString();
      key = keySerializer != null ? keySerializer : serializer(config, ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, true);
      value = valueSerializer != null ? valueSerializer : serializer(config, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, false);
      Map<String, Object> innerConfig = new HashMap<>(settings.innerConfig);
      innerConfig.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
      innerProducer = new KafkaProducer<>(innerConfig);
      this.listener = new SafeListener(listeners);
      BufferHolder holder = new BufferHolder();
      membership = ClusterView.join(settings.userKafkaConfig, holder);
      if (settings.spoolDir != null) {
        openedSpool = openSpool(settings);
      }
      this.buffer = new RecordBuffer(settings, innerProducer, membership.view(), new OutcomeReporter(listener), clientId,
          openedSpool);
      this.transactions = settings.transactional() ? new TransactionCoordinator(settings, innerProducer, buffer) : null;
      if (transactions != null) {
        buffer.handOff(transactions);
      }
      holder.transactions = transactions;
      holder.buffer = buffer;
    } catch (RuntimeException e) {
      closeQuietly(openedSpool);
      closeQuietly(membership);
      if (innerProducer != null) {
        innerProducer.close(Duration.ZERO);
      }
      closeQuietly(keySerializer == null ? key : null);
      closeQuietly(valueSerializer == null ? value : null);
      closeQuietly(bootstrap);
      throw e;
    }
    this.keySerializer = key;
    this.valueSerializer = value;
    this.inner = innerProducer;
    this.cluster = membership;
    if (settings.availabilityMode()) {
      log.warn("{}: {}=true: acks and idempotence are not forced; records can be lost or duplicated "
          + "when brokers fail (availability-first mode)", clientId, ResilientProducerConfig.AVAILABILITY_MODE);
    }
  }

  private Spool openSpool(ProducerSettings settings) {
    java.nio.file.Path dir = java.util.Objects.requireNonNull(settings.spoolDir);
    Spool spool;
    try {
      spool = Spool.open(dir, settings.spoolMaxBytes, settings.spoolFsync);
    } catch (SpoolException e) {
      throw new ConfigException(ResilientProducerConfig.SPOOL_DIR, dir.toString(), e.getMessage());
    }
    RecoveryReport found = spool.recovery();
    if (found.records() > 0 || found.tornTails() > 0) {
      log.info("{}: spool {} holds {} record(s) ({} bytes, the oldest accepted {} s ago) an earlier process did not get"
              + " acknowledged; they are sent first, with their record ids{}", clientId, dir, found.records(),
          found.bytes(), found.oldestAcceptedAtMillis() < 0 ? 0 : (System.currentTimeMillis() - found.oldestAcceptedAtMillis()) / 1000,
          found.tornTails() == 0 ? "" : "; " + found.tornTails() + " torn tail(s) truncated (" + found.tornBytes()
              + " bytes of a record cut short when the process died)");
    } else {
      log.info("{}: spool {} is empty (fsync {})", clientId, dir, settings.spoolFsync);
    }
    return spool;
  }

  /** Starts the buffer, then tells the listeners the producer is ready ({@code started} calls one's {@code onStart}). */
  public void start(java.util.function.Consumer<ProducerListener> started) {
    buffer.start();
    listener.each("onStart", started);
  }

  /** Lets the cluster view ask the buffer before the buffer exists (it is built after joining). */
  private static final class BufferHolder implements ClusterView.Member {
    volatile @Nullable RecordBuffer buffer;
    volatile @Nullable TransactionCoordinator transactions;

    @Override
    public java.util.Collection<String> topics() {
      RecordBuffer current = buffer;
      return current == null ? List.of() : withCoordinator(current.topics());
    }

    @Override
    public java.util.Collection<String> stalledTopics() {
      RecordBuffer current = buffer;
      return current == null ? List.of() : withCoordinator(current.stalledTopics());
    }

    /** Adds the transaction coordinator's topic while a transactional call waits on it. */
    private java.util.Collection<String> withCoordinator(java.util.Collection<String> topics) {
      TransactionCoordinator coordinator = transactions;
      java.util.Collection<String> waiting = coordinator == null ? List.of() : coordinator.stalledTopics();
      if (waiting.isEmpty()) {
        return topics;
      }
      java.util.List<String> all = new java.util.ArrayList<>(topics);
      all.addAll(waiting);
      return all;
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> Serializer<T> serializer(Map<String, Object> config, String key, boolean isKey) {
    Object value = config.get(key);
    if (value == null) {
      throw new ConfigException(key, null, "a serializer class is required (or pass instances to the builder)");
    }
    Serializer<T> serializer;
    try {
      serializer = value instanceof Class<?> type
          ? (Serializer<T>) Utils.newInstance(type, Serializer.class)
          : value instanceof Serializer<?> instance ? (Serializer<T>) instance
          : (Serializer<T>) Utils.newInstance(value.toString().trim(), Serializer.class);
    } catch (ClassNotFoundException | KafkaException | ClassCastException e) {
      throw new ConfigException(key, value, "must name a class implementing " + Serializer.class.getName());
    }
    Map<String, Object> serializerConfig = new HashMap<>(config);
    serializerConfig.keySet().removeIf(k -> k.startsWith("resilient."));
    serializer.configure(serializerConfig, isKey);
    return serializer;
  }

  public Future<RecordMetadata> send(ProducerRecord<K, V> record, @Nullable Callback callback) {
    if (closed.get()) {
      throw new IllegalStateException("Cannot perform operation after producer has been closed");
    }
    // as KafkaProducer does, serializers see (and may add to) the record's own headers
    Headers headers = record.headers();
    byte[] key = serialize(keySerializer, record.topic(), headers, record.key(), "key");
    byte[] value = serialize(valueSerializer, record.topic(), headers, record.value(), "value");
    Header id = settings.recordIdHeader == null ? null : new RecordHeader(settings.recordIdHeader, ids.next());
    if (transactions != null) {
      return transactions.send(callback, enlisted -> buffer.send(record.topic(), record.partition(), key, value,
          headers, id, record.timestamp(), enlisted));
    }
    return buffer.send(record.topic(), record.partition(), key, value, headers, id, record.timestamp(), callback);
  }

  private <T> byte @Nullable [] serialize(Serializer<T> serializer, String topic, Headers headers,
      @Nullable T data, String what) {
    try {
      return serializer.serialize(topic, headers, data);
    } catch (ClassCastException e) {
      listener.onFailed(topic, FailureCause.REJECTED);
      throw new SerializationException("Can't convert " + what + " of class "
          + (data == null ? "null" : data.getClass().getName()) + " with " + serializer.getClass().getName(), e);
    } catch (RuntimeException e) {
      listener.onFailed(topic, FailureCause.REJECTED);
      throw e;
    }
  }

  public void flush() {
    buffer.flush();
  }

  /** Waits up to the block timeout for the topic's partitions, as {@code KafkaProducer} does. */
  public List<PartitionInfo> partitionsFor(String topic) {
    long deadline = System.nanoTime() + settings.blockTimeout.toNanos();
    long pause = 10;
    while (true) {
      try {
        return inner.partitionsFor(topic);
      } catch (TimeoutException e) {
        if (System.nanoTime() - deadline >= 0) {
          throw new TimeoutException("Topic " + topic + " not present in metadata after "
              + settings.blockTimeout.toMillis() + " ms.", e);
        }
      }
      try {
        TimeUnit.MILLISECONDS.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new org.apache.kafka.common.errors.InterruptException(e);
      }
      pause = Math.min(200, pause * 2);
    }
  }

  public Producer<byte[], byte[]> inner() {
    return inner;
  }

  public RecordBuffer buffer() {
    return buffer;
  }

  /** The durable spool's state, or empty without a spool. */
  public java.util.Optional<SpoolStatus> spoolStatus() {
    Spool spool = buffer.spool();
    if (spool == null) {
      return java.util.Optional.empty();
    }
    RecoveryReport found = spool.recovery();
    long oldest = spool.oldestAcceptedAtMillis();
    return java.util.Optional.of(new SpoolStatus(spool.directory(), spool.records(), spool.bytes(),
        settings.spoolMaxBytes, oldest < 0 ? Duration.ZERO : Duration.ofMillis(Math.max(0, System.currentTimeMillis() - oldest)),
        found.records(), found.tornTails()));
  }

  /**
   * Makes a transactional call; a {@link DeliveryFailedException} it throws is told to the listeners first
   * (a transaction can fail without any record failing, e.g. fenced at the commit).
   *
   * @throws IllegalStateException when {@code transactional.id} is not set (Kafka's message)
   */
  public void transactionCall(String operation, Consumer<TransactionCoordinator> call) {
    TransactionCoordinator coordinator = transactions();
    try {
      call.accept(coordinator);
    } catch (DeliveryFailedException e) {
      listener.onTransactionFailed(operation, e.failureCause());
      throw e;
    }
  }

  /**
   * The transactional side.
   *
   * @throws IllegalStateException when {@code transactional.id} is not set (Kafka's message)
   */
  public TransactionCoordinator transactions() {
    if (transactions == null) {
      throw new IllegalStateException("Cannot use transactional methods without enabling transactions by setting "
          + "the transactional.id configuration property");
    }
    return transactions;
  }

  public String clientId() {
    return clientId;
  }

  public boolean availabilityMode() {
    return settings.availabilityMode();
  }

  public void close(Duration timeout) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Duration bounded = timeout.isNegative() ? Duration.ZERO : timeout.compareTo(Duration.ofDays(365)) > 0
        ? Duration.ofDays(365) : timeout;
    try {
      if (transactions != null) {
        transactions.close();
      }
      buffer.close(bounded);
    } finally {
      closeQuietly(buffer.spool());
      closeQuietly(cluster);
      closeQuietly(keySerializer);
      closeQuietly(valueSerializer);
      closeQuietly(bootstrap);
      listener.onClose();
    }
  }

  private static void closeQuietly(@Nullable AutoCloseable closeable) {
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (Exception e) {
      log.warn("closing {} failed", closeable, e);
    }
  }
}
