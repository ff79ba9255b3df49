package dev.resilientkafka.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.resilientkafka.RackDiscovery;
import dev.resilientkafka.ResilientConsumer;
import dev.resilientkafka.metrics.MicrometerConsumerMetrics;
import dev.resilientkafka.testkit.BrokerState;
import dev.resilientkafka.testkit.LocalBroker;
import dev.resilientkafka.testkit.LocalKafkaCluster;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fetching from the own zone on a real cluster (kafka-0/1/2 in zone-a/b/c, RackAwareReplicaSelector): a
 * zone-b consumer reads partitions led from other zones through the zone-b follower, falls back to the
 * leaders while kafka-1 is dead and returns after it rejoins; and a group stalled on {@code
 * __consumer_offsets} is named.
 *
 * <p>Shares are measured from the consumer's per-broker fetch figures ({@code consumer-node-metrics}
 * {@code incoming-byte-total}). Partitions led by kafka-1 (zone-b) are left out: for them the leader is
 * already local. {@code metadata.max.age.ms} is 5 s so a preferred read replica is re-evaluated quickly.
 */
class RackAwareConsumerTest {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final int ZONE_B_BROKER = 1;
  private static final String PAYLOAD = "x".repeat(1000);
  private static LocalKafkaCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = LocalKafkaCluster.builder().brokerSessionTimeout(Duration.ofSeconds(5)).start();
  }

  @AfterAll
  static void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void everyBrokerBackAndInSync() {
    for (LocalBroker broker : cluster.brokers()) {
      if (broker.state() != BrokerState.RUNNING) {
        cluster.start(broker.id());
      }
    }
    cluster.awaitAllReady(WAIT);
    cluster.awaitFullyReplicated(WAIT);
  }

  private static Map<String, Object> consumerConfig() {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapFqdns());
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 5_000);
    config.put("resilient.consumer.diagnostics.interval.ms", 2_000);
    return config;
  }

  private static KafkaProducer<String, String> producer() {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapFqdns());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
  }

  private static List<TopicPartition> notLedFromZoneB(String topic) {
    List<TopicPartition> partitions = new ArrayList<>();
    for (int p = 0; p < 3; p++) {
      TopicPartition partition = new TopicPartition(topic, p);
      if (cluster.leaderOf(partition) != ZONE_B_BROKER) {
        partitions.add(partition);
      }
    }
    assertThat(partitions).as("partitions of %s led outside zone-b", topic).isNotEmpty();
    return partitions;
  }

  private static double share(Map<Integer, Long> bytes, int broker) {
    long total = bytes.values().stream().mapToLong(Long::longValue).sum();
    return total == 0 ? Double.NaN : (double) bytes.getOrDefault(broker, 0L) / total;
  }

  private static Map<Integer, Long> delta(Map<Integer, Long> after, Map<Integer, Long> before) {
    Map<Integer, Long> delta = new HashMap<>();
    after.forEach((id, bytes) -> delta.put(id, bytes - before.getOrDefault(id, 0L)));
    return delta;
  }

  private static long fromOtherBrokers(Map<Integer, Long> bytes) {
    return bytes.entrySet().stream().filter(e -> e.getKey() != ZONE_B_BROKER).mapToLong(Map.Entry::getValue).sum();
  }

  /** Reads every record of {@code partitions} from the beginning; returns bytes received per broker. */
  private static Map<Integer, Long> readAll(ResilientConsumer<String, String> consumer, List<TopicPartition> partitions) {
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
    AtomicLong records = new AtomicLong();
    await().atMost(WAIT).until(() -> {
      records.addAndGet(consumer.poll(Duration.ofMillis(200)).count());
      return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
    });
    assertThat(records.get()).isEqualTo(end.values().stream().mapToLong(Long::longValue).sum());
    return consumer.fetchedBytesByBroker();
  }

  @Test
  void zoneBConsumerTakesItsBytesFromTheZoneBFollower() throws Exception {
    String topic = "zone-locality";
    cluster.createTopic(topic, 3, 3);
    try (KafkaProducer<String, String> producer = producer()) {
      for (int i = 0; i < 4_500; i++) {
        producer.send(new ProducerRecord<>(topic, i % 3, Integer.toString(i), i + ":" + PAYLOAD));
      }
      producer.flush();
    }
    cluster.awaitFullyReplicated(WAIT);
    List<TopicPartition> partitions = notLedFromZoneB(topic);

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Map<Integer, Long> rackBytes;
    double reported;
    try (ResilientConsumer<String, String> zoneB = ResilientConsumer.<String, String>builder()
        .config(consumerConfig()).property(ConsumerConfig.CLIENT_RACK_CONFIG, "zone-b")
        .listener(new MicrometerConsumerMetrics(registry)).build()) {
      assertThat(zoneB.clientRack()).contains("zone-b");
      rackBytes = readAll(zoneB, partitions);
      await().atMost(WAIT).until(() -> zoneB.brokerRacks().size() == 3);
      reported = zoneB.sameRackByteShare();
      FunctionCounter local = registry.get("resilientkafka.consumer.fetch.bytes").tag("broker", "1").functionCounter();
      assertThat(local.getId().getTag("same.rack")).isEqualTo("true");
      assertThat(local.count()).isGreaterThan(0.9 * rackBytes.values().stream().mapToLong(Long::longValue).sum());
      assertThat(registry.get("resilientkafka.consumer.fetch.same.rack.ratio").gauge().value()).isGreaterThanOrEqualTo(0.9);
    }
    Map<Integer, Long> plainBytes;
    try (ResilientConsumer<String, String> noRack = ResilientConsumer.<String, String>builder()
        .config(consumerConfig()).rackDiscovery(RackDiscovery.NONE).build()) {
      assertThat(noRack.clientRack()).isEmpty();
      plainBytes = readAll(noRack, partitions);
    }

    System.out.printf("zone-local fetching: partitions %s (leaders %s; partitions led by kafka-1 excluded)%n", partitions,
        partitions.stream().map(cluster::leaderOf).toList());
    System.out.printf("  client.rack=zone-b: bytes by broker %s, share from zone-b (kafka-1) %.4f, reported same-rack share %.4f%n",
        rackBytes, share(rackBytes, ZONE_B_BROKER), reported);
    System.out.printf("  no client.rack:     bytes by broker %s, share from zone-b (kafka-1) %.4f%n",
        plainBytes, share(plainBytes, ZONE_B_BROKER));
    assertThat(share(rackBytes, ZONE_B_BROKER)).isGreaterThanOrEqualTo(0.9);
    assertThat(reported).isGreaterThanOrEqualTo(0.9);
    assertThat(share(plainBytes, ZONE_B_BROKER)).isLessThan(0.1);
  }

  @Test
  void fallsBackToTheLeaderWhileZoneBIsDeadAndReturnsAfterItRejoins() throws Exception {
    String topic = "zone-failover";
    cluster.createTopic(topic, 3, 3);
    List<TopicPartition> partitions = notLedFromZoneB(topic);

    AtomicBoolean producing = new AtomicBoolean(true);
    Set<String> acked = ConcurrentHashMap.newKeySet();
    AtomicInteger sendFailures = new AtomicInteger();
    Thread producerThread = new Thread(() -> {
      try (KafkaProducer<String, String> producer = producer()) {
        for (int i = 0; producing.get(); i++) {
          String value = Integer.toString(i);
          TopicPartition partition = partitions.get(i % partitions.size());
          producer.send(new ProducerRecord<>(topic, partition.partition(), value, value + ":" + PAYLOAD), (m, e) -> {
            if (e == null) {
              acked.add(value);
            } else {
              sendFailures.incrementAndGet();
            }
          });
          if (i % 20 == 19) {
            producer.flush(); // paces the producer at what the cluster acknowledges
          }
        }
        producer.flush();
      }
    }, "zone-producer");

    Map<String, Integer> seen = new ConcurrentHashMap<>();
    AtomicInteger duplicates = new AtomicInteger();
    AtomicInteger offsetGaps = new AtomicInteger();
    AtomicLong longestPauseMs = new AtomicLong();
    AtomicBoolean consuming = new AtomicBoolean(true);
    Map<TopicPartition, Long> lastOffset = new ConcurrentHashMap<>();
    ResilientConsumer<String, String> consumer = ResilientConsumer.<String, String>builder()
        .config(consumerConfig()).property(ConsumerConfig.CLIENT_RACK_CONFIG, "zone-b").build();
    Thread consumerThread = new Thread(() -> {
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long lastRecord = System.nanoTime();
      while (consuming.get()) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          TopicPartition partition = new TopicPartition(record.topic(), record.partition());
          Long previous = lastOffset.put(partition, record.offset());
          if (previous != null && record.offset() != previous + 1) {
            offsetGaps.incrementAndGet();
          }
          if (seen.merge(record.key(), 1, Integer::sum) > 1) {
            duplicates.incrementAndGet();
          }
          long now = System.nanoTime();
          longestPauseMs.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(now - lastRecord), Math::max);
          lastRecord = now;
        }
      }
    }, "zone-consumer");
    producerThread.start();
    consumerThread.start();
    try {
      await().atMost(WAIT).until(() -> consumer.fetchedBytesByBroker().getOrDefault(ZONE_B_BROKER, 0L) > 200_000);
      Map<Integer, Long> beforeKill = consumer.fetchedBytesByBroker();
      long pauseBeforeKill = longestPauseMs.get();

      cluster.kill(ZONE_B_BROKER);
      long killed = System.nanoTime();
      // A fetch from kafka-1 answered before the kill can still be read (and counted) after it. Count from
      // the moment the consumer is seen fetching from the leaders instead: it then has given kafka-1 up,
      // and any byte from kafka-1 after that would be a fetch from a dead broker.
      await().atMost(WAIT).until(() -> fromOtherBrokers(delta(consumer.fetchedBytesByBroker(), beforeKill)) > 100_000);
      Map<Integer, Long> fellBack = consumer.fetchedBytesByBroker();
      long fellBackMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
      int seenAtFallback = seen.size();
      await().atMost(WAIT).until(() -> seen.size() > seenAtFallback + 500);
      Map<Integer, Long> whileDead = consumer.fetchedBytesByBroker();
      long continuedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
      Map<Integer, Long> deadDelta = delta(whileDead, fellBack);

      cluster.start(ZONE_B_BROKER);
      long restarted = System.nanoTime();
      cluster.awaitReady(ZONE_B_BROKER, WAIT);
      for (TopicPartition partition : partitions) {
        cluster.awaitIsrSize(partition, 3, WAIT);
      }
      long inIsrMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted);
      Map<Integer, Long> atRejoin = consumer.fetchedBytesByBroker();
      await().atMost(WAIT).until(() -> delta(consumer.fetchedBytesByBroker(), atRejoin).getOrDefault(ZONE_B_BROKER, 0L) > 200_000);
      long returnedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted);
      Map<Integer, Long> afterReturnDelta = delta(consumer.fetchedBytesByBroker(), atRejoin);

      producing.set(false);
      producerThread.join(TimeUnit.SECONDS.toMillis(60));
      await().atMost(WAIT).until(() -> seen.keySet().containsAll(acked));

      System.out.printf("zone-b broker killed and restarted, partitions %s: before kill %s bytes by broker, longest pause %d ms%n",
          partitions, beforeKill, pauseBeforeKill);
      System.out.printf("  kafka-1 killed: fetching from the leaders after %d ms, 500 more records within %d ms,"
          + " bytes since the fallback %s (share kafka-1 %.4f)%n",
          fellBackMs, continuedMs, deadDelta, share(deadDelta, ZONE_B_BROKER));
      System.out.printf("  kafka-1 restarted: in ISR after %d ms, consumer back on it after %d ms, bytes since rejoin %s (share kafka-1 %.4f)%n",
          inIsrMs, returnedMs, afterReturnDelta, share(afterReturnDelta, ZONE_B_BROKER));
      System.out.printf("  records acked %d, consumed %d, duplicates %d, offset gaps %d, send failures %d, longest pause between records %d ms%n",
          acked.size(), seen.size(), duplicates.get(), offsetGaps.get(), sendFailures.get(), longestPauseMs.get());

      assertThat(deadDelta.getOrDefault(ZONE_B_BROKER, 0L)).isZero();
      assertThat(share(afterReturnDelta, ZONE_B_BROKER)).isGreaterThan(0.5);
      assertThat(duplicates.get()).isZero();
      assertThat(offsetGaps.get()).isZero();
      assertThat(seen.keySet()).containsAll(acked);
    } finally {
      producing.set(false);
      consuming.set(false);
      producerThread.join(TimeUnit.SECONDS.toMillis(60));
      consumerThread.join(TimeUnit.SECONDS.toMillis(30));
      consumer.close();
    }
  }

  @Test
  void rackWithoutAnyBrokerIsWarnedWithTheFix() {
    List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (ResilientConsumer<String, String> consumer = ResilientConsumer.<String, String>builder()
        .config(consumerConfig()).property(ConsumerConfig.CLIENT_RACK_CONFIG, "zone-x")
        .listener(new dev.resilientkafka.ConsumerListener() {
          @Override
          public void onRackWarning(String message) {
            warnings.add(message);
          }
        })
        .listener(new MicrometerConsumerMetrics(registry)).build()) {
      await().atMost(WAIT).until(() -> !warnings.isEmpty());
      System.out.printf("rack mismatch warning: %s%n", warnings.get(0));
      assertThat(warnings.get(0)).contains("no broker is in rack 'zone-x'").contains("zone-b").contains("Fix:");
      assertThat(registry.get("resilientkafka.consumer.rack.warnings").counter().count()).isEqualTo(1.0);
    }
  }

  @Test
  void groupStalledOnConsumerOffsetsIsNamedInMetrics() {
    String topic = "stalled-group";
    cluster.createTopic(topic, 3, 3);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Map<String, Object> config = consumerConfig();
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "stall-group");
    try (ResilientConsumer<String, String> consumer = ResilientConsumer.<String, String>builder()
        .config(config).rackDiscovery(RackDiscovery.NONE).listener(new MicrometerConsumerMetrics(registry)).build()) {
      consumer.subscribe(List.of(topic));
      await().atMost(WAIT).until(() -> {
        consumer.poll(Duration.ofMillis(200));
        return !consumer.assignment().isEmpty();
      });
      assertThat(consumer.coordinatorStallCause()).isEmpty();

      long start = System.nanoTime();
      cluster.kill(0);
      cluster.kill(2);
      await().atMost(WAIT).until(() -> consumer.coordinatorStallCause().isPresent());
      long namedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(consumer.coordinatorStallCause()).contains("offsets_topic_isr_shortfall");
      assertThat(registry.get("resilientkafka.consumer.coordinator.stalled").gauge().value()).isEqualTo(1.0);
      assertThat(registry.get("resilientkafka.consumer.coordinator.stalls").tag("cause", "offsets_topic_isr_shortfall")
          .counter().count()).isEqualTo(1.0);

      cluster.start(0);
      cluster.start(2);
      cluster.awaitAllReady(WAIT);
      await().atMost(WAIT).until(() -> consumer.coordinatorStallCause().isEmpty());
      assertThat(registry.get("resilientkafka.consumer.coordinator.stalled").gauge().value()).isZero();
      System.out.printf("group stalled with two of three brokers down (offsets topic below min ISR): named %s %d ms after two brokers were killed; cleared after restart%n",
          "offsets_topic_isr_shortfall", namedMs);
    }
  }
}
