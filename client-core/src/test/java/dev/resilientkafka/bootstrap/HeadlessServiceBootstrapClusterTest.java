package dev.resilientkafka.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.resilientkafka.internal.bootstrap.ClientBootstrap;
import dev.resilientkafka.metrics.MicrometerBootstrapMetrics;
import dev.resilientkafka.testkit.BrokerState;
import dev.resilientkafka.testkit.LocalBroker;
import dev.resilientkafka.testkit.LocalKafkaCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 3 on the real testkit cluster and its DNS server: plain Kafka clients configured only through
 * {@link ClientBootstrap} with the headless Service survive every IP rotating (twice), a Pending pod,
 * a replaced pod and a scale-out. The scale-out runs last (it leaves four brokers).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HeadlessServiceBootstrapClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static LocalKafkaCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = LocalKafkaCluster.builder().brokerSessionTimeout(Duration.ofSeconds(5)).start();
    cluster.createTopic("moves", 3, 3);
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

  @Test
  @Order(1)
  void producerAndConsumerConfiguredWithTheServiceSurviveEveryIpRotatingTwiceWhileAPinnedClientFails() throws Exception {
    String pinnedIps = cluster.bootstrapIps();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Map<String, Object> producerConfig = libraryConfig();
    producerConfig.put("acks", "all");
    // This test is about finding the brokers after every IP changed, not about Kafka's sequence numbers: with
    // every broker killed at once, Kafka's idempotent producer was seen (once, in a CI run) to retry one
    // batch on OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery timeout, because a later batch of the partition
    // had been acknowledged first (KAFKA-14359; Kafka retries such a batch while it is not the next sequence).
    // Without idempotence a batch in flight to a killed broker is retried, never stuck; duplicates do not
    // change what is asserted here.
    producerConfig.put("enable.idempotence", false);
    producerConfig.put("key.serializer", StringSerializer.class.getName());
    producerConfig.put("value.serializer", StringSerializer.class.getName());
    Map<String, Object> consumerConfig = libraryConfig();
    consumerConfig.put("key.deserializer", StringDeserializer.class.getName());
    consumerConfig.put("value.deserializer", StringDeserializer.class.getName());
    consumerConfig.put("auto.offset.reset", "earliest");
    consumerConfig.put("enable.auto.commit", false);

    try (MicrometerBootstrapMetrics metrics = new MicrometerBootstrapMetrics(registry);
        ClientBootstrap producerBootstrap = ClientBootstrap.configure(producerConfig, metrics);
        ClientBootstrap consumerBootstrap = ClientBootstrap.configure(consumerConfig);
        KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig);
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
      assertThat(String.valueOf(producerConfig.get("bootstrap.servers"))).isEqualTo(cluster.bootstrapFqdns());
      List<TopicPartition> partitions = partitions(consumer, "moves");
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);

      ConcurrentLinkedQueue<Long> ackTimes = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<String> acked = new ConcurrentLinkedQueue<>();
      AtomicInteger failed = new AtomicInteger();
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      AtomicInteger sent = new AtomicInteger();
      ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();
      sender.scheduleAtFixedRate(() -> {
        String value = "v" + sent.getAndIncrement();
        producer.send(new ProducerRecord<>("moves", value, value), (md, e) -> {
          if (e == null) {
            ackTimes.add(System.nanoTime());
            acked.add(value);
          } else {
            failed.incrementAndGet();
            failures.add(value + ": " + e);
          }
        });
      }, 0, 50, TimeUnit.MILLISECONDS); // 20 records/s
      await().atMost(WAIT).until(() -> acked.size() >= 20);

      for (int round = 1; round <= 2; round++) {
        long startRestart = System.nanoTime();
        cluster.restartAllOnNewIps();
        long ready = System.nanoTime();
        await().atMost(Duration.ofSeconds(60)).until(() -> ackTimes.stream().anyMatch(t -> t > ready));
        long firstAck = ackTimes.stream().filter(t -> t > ready).mapToLong(Long::longValue).min().orElseThrow();
        long gapMs = TimeUnit.NANOSECONDS.toMillis(firstAck - ready);
        System.out.printf("round %d: all brokers on new IPs and ready after %d ms; first ack %d ms after the last broker was ready%n",
            round, TimeUnit.NANOSECONDS.toMillis(ready - startRestart), gapMs);
        assertThat(gapMs).as("first ack after the last broker is ready").isLessThan(10_000);
      }
      sender.shutdown();
      assertThat(sender.awaitTermination(70, TimeUnit.SECONDS)).isTrue();
      producer.flush();
      assertThat(failed.get()).as("records failed: %s", failures).isZero();

      // the consumer built before both rotations reads every acknowledged record
      List<String> consumed = new ArrayList<>();
      long deadline = System.nanoTime() + WAIT.toNanos();
      Set<String> expected = Set.copyOf(acked);
      while (!Set.copyOf(consumed).containsAll(expected) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          consumed.add(r.value());
        }
      }
      System.out.printf("sent %d, acked %d, failed %d, consumed %d after two rotations%n", sent.get(), acked.size(), failed.get(), consumed.size());
      assertThat(consumed).containsAll(expected);
      assertThat(producerBootstrap.servers()).hasSize(3);
      assertThat(registry.get("resilientkafka.bootstrap.resolutions").counter().count()).isGreaterThan(1.0);
    }

    // a plain client pinned to the IPs of before cannot bootstrap any more
    Map<String, Object> pinned = new HashMap<>();
    pinned.put("bootstrap.servers", pinnedIps);
    pinned.put("key.serializer", StringSerializer.class.getName());
    pinned.put("value.serializer", StringSerializer.class.getName());
    pinned.put("max.block.ms", 3_000);
    try (KafkaProducer<String, String> ipClient = new KafkaProducer<>(pinned)) {
      assertThatThrownBy(() -> ipClient.send(new ProducerRecord<>("moves", "k", "v")).get(20, TimeUnit.SECONDS))
          .hasRootCauseInstanceOf(TimeoutException.class);
      System.out.printf("plain producer pinned to %s: cannot bootstrap (TimeoutException)%n", pinnedIps);
    }
  }

  @Test
  @Order(2)
  void pendingPodIsReportedWithoutAHotLoopAndTheReplacementIsPickedUp() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Map<String, Object> config = producerConfig();
    try (MicrometerBootstrapMetrics metrics = new MicrometerBootstrapMetrics(registry);
        ClientBootstrap bootstrap = ClientBootstrap.configure(config, metrics);
        KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
      producer.send(new ProducerRecord<>("moves", "before", "before")).get(30, TimeUnit.SECONDS);
      String kafka2 = cluster.broker(2).fqdn();

      // the node is gone, the pod Pending, no DNS record
      cluster.makePending(2);
      long queriesBefore = cluster.dns().queries();
      long start = System.nanoTime();
      await().atMost(Duration.ofSeconds(20)).until(() -> bootstrap.missingPods().contains(kafka2));
      System.out.printf("pod Pending: pod %s reported missing after %d ms; pods gauge %.0f%n", kafka2,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), registry.get("resilientkafka.bootstrap.pods").gauge().value());
      RecordMetadata during = producer.send(new ProducerRecord<>("moves", "during", "during")).get(60, TimeUnit.SECONDS);
      // watch the resolver for a while: re-resolution is paced by the 5 s TTL, no failures
      long windowStart = System.nanoTime();
      long windowQueriesStart = cluster.dns().queries();
      await().during(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(12))
          .until(() -> bootstrap.servers().size() == 2 && registry.find("resilientkafka.bootstrap.failures").counters().isEmpty());
      double windowSeconds = (System.nanoTime() - windowStart) / 1e9;
      long windowQueries = cluster.dns().queries() - windowQueriesStart;
      System.out.printf("pod Pending: %d DNS queries in %.1f s while kafka-2 is Pending (TTL 5 s); %d since it went Pending; failures %s%n",
          windowQueries, windowSeconds, cluster.dns().queries() - queriesBefore, registry.find("resilientkafka.bootstrap.failures").counters().size());
      assertThat(windowQueries).as("no hot loop: about one SRV query per TTL").isLessThanOrEqualTo(6);
      assertThat(registry.find("resilientkafka.bootstrap.failures").counters()).isEmpty();
      assertThat(bootstrap.servers()).hasSize(2);
      assertThat(registry.get("resilientkafka.bootstrap.pods").gauge().value()).isEqualTo(2.0);
      assertThat(during.offset()).isNotNegative();

      // replaced: same name, new IP, empty disk
      long replaced = System.nanoTime();
      cluster.replace(2);
      cluster.awaitReady(2, WAIT);
      await().atMost(Duration.ofSeconds(15)).until(() -> bootstrap.servers().size() == 3 && bootstrap.missingPods().isEmpty());
      System.out.printf("pod replaced: replacement of kafka-2 back in the bootstrap after %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - replaced));
      cluster.awaitFullyReplicated(WAIT);
      assertThat(cluster.isrOf(new TopicPartition("moves", 0))).contains(2);
      producer.send(new ProducerRecord<>("moves", "after", "after")).get(30, TimeUnit.SECONDS);
      assertThat(registry.get("resilientkafka.bootstrap.broker.set.changes").counter().count()).isGreaterThanOrEqualTo(2.0);
    }
  }

  @Test
  @Order(3)
  void aPodAddedByScaleOutIsUsedWithoutRestartingTheClient() throws Exception {
    Map<String, Object> config = producerConfig();
    try (ClientBootstrap bootstrap = ClientBootstrap.configure(config);
        KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
      producer.send(new ProducerRecord<>("moves", "k", "before scale-out")).get(30, TimeUnit.SECONDS);
      long start = System.nanoTime();
      LocalBroker kafka3 = cluster.addBroker();
      await().atMost(Duration.ofSeconds(15)).until(() -> bootstrap.servers().size() == 4);
      System.out.printf("scale-out: resolver reports %d pods %d ms after addBroker() started: %s%n",
          bootstrap.servers().size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), bootstrap.servers());
      assertThat(bootstrap.servers()).contains(InetSocketAddress.createUnresolved(kafka3.fqdn(), 9092));

      cluster.createTopic(new NewTopic("on-kafka-3", Map.of(0, List.of(3, 0, 1))));
      assertThat(cluster.leaderOf(new TopicPartition("on-kafka-3", 0))).isEqualTo(3);
      RecordMetadata md = producer.send(new ProducerRecord<>("on-kafka-3", 0, "k", "led by kafka-3")).get(30, TimeUnit.SECONDS);
      System.out.printf("scale-out: produce to on-kafka-3-0 (leader kafka-3) acked at offset %d by the producer built before%n", md.offset());
      assertThat(md.offset()).isZero();
    }
  }

  private static Map<String, Object> producerConfig() {
    Map<String, Object> config = libraryConfig();
    config.put("acks", "all");
    config.put("key.serializer", StringSerializer.class.getName());
    config.put("value.serializer", StringSerializer.class.getName());
    return config;
  }

  /** What a user writes: the Service, and (here) where the test DNS server listens. */
  private static Map<String, Object> libraryConfig() {
    Map<String, Object> config = new HashMap<>();
    config.put("resilient.bootstrap.service", cluster.serviceBootstrap());
    config.put("resilient.bootstrap.dns.server", cluster.dnsAddress().getHostString() + ":" + cluster.dnsAddress().getPort());
    return config;
  }

  private static List<TopicPartition> partitions(KafkaConsumer<String, String> consumer, String topic) {
    List<TopicPartition> result = new ArrayList<>();
    for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
      result.add(new TopicPartition(topic, p.partition()));
    }
    return result;
  }
}
