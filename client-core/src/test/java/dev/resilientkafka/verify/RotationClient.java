package dev.resilientkafka.verify;

import dev.resilientkafka.ResilientConsumer;
import dev.resilientkafka.ResilientProducer;
import java.io.IOException;
import java.security.Security;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * An application in its own JVM, started with the JDK's default name-cache settings (only the hosts file
 * points at the testkit): a producer writing 50 keyed records a second and a consumer reading them,
 * either resilient-kafka's or plain Kafka ones configured alike. It prints {@code ACK <partition>
 * <epoch ms>} per acknowledgement and {@code READ <partition> <epoch ms>} per record read, and ends when
 * its standard input is closed.
 *
 * <p>Arguments: {@code resilient|plain|resilient-service}, bootstrap servers, topic, and for {@code
 * resilient-service} the headless Service and the DNS server to bootstrap from instead of the servers.
 */
public final class RotationClient {
  private RotationClient() {}

  public static void main(String[] args) throws Exception {
    boolean resilient = args[0].startsWith("resilient");
    String bootstrap = args[1];
    String topic = args[2];
    Map<String, Object> producerConfig = new HashMap<>();
    producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
    producerConfig.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 600_000);
    producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    Map<String, Object> consumerConfig = new HashMap<>();
    consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    consumerConfig.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    consumerConfig.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    if (args[0].equals("resilient-service")) {
      for (Map<String, Object> config : List.of(producerConfig, consumerConfig)) {
        config.remove(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG);
        config.put("resilient.bootstrap.service", args[3]);
        config.put("resilient.bootstrap.dns.server", args[4]);
      }
    }
    if (!resilient) {
      // the tuned twin: the reconnect and rebootstrap settings resilient-kafka applies
      for (Map<String, Object> config : List.of(producerConfig, consumerConfig)) {
        config.put("metadata.recovery.rebootstrap.trigger.ms", 10_000);
        config.put("reconnect.backoff.max.ms", 1_000);
        config.put("socket.connection.setup.timeout.ms", 2_000);
        config.put("socket.connection.setup.timeout.max.ms", 5_000);
      }
    }
    Producer<String, String> producer = resilient ? ResilientProducer.create(producerConfig) : new KafkaProducer<>(producerConfig);
    Consumer<String, String> consumer = resilient ? ResilientConsumer.create(consumerConfig) : new KafkaConsumer<>(consumerConfig);
    System.out.println("CACHE networkaddress.cache.ttl=" + Security.getProperty("networkaddress.cache.ttl")
        + " java=" + System.getProperty("java.version"));
    List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
        .map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
    AtomicBoolean running = new AtomicBoolean(true);
    Thread sender = new Thread(() -> {
      long n = 0;
      long next = System.nanoTime();
      while (running.get()) {
        producer.send(new ProducerRecord<>(topic, "k" + (n % 12), "v" + n++), (m, e) -> {
          if (e == null) {
            lines.add("ACK " + m.partition() + " " + System.currentTimeMillis());
          }
        });
        next += 20_000_000L;
        java.util.concurrent.locks.LockSupport.parkNanos(Math.max(0, next - System.nanoTime())); // pacing: 50/s
      }
    }, "sender");
    Thread reader = new Thread(() -> {
      while (running.get()) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
          lines.add("READ " + record.partition() + " " + System.currentTimeMillis());
        }
      }
    }, "reader");
    Thread printer = new Thread(() -> {
      while (running.get() || !lines.isEmpty()) {
        String line;
        while ((line = lines.poll()) != null) {
          System.out.println(line);
        }
        System.out.flush();
        java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L); // pacing: print in batches
      }
    }, "printer");
    sender.start();
    reader.start();
    printer.start();
    try {
      while (System.in.read() >= 0) {
        // until the parent closes stdin
      }
    } catch (IOException e) {
      // parent gone
    }
    running.set(false);
    sender.join();
    reader.join();
    printer.join();
    producer.close(Duration.ofSeconds(5));
    consumer.close(Duration.ofSeconds(5));
    System.out.println("END");
    System.out.flush();
    Runtime.getRuntime().halt(0);
  }
}
