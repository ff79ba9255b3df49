package dev.resilientkafka.examples;

import dev.resilientkafka.testkit.LocalBroker;
import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The one-command demo on the embedded local cluster. For now it replays scenario S1 of the article:
 * start a 3-broker cluster laid out like the article's StatefulSet, produce "hello world" with
 * acks=all through the pod FQDNs and read it back from the beginning.
 */
public final class Demo {
  private Demo() {}

  public static void main(String[] args) throws Exception {
    long start = System.nanoTime();
    System.out.println("Starting the local cluster: 1 controller, 3 brokers (zone-a/b/c), DNS like a headless Service...");
    try (LocalKafkaCluster cluster = LocalKafkaCluster.start()) {
      System.out.printf("Cluster ready in %.1f s%n", (System.nanoTime() - start) / 1e9);
      for (LocalBroker broker : cluster.brokers()) {
        System.out.printf("  %-8s %-48s %-15s %s%n", broker.podName(), broker.hostPort(),
            broker.address().getHostAddress(), broker.rack());
      }
      System.out.println("  DNS server: " + cluster.dnsAddress() + " (SRV " + cluster.srvName() + ")");

      String topic = "hello";
      cluster.createTopic(topic, 3, 3);
      TopicPartition partition = new TopicPartition(topic, 0);
      System.out.printf("S1: topic %s, RF 3, min.insync.replicas 2; partition 0 leader kafka-%d, ISR %s%n",
          topic, cluster.leaderOf(partition), cluster.isrOf(partition));

      try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps(cluster.bootstrapFqdns()))) {
        RecordMetadata sent = producer.send(new ProducerRecord<>(topic, 0, null, "hello world")).get(30, TimeUnit.SECONDS);
        System.out.printf("S1: produced \"hello world\" with acks=all to %s-%d at offset %d%n",
            sent.topic(), sent.partition(), sent.offset());
      }
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps(cluster.bootstrapFqdns()))) {
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
          for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
            System.out.printf("S1: consumed \"%s\" from the beginning of %s-%d%n",
                record.value(), record.topic(), record.partition());
            System.out.printf("Demo finished in %.1f s: S1 works.%n", (System.nanoTime() - start) / 1e9);
            return;
          }
        }
        throw new IllegalStateException("S1 failed: nothing consumed within 30 s");
      }
    }
  }

  private static Properties producerProps(String bootstrap) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    return props;
  }

  private static Properties consumerProps(String bootstrap) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    return props;
  }
}
