package dev.resilientkafka.spring;

import dev.resilientkafka.ConsumerListener;
import dev.resilientkafka.RackDiscovery;
import dev.resilientkafka.ResilientConsumer;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Deserializer;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.ConsumerPostProcessor;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;

/**
 * A {@link DefaultKafkaConsumerFactory} whose consumers are {@link ResilientConsumer}s: {@code client.rack}
 * settled once for the application ({@link RackDiscovery}), a group coordinator stalled on {@code
 * __consumer_offsets} named in logs, meters and health, and optional de-duplication by record id. The
 * parent keeps everything else (group and client ids per container, listeners, post processors). The
 * configuration holds Kafka keys and {@code resilient.*} keys.
 *
 * <p>Deserializer instances given to the factory are passed on as they are, not configured again.
 * Thread-safe, like its parent.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class ResilientKafkaConsumerFactory<K, V> extends DefaultKafkaConsumerFactory<K, V> {
  private static final java.util.concurrent.atomic.AtomicLong CONSUMER_IDS = new java.util.concurrent.atomic.AtomicLong();
  private final RackDiscovery rackDiscovery;
  private final Supplier<List<ConsumerListener>> listeners;

  /**
   * @param configs Kafka and {@code resilient.*} consumer keys
   * @param rackDiscovery where {@code client.rack} comes from when the configuration has none
   * @param listeners called once per consumer built, for that consumer's listeners
   */
  public ResilientKafkaConsumerFactory(Map<String, Object> configs, RackDiscovery rackDiscovery,
      Supplier<List<ConsumerListener>> listeners) {
    super(configs);
    this.rackDiscovery = rackDiscovery;
    this.listeners = listeners;
  }

  /**
   * Builds a {@link ResilientConsumer} from {@code configProps}.
   *
   * @throws org.apache.kafka.common.config.ConfigException naming the key, for an invalid setting
   */
  @Override
  protected Consumer<K, V> createRawConsumer(Map<String, Object> configProps) {
    return build(configProps, List.of());
  }

  private ResilientConsumer<K, V> build(Map<String, Object> configProps, List<ConsumerListener> extra) {
    ResilientConsumer.Builder<K, V> builder = ResilientConsumer.builder();
    configProps.forEach((key, value) -> {
      if (value != null) {
        builder.property(key, value);
      }
    });
    Deserializer<K> key = getKeyDeserializer();
    if (key != null) {
      builder.keyDeserializer(key);
    }
    Deserializer<V> value = getValueDeserializer();
    if (value != null) {
      builder.valueDeserializer(value);
    }
    builder.rackDiscovery(rackDiscovery);
    listeners.get().forEach(builder::listener);
    extra.forEach(builder::listener);
    return builder.build();
  }

  /**
   * Builds the consumer, tells spring-kafka's {@link ConsumerFactory.Listener}s about it (Boot binds
   * Kafka's native consumer metrics through them) and applies the post processors, as the parent does
   * for its own consumer class.
   */
  @Override
  protected Consumer<K, V> createKafkaConsumer(Map<String, Object> configProps) {
    List<ConsumerFactory.Listener<K, V>> springListeners = getListeners();
    String id = String.valueOf(configProps.getOrDefault(ConsumerConfig.CLIENT_ID_CONFIG, defaultClientId(configProps)));
    Map<String, Object> props = new java.util.HashMap<>(configProps);
    props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, id);
    java.util.concurrent.atomic.AtomicReference<Consumer<K, V>> built = new java.util.concurrent.atomic.AtomicReference<>();
    List<ConsumerListener> bridge = springListeners.isEmpty() ? List.of() : List.of(new ConsumerListener() {
      @Override
      public void onClosed(ResilientConsumer<?, ?> closed) {
        springListeners.forEach(listener -> listener.consumerRemoved(id, built.get()));
      }
    });
    Consumer<K, V> consumer = build(props, bridge);
    built.set(consumer);
    springListeners.forEach(listener -> listener.consumerAdded(id, built.get()));
    for (ConsumerPostProcessor<K, V> postProcessor : getPostProcessors()) {
      consumer = postProcessor.apply(consumer);
    }
    return consumer;
  }

  /**
   * Kafka's own shape, {@code consumer-<group>-<n>} ({@code consumer-<n>} without a group), so that a
   * listener's consumer shows its group in broker logs, quotas and {@code kafka-consumer-groups --describe}.
   */
  static String defaultClientId(Map<String, Object> configProps) {
    Object group = configProps.get(ConsumerConfig.GROUP_ID_CONFIG);
    long n = CONSUMER_IDS.incrementAndGet();
    return group == null || String.valueOf(group).isBlank() ? "consumer-" + n : "consumer-" + group + "-" + n;
  }
}
