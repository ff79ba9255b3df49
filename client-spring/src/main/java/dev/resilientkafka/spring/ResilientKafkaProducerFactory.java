package dev.resilientkafka.spring;

import dev.resilientkafka.ProducerListener;
import dev.resilientkafka.ResilientProducer;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;
import org.jspecify.annotations.Nullable;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.ProducerPostProcessor;

/**
 * A {@link DefaultKafkaProducerFactory} whose producers are {@link ResilientProducer}s, so that every
 * {@code KafkaTemplate} send gets the bounded buffer and the retry through outages. Everything else is
 * the parent's: caching and sharing of the producer, {@code client.id} suffixes, listeners, post
 * processors, close on context stop. The configuration holds Kafka keys and {@code resilient.*} keys
 * ({@link dev.resilientkafka.ResilientProducerConfig}).
 *
 * <p>Transactional producers ({@code transactionIdPrefix} set, e.g. by {@code
 * spring.kafka.producer.transaction-id-prefix}) are {@code ResilientProducer}s too, built here from the
 * configuration the parent gives each, which holds {@code transactional.id} = prefix + the parent's next
 * suffix; the parent calls {@code initTransactions}, caches the producer per prefix and closes it on
 * {@code reset()}/{@code destroy()}. {@code KafkaTemplate.executeInTransaction}, {@code
 * KafkaTransactionManager} and listener containers that send offsets to the transaction call only {@link
 * Producer} methods. A failed transactional call throws {@link dev.resilientkafka.DeliveryFailedException}
 * naming the cause (Kafka's exception as its cause, e.g. {@code InvalidProducerEpochException} when
 * fenced). When {@code beginTransaction} or {@code commitTransaction} failed, the parent skips the abort,
 * closes that producer (its open transaction is aborted) and builds one with the next suffix for the next
 * transaction, whatever {@code recovery()} says; other failures are aborted on the same producer.
 * Thread-safe, like its parent.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class ResilientKafkaProducerFactory<K, V> extends DefaultKafkaProducerFactory<K, V> {
  private final Supplier<List<ProducerListener>> listeners;

  /**
   * @param configs Kafka and {@code resilient.*} producer keys
   * @param listeners called once per producer built, for that producer's listeners
   */
  public ResilientKafkaProducerFactory(Map<String, Object> configs, Supplier<List<ProducerListener>> listeners) {
    super(configs);
    this.listeners = listeners;
  }

  /**
   * Builds a {@link ResilientProducer} from {@code configs} (transactional when they hold {@code
   * transactional.id}) and applies the post processors.
   *
   * @throws org.apache.kafka.common.config.ConfigException naming the key, for a setting the resilient
   *     producer rejects (e.g. {@code acks=1} without availability mode)
   */
  @Override
  protected Producer<K, V> createRawProducer(Map<String, Object> configs) {
    ResilientProducer.Builder<K, V> builder = ResilientProducer.builder();
    configs.forEach((key, value) -> {
      if (value != null) {
        builder.config(key, value);
      }
    });
    Serializer<K> key = getKeySerializer();
    Serializer<V> value = getValueSerializer();
    if (key != null || value != null) {
      builder.serializers(key != null ? key : fromConfig(configs, ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, true),
          value != null ? value : fromConfig(configs, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, false));
    }
    listeners.get().forEach(builder::listener);
    Producer<K, V> producer = builder.build();
    for (ProducerPostProcessor<K, V> postProcessor : getPostProcessors()) {
      producer = postProcessor.apply(producer);
    }
    return producer;
  }

  @SuppressWarnings("unchecked")
  private static <T> Serializer<T> fromConfig(Map<String, Object> configs, String key, boolean isKey) {
    @Nullable Object type = configs.get(key);
    if (type == null) {
      throw new org.apache.kafka.common.config.ConfigException(key, null,
          "a serializer is needed: set " + key + " or give the factory both serializers");
    }
    Serializer<T> serializer;
    try {
      serializer = type instanceof Class<?> c ? (Serializer<T>) Utils.newInstance(c)
          : (Serializer<T>) Utils.newInstance(String.valueOf(type), Serializer.class);
    } catch (ClassNotFoundException e) {
      throw new org.apache.kafka.common.config.ConfigException(key, type, "class not found");
    }
    serializer.configure(configs, isKey);
    return serializer;
  }
}
