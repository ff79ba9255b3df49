package dev.resilientkafka.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilientkafka.RackDiscovery;
import dev.resilientkafka.ResilientConsumer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.ConsumerFactory;

/**
 * spring-kafka's {@link ConsumerFactory.Listener}s (through which Boot binds Kafka's native consumer
 * metrics) and post processors see every {@link ResilientConsumer} the factory builds, added and removed.
 * No broker is needed: a consumer connects on its first poll.
 */
class ResilientKafkaConsumerFactoryTest {

  @Test
  void springListenersAndPostProcessorsSeeEachConsumerAddedAndRemoved() {
    ResilientKafkaConsumerFactory<String, String> factory = new ResilientKafkaConsumerFactory<>(
        Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1",
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
            "resilient.consumer.rack.verify", false),
        RackDiscovery.NONE, List::of);
    List<String> events = new CopyOnWriteArrayList<>();
    factory.addListener(new ConsumerFactory.Listener<>() {
      @Override
      public void consumerAdded(String id, Consumer<String, String> consumer) {
        events.add("added " + id + " " + consumer.getClass().getSimpleName());
      }

      @Override
      public void consumerRemoved(String id, Consumer<String, String> consumer) {
        events.add("removed " + id);
      }
    });
    factory.addPostProcessor(consumer -> {
      events.add("post-processed " + consumer.getClass().getSimpleName());
      return consumer;
    });

    Consumer<String, String> consumer = factory.createConsumer("group-a", "client-a");
    assertThat(consumer).isInstanceOf(ResilientConsumer.class);
    consumer.close();

    assertThat(events).hasSize(3);
    assertThat(events.get(0)).startsWith("added ").endsWith(" ResilientConsumer");
    assertThat(events.get(1)).isEqualTo("post-processed ResilientConsumer");
    String id = events.get(0).split(" ")[1];
    assertThat(events.get(2)).as("removed under the id it was added with").isEqualTo("removed " + id);
  }

  @Test
  void aConsumerWithoutAClientIdIsNamedAfterItsGroupAsKafkaNamesIt() {
    ResilientKafkaConsumerFactory<String, String> factory = new ResilientKafkaConsumerFactory<>(
        Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1",
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
            "resilient.consumer.rack.verify", false),
        RackDiscovery.NONE, List::of);
    List<String> ids = new CopyOnWriteArrayList<>();
    factory.addListener(new ConsumerFactory.Listener<>() {
      @Override
      public void consumerAdded(String id, Consumer<String, String> consumer) {
        ids.add(id);
      }
    });

    // what a @KafkaListener container asks for: a group, no client-id prefix
    try (Consumer<String, String> grouped = factory.createConsumer("orders-service", null, null)) {
      assertThat(grouped.metrics().keySet()).anySatisfy(name ->
          assertThat(name.tags().get("client-id")).startsWith("consumer-orders-service-"));
    }
    try (Consumer<String, String> groupless = factory.createConsumer(null, null, null)) {
      assertThat(groupless).isInstanceOf(ResilientConsumer.class);
    }

    assertThat(ids).hasSize(2);
    assertThat(ids.get(0)).matches("consumer-orders-service-\\d+");
    assertThat(ids.get(1)).matches("consumer-\\d+");
  }
}
