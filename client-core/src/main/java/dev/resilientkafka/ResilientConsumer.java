package dev.resilientkafka;

import dev.resilientkafka.internal.bootstrap.ClientBootstrap;
import dev.resilientkafka.internal.consumer.ConsumerDiagnostics;
import dev.resilientkafka.internal.consumer.ConsumerSettings;
import dev.resilientkafka.internal.consumer.DuplicateFilter;
import dev.resilientkafka.internal.consumer.FetchLocality;
import dev.resilientkafka.internal.consumer.SafeConsumerListener;
import dev.resilientkafka.internal.rack.RackDiscoveryChain;
import dev.resilientkafka.internal.rack.RackDiscoveryEnvironment;
import dev.resilientkafka.internal.rack.RackDiscoveryResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.clients.consumer.SubscriptionPattern;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.serialization.Deserializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A drop-in {@link Consumer} around a {@link KafkaConsumer} that is bootstrapped from the headless
 * Service, fetches from its own zone, and says why it is stuck.
 *
 * <p>At build time: {@code resilient.bootstrap.*} keys are turned into {@code bootstrap.servers}; {@code
 * client.rack} is taken from the configuration or found by a {@link RackDiscovery} (by default the chain
 * described there, located by the {@code resilient.rack.*} keys); in the background the brokers' racks and
 * {@code replica.selector.class} are checked and a mismatch is logged at WARN with the fix.
 *
 * <p>While running: {@link #fetchedBytesByBroker()} and {@link #sameRackByteShare()} show where records
 * come from; a group coordinator stalled on {@code __consumer_offsets} with too few in-sync replicas is
 * named ({@link #coordinatorStallCause()}, logs, {@link ConsumerListener#onCoordinatorStalled}). With
 * {@code resilient.consumer.dedup.window > 0}, records whose record-id header ({@code
 * resilient.consumer.dedup.header}, default {@code resilient-record-id}) was seen in the same topic and
 * partition among the last that many ids are left out of {@code poll()} and reported to listeners. A
 * partition's ids are forgotten when it is revoked, lost or assigned anew, and when the application seeks
 * in it: Kafka then delivers it again from the committed offset on purpose, and such records are never
 * dropped, so delivery stays at least once. The consumer adds this to the rebalance listener given to
 * {@code subscribe} (the user's callback runs first on revocation).
 *
 * <p>Settings: the {@code resilient.consumer.*} keys of {@link ResilientConsumerConfig}, the bootstrap
 * keys of {@link ResilientBootstrapConfig} and the rack keys of {@link ResilientRackConfig}.
 *
 * <p>Thread-safety: as {@link KafkaConsumer}, one thread at a time except {@link #wakeup()}; the
 * reporting methods ({@link #clientRack()}, {@link #fetchedBytesByBroker()}, {@link #brokerRacks()},
 * {@link #sameRackByteShare()}, {@link #coordinatorStallCause()}) may be called from any thread.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class ResilientConsumer<K, V> implements Consumer<K, V> {
  static {
    // before anything of this client resolves a broker name: the JVM fixes its name cache policy then
    JvmDnsCache.guardDefault();
  }

  private static final Logger LOG = LoggerFactory.getLogger(ResilientConsumer.class);

  private final KafkaConsumer<K, V> inner;
  private final ClientBootstrap bootstrap;
  private final ConsumerDiagnostics diagnostics;
  private final @Nullable DuplicateFilter duplicates;
  private final SafeConsumerListener listener;
  private final @Nullable String rack;

  private ResilientConsumer(KafkaConsumer<K, V> inner, ClientBootstrap bootstrap, ConsumerDiagnostics diagnostics,
      @Nullable DuplicateFilter duplicates, SafeConsumerListener listener, @Nullable String rack) {
    this.inner = inner;
    this.bootstrap = bootstrap;
    this.diagnostics = diagnostics;
    this.duplicates = duplicates;
    this.listener = listener;
    this.rack = rack;
  }

  /** A builder; deserializers come from the builder or from {@code key.deserializer}/{@code value.deserializer}. */
  public static <K, V> Builder<K, V> builder() {
    return new Builder<>();
  }

  /**
   * A consumer from Kafka-style properties alone ({@code resilient.*} keys next to the Kafka keys).
   *
   * @throws ConfigException naming the key, for an invalid setting
   */
  public static <K, V> ResilientConsumer<K, V> create(Map<String, ?> config) {
    return ResilientConsumer.<K, V>builder().config(config).build();
  }

  /**
   * Checks a configuration as {@link Builder#build()} would, without resolving or connecting anything:
   * the {@code resilient.consumer.*}, {@code resilient.rack.*} and {@code resilient.bootstrap.*} keys (an
   * unknown key under those prefixes included). For frameworks that build consumers later and want a bad
   * setting to fail at start-up.
   *
   * @throws ConfigException naming the key and the accepted values
   */
  public static void checkConfig(Map<String, ?> config) {
    Map<String, Object> copy = new HashMap<>(config);
    ConsumerSettings.extract(copy);
    RackDiscoveryEnvironment.fromConfig(copy, Map.of());
    ClientBootstrap.check(copy);
  }

  /** The {@code client.rack} in use, if any. */
  public Optional<String> clientRack() {
    return Optional.ofNullable(rack);
  }

  /** Bytes received from each broker (by id) since start; fetch responses are nearly all of them. */
  public Map<Integer, Long> fetchedBytesByBroker() {
    return FetchLocality.bytesByBroker(inner.metrics());
  }

  /** Each known broker's rack ({@code ""} when it has none); empty until the cluster first answered. */
  public Map<Integer, String> brokerRacks() {
    return diagnostics.brokerRacks();
  }

  /** Share of all bytes received since start that came from brokers in this consumer's rack; NaN without rack or bytes. */
  public double sameRackByteShare() {
    return FetchLocality.sameRackShare(fetchedBytesByBroker(), brokerRacks(), rack);
  }

  /**
   * The stable name of the current group-coordinator stall ({@code offsets_topic_isr_shortfall} or {@code
   * offsets_topic_no_leader}), empty when the coordinator's partition is healthy or the consumer has no group.
   */
  public Optional<String> coordinatorStallCause() {
    return Optional.ofNullable(diagnostics.coordinatorStallCause());
  }

  @Override
  public ConsumerRecords<K, V> poll(Duration timeout) {
    ConsumerRecords<K, V> records = inner.poll(timeout);
    DuplicateFilter filter = duplicates;
    return filter == null ? records : filter.filter(records, (partition, record) -> listener.onDuplicateDropped(record));
  }

  @Override
  public Set<TopicPartition> assignment() {
    return inner.assignment();
  }

  @Override
  public Set<String> subscription() {
    return inner.subscription();
  }

  @Override
  public void subscribe(Collection<String> topics) {
    DuplicateFilter filter = duplicates;
    if (filter == null) {
      inner.subscribe(topics);
    } else {
      inner.subscribe(topics, new ForgetOnRebalance(filter, null));
    }
  }

  @Override
  public void subscribe(Collection<String> topics, ConsumerRebalanceListener callback) {
    inner.subscribe(topics, withDuplicateWindows(callback));
  }

  // partitions leaving or joining the assignment start again from their committed offsets
  @Override
  public void assign(Collection<TopicPartition> partitions) {
    DuplicateFilter filter = duplicates;
    if (filter != null) {
      Set<TopicPartition> before = new HashSet<>(inner.assignment());
      Set<TopicPartition> after = new HashSet<>(partitions);
      Set<TopicPartition> changed = new HashSet<>(before);
      changed.removeAll(after);
      after.removeAll(before);
      changed.addAll(after);
      filter.forget(changed);
    }
    inner.assign(partitions);
  }

  @Override
  public void subscribe(Pattern pattern, ConsumerRebalanceListener callback) {
    inner.subscribe(pattern, withDuplicateWindows(callback));
  }

  @Override
  public void subscribe(Pattern pattern) {
    DuplicateFilter filter = duplicates;
    if (filter == null) {
      inner.subscribe(pattern);
    } else {
      inner.subscribe(pattern, new ForgetOnRebalance(filter, null));
    }
  }

  @Override
  public void subscribe(SubscriptionPattern pattern, ConsumerRebalanceListener callback) {
    inner.subscribe(pattern, withDuplicateWindows(callback));
  }

  @Override
  public void subscribe(SubscriptionPattern pattern) {
    DuplicateFilter filter = duplicates;
    if (filter == null) {
      inner.subscribe(pattern);
    } else {
      inner.subscribe(pattern, new ForgetOnRebalance(filter, null));
    }
  }

  @Override
  public void unsubscribe() {
    inner.unsubscribe();
    if (duplicates != null) {
      duplicates.clear();
    }
  }

  private ConsumerRebalanceListener withDuplicateWindows(ConsumerRebalanceListener callback) {
    DuplicateFilter filter = duplicates;
    return filter == null ? callback : new ForgetOnRebalance(filter, callback);
  }

  /**
   * The user's rebalance callback, plus the de-duplication rule: a partition revoked, lost or assigned
   * anew is delivered again from its committed offset, so its record ids are forgotten (see {@link
   * DuplicateFilter}). Runs on the polling thread, inside {@code poll()}.
   */
  private static final class ForgetOnRebalance implements ConsumerRebalanceListener {
    private final DuplicateFilter filter;
    private final @Nullable ConsumerRebalanceListener user;

    ForgetOnRebalance(DuplicateFilter filter, @Nullable ConsumerRebalanceListener user) {
      this.filter = filter;
      this.user = user;
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      try {
        if (user != null) {
          user.onPartitionsRevoked(partitions);
        }
      } finally {
        filter.forget(partitions);
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      try {
        if (user != null) {
          user.onPartitionsLost(partitions);
        }
      } finally {
        filter.forget(partitions);
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      filter.forget(partitions);
      if (user != null) {
        user.onPartitionsAssigned(partitions);
      }
    }
  }

  @Override
  public void commitSync() {
    inner.commitSync();
  }

  @Override
  public void commitSync(Duration timeout) {
    inner.commitSync(timeout);
  }

  @Override
  public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
    inner.commitSync(offsets);
  }

  @Override
  public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
    inner.commitSync(offsets, timeout);
  }

  @Override
  public void commitAsync() {
    inner.commitAsync();
  }

  @Override
  public void commitAsync(OffsetCommitCallback callback) {
    inner.commitAsync(callback);
  }

  @Override
  public void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
    inner.commitAsync(offsets, callback);
  }

  @Override
  public void registerMetricForSubscription(KafkaMetric metric) {
    inner.registerMetricForSubscription(metric);
  }

  @Override
  public void unregisterMetricFromSubscription(KafkaMetric metric) {
    inner.unregisterMetricFromSubscription(metric);
  }

  // an explicit seek asks to read again: records of that partition then are not duplicates
  @Override
  public void seek(TopicPartition partition, long offset) {
    inner.seek(partition, offset);
    forgetIds(List.of(partition));
  }

  @Override
  public void seek(TopicPartition partition, OffsetAndMetadata offsetAndMetadata) {
    inner.seek(partition, offsetAndMetadata);
    forgetIds(List.of(partition));
  }

  @Override
  public void seekToBeginning(Collection<TopicPartition> partitions) {
    inner.seekToBeginning(partitions);
    forgetIds(partitions);
  }

  @Override
  public void seekToEnd(Collection<TopicPartition> partitions) {
    inner.seekToEnd(partitions);
    forgetIds(partitions);
  }

  private void forgetIds(Collection<TopicPartition> partitions) {
    if (duplicates != null) {
      // Kafka reads an empty collection as every assigned partition
      duplicates.forget(partitions.isEmpty() ? inner.assignment() : partitions);
    }
  }

  @Override
  public long position(TopicPartition partition) {
    return inner.position(partition);
  }

  @Override
  public long position(TopicPartition partition, Duration timeout) {
    return inner.position(partition, timeout);
  }

  @Override
  public Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions) {
    return inner.committed(partitions);
  }

  @Override
  public Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions, Duration timeout) {
    return inner.committed(partitions, timeout);
  }

  @Override
  public Uuid clientInstanceId(Duration timeout) {
    return inner.clientInstanceId(timeout);
  }

  @Override
  public Map<MetricName, ? extends Metric> metrics() {
    return inner.metrics();
  }

  @Override
  public List<PartitionInfo> partitionsFor(String topic) {
    return inner.partitionsFor(topic);
  }

  @Override
  public List<PartitionInfo> partitionsFor(String topic, Duration timeout) {
    return inner.partitionsFor(topic, timeout);
  }

  @Override
  public Map<String, List<PartitionInfo>> listTopics() {
    return inner.listTopics();
  }

  @Override
  public Map<String, List<PartitionInfo>> listTopics(Duration timeout) {
    return inner.listTopics(timeout);
  }

  @Override
  public Set<TopicPartition> paused() {
    return inner.paused();
  }

  @Override
  public void pause(Collection<TopicPartition> partitions) {
    inner.pause(partitions);
  }

  @Override
  public void resume(Collection<TopicPartition> partitions) {
    inner.resume(partitions);
  }

  @Override
  public Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(Map<TopicPartition, Long> timestampsToSearch) {
    return inner.offsetsForTimes(timestampsToSearch);
  }

  @Override
  public Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(Map<TopicPartition, Long> timestampsToSearch,
      Duration timeout) {
    return inner.offsetsForTimes(timestampsToSearch, timeout);
  }

  @Override
  public Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions) {
    return inner.beginningOffsets(partitions);
  }

  @Override
  public Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions, Duration timeout) {
    return inner.beginningOffsets(partitions, timeout);
  }

  @Override
  public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions) {
    return inner.endOffsets(partitions);
  }

  @Override
  public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions, Duration timeout) {
    return inner.endOffsets(partitions, timeout);
  }

  @Override
  public OptionalLong currentLag(TopicPartition topicPartition) {
    return inner.currentLag(topicPartition);
  }

  @Override
  public ConsumerGroupMetadata groupMetadata() {
    return inner.groupMetadata();
  }

  @Override
  public void enforceRebalance() {
    inner.enforceRebalance();
  }

  @Override
  public void enforceRebalance(String reason) {
    inner.enforceRebalance(reason);
  }

  @Override
  public void close() {
    try {
      inner.close();
    } finally {
      closeOwned();
    }
  }

  /** As {@link KafkaConsumer#close(Duration)}; prefer {@link #close(CloseOptions)}. */
  @Deprecated
  @Override
  @SuppressWarnings("deprecation")
  public void close(Duration timeout) {
    try {
      inner.close(timeout);
    } finally {
      closeOwned();
    }
  }

  @Override
  public void close(CloseOptions option) {
    try {
      inner.close(option);
    } finally {
      closeOwned();
    }
  }

  private void closeOwned() {
    try {
      diagnostics.close();
    } finally {
      bootstrap.close();
      listener.each("onClosed", l -> l.onClosed(this));
    }
  }

  @Override
  public void wakeup() {
    inner.wakeup();
  }

  /**
   * Settings of a {@link ResilientConsumer}, copied at {@link #build()}. Not thread-safe; a built consumer
   * does not see later changes to the builder.
   *
   * @param <K> key type
   * @param <V> value type
   */
  public static final class Builder<K, V> {
    private final Map<String, Object> config = new HashMap<>();
    private @Nullable Deserializer<K> keyDeserializer;
    private @Nullable Deserializer<V> valueDeserializer;
    private @Nullable RackDiscovery rackDiscovery;
    private final List<ConsumerListener> listeners = new ArrayList<>();

    private Builder() {}

    /** Adds every entry (Kafka and {@code resilient.*} keys); later entries win. */
    public Builder<K, V> config(Map<String, ?> entries) {
      entries.forEach((key, value) -> config.put(requireKey(key), value));
      return this;
    }

    /** Adds every property. */
    public Builder<K, V> config(Properties properties) {
      properties.forEach((key, value) -> config.put(requireKey(String.valueOf(key)), value));
      return this;
    }

    /** One setting. */
    public Builder<K, V> property(String key, Object value) {
      config.put(requireKey(key), value);
      return this;
    }

    public Builder<K, V> keyDeserializer(Deserializer<K> deserializer) {
      this.keyDeserializer = deserializer;
      return this;
    }

    public Builder<K, V> valueDeserializer(Deserializer<V> deserializer) {
      this.valueDeserializer = deserializer;
      return this;
    }

    /**
     * How to find {@code client.rack} when the configuration has none; default the standard chain of
     * {@link RackDiscovery#DEFAULT}, located by the {@code resilient.rack.*} keys.
     */
    public Builder<K, V> rackDiscovery(RackDiscovery discovery) {
      this.rackDiscovery = discovery;
      return this;
    }

    /** Adds a listener (metrics are one); called in the order added. */
    public Builder<K, V> listener(ConsumerListener listener) {
      listeners.add(listener);
      return this;
    }

    private static String requireKey(String key) {
      if (key == null || key.isBlank()) {
        throw new IllegalArgumentException("configuration keys must not be blank");
      }
      return key;
    }

    /**
     * Resolves the bootstrap, settles {@code client.rack}, creates the inner consumer and starts the
     * background diagnostics.
     *
     * @throws ConfigException naming the key and the accepted values, for an invalid setting
     * @throws org.apache.kafka.common.KafkaException if the inner {@link KafkaConsumer} cannot be created
     */
    public ResilientConsumer<K, V> build() {
      Map<String, Object> settingsMap = new HashMap<>(config);
      SafeConsumerListener events = new SafeConsumerListener(listeners);
      ConsumerSettings settings = ConsumerSettings.extract(settingsMap);
      RackDiscoveryEnvironment environment = RackDiscoveryEnvironment.fromConfig(settingsMap, System.getenv());
      settingsMap.keySet().removeIf(key -> key.startsWith(ResilientRackConfig.PREFIX));
      String rack = settleRack(settingsMap, environment, events);
      ClientBootstrap bootstrap = ClientBootstrap.configure(settingsMap);
      KafkaConsumer<K, V> inner = null;
      ConsumerDiagnostics diagnostics = null;
      try {
        inner = new KafkaConsumer<>(settingsMap, keyDeserializer, valueDeserializer);
        Object group = settingsMap.get(ConsumerConfig.GROUP_ID_CONFIG);
        String groupId = group == null || group.toString().isBlank() ? null : group.toString();
        diagnostics = new ConsumerDiagnostics(settingsMap, rack, groupId, settings, events);
        DuplicateFilter filter = settings.dedupWindow() > 0
            ? new DuplicateFilter(settings.dedupWindow(), settings.dedupHeader()) : null;
        ResilientConsumer<K, V> consumer = new ResilientConsumer<>(inner, bootstrap, diagnostics, filter, events, rack);
        events.each("onStarted", l -> l.onStarted(consumer));
        diagnostics.start();
        return consumer;
      } catch (RuntimeException e) {
        if (diagnostics != null) {
          diagnostics.close();
        }
        if (inner != null) {
          inner.close(CloseOptions.timeout(Duration.ZERO));
        }
        bootstrap.close();
        throw e;
      }
    }

    private @Nullable String settleRack(Map<String, Object> settings, RackDiscoveryEnvironment environment,
        ConsumerListener events) {
      Object explicit = settings.get(ConsumerConfig.CLIENT_RACK_CONFIG);
      if (explicit != null && !explicit.toString().isBlank()) {
        String rack = explicit.toString().trim();
        LOG.info("client.rack discovery: explicit setting client.rack -> '{}' (used)", rack);
        events.onRackResolved(rack, "client.rack setting");
        return rack;
      }
      String rack;
      String source;
      if (rackDiscovery == null) {
        RackDiscoveryResult result = RackDiscoveryChain.standard(environment).resolve();
        rack = result.rack();
        source = result.source();
      } else {
        rack = rackDiscovery.discover().map(String::trim).filter(r -> !r.isEmpty()).orElse(null);
        String name = rackDiscovery == RackDiscovery.NONE ? "RackDiscovery.NONE"
            : rackDiscovery == RackDiscovery.DEFAULT ? "RackDiscovery.DEFAULT"
            : "custom RackDiscovery " + rackDiscovery.getClass().getName();
        source = rack == null ? "none" : name;
        LOG.info("client.rack discovery: {} -> {}", name, rack == null ? "nothing, client.rack stays unset" : "'" + rack + "' (used)");
      }
      if (rack != null) {
        settings.put(ConsumerConfig.CLIENT_RACK_CONFIG, rack);
      } else {
        settings.remove(ConsumerConfig.CLIENT_RACK_CONFIG);
      }
      events.onRackResolved(rack, source);
      return rack;
    }
  }
}
