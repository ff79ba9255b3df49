package dev.resilientkafka.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.resilientkafka.ConsumerListener;
import dev.resilientkafka.RackDiscovery;
import dev.resilientkafka.ResilientConsumer;
import dev.resilientkafka.internal.cluster.SharedAdmins;
import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real consumer groups on a one-broker testkit cluster: de-duplication through a rebalance that moves a
 * partition with uncommitted offsets, and the diagnostics of many consumers of one cluster sharing their
 * questions to it.
 */
class ConsumerGroupClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String HEADER = "resilient-record-id";
  private static LocalKafkaCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = LocalKafkaCluster.builder().brokers(1).namespace("consumer-groups").start();
  }

  @AfterAll
  static void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** A record as the group sees it: where it is and its record id. */
  private record Seen(String topic, int partition, String id) {
    static Seen of(ConsumerRecord<?, ?> record) {
      return new Seen(record.topic(), record.partition(),
          new String(record.headers().lastHeader(HEADER).value(), StandardCharsets.US_ASCII));
    }
  }

  @Test
  void aPartitionMovedWithUncommittedOffsetsIsProcessedAgainAndNoRecordIsSilentlyDropped() throws Exception {
    cluster.createTopic("work", 2, 1);
    cluster.createTopic("work-retry", 1, 1);
    Set<Seen> expected = new HashSet<>();
    Set<String> planted = new HashSet<>(); // "partition/offset" of the copies a producer retry would write
    try (KafkaProducer<String, String> producer = producer()) {
      for (int partition = 0; partition < 2; partition++) {
        for (int n = 0; n < 100; n++) {
          String id = ulid(partition * 1000 + n);
          producer.send(record("work", partition, id)).get(30, TimeUnit.SECONDS);
          expected.add(new Seen("work", partition, id));
        }
        for (int n = 0; n < 5; n++) {
          long offset = producer.send(record("work", partition, ulid(partition * 1000 + n))).get(30, TimeUnit.SECONDS).offset();
          planted.add(partition + "/" + offset);
        }
      }
      // re-published with its headers copied, as a retry topic does: another record, not a duplicate
      producer.send(record("work-retry", 0, ulid(0))).get(30, TimeUnit.SECONDS);
      expected.add(new Seen("work-retry", 0, ulid(0)));
    }

    List<ConsumerRecord<?, ?>> dropped = new java.util.concurrent.CopyOnWriteArrayList<>();
    ConsumerListener droppedListener = new ConsumerListener() {
      @Override
      public void onDuplicateDropped(ConsumerRecord<?, ?> record) {
        dropped.add(record);
      }
    };
    Set<Seen> completed = ConcurrentHashMap.newKeySet();
    Map<Seen, Integer> processings = new ConcurrentHashMap<>();
    List<Seen> inFlightA = new ArrayList<>();
    Set<Seen> receivedBeforeRebalance = new HashSet<>();
    int[] cancelled = {0};
    Set<TopicPartition> ownedByABefore = new HashSet<>();
    try (ResilientConsumer<String, String> a = groupConsumer("consumer-a", droppedListener);
        ResilientConsumer<String, String> b = groupConsumer("consumer-b", droppedListener)) {
      a.subscribe(List.of("work", "work-retry"), new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
          // the work of revoked partitions is cancelled: its offsets were never committed
          int before = inFlightA.size();
          inFlightA.removeIf(s -> partitions.contains(new TopicPartition(s.topic(), s.partition())));
          cancelled[0] += before - inFlightA.size();
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
      });
      // A alone takes everything and holds it in flight, committing nothing
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (receivedBeforeRebalance.size() < expected.size() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : a.poll(Duration.ofMillis(200))) {
          inFlightA.add(Seen.of(r));
          receivedBeforeRebalance.add(Seen.of(r));
        }
      }
      assertThat(receivedBeforeRebalance).as("A received every record once before B joined").isEqualTo(expected);
      ownedByABefore.addAll(a.assignment());
      int droppedBefore = dropped.size();

      // B joins: the group rebalances and moves a partition whose offsets A never committed
      b.subscribe(List.of("work", "work-retry"));
      int redelivered = 0;
      boolean rebalanced = false;
      while ((!rebalanced || !completed.containsAll(expected)) && System.nanoTime() < deadline) {
        for (ResilientConsumer<String, String> consumer : List.of(a, b)) {
          List<Seen> batch = new ArrayList<>();
          for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
            batch.add(Seen.of(r));
          }
          rebalanced = !b.assignment().isEmpty();
          if (consumer == a && rebalanced) {
            batch.addAll(inFlightA); // A's slow work finishes now, for what it still owns
            inFlightA.clear();
          }
          for (Seen seen : batch) {
            if (receivedBeforeRebalance.contains(seen) && !completed.contains(seen)) {
              redelivered++;
            }
            completed.add(seen);
            processings.merge(seen, 1, Integer::sum);
          }
          if (!batch.isEmpty()) {
            consumer.commitSync();
          }
        }
      }
      Set<TopicPartition> movedToB = new HashSet<>(b.assignment());
      movedToB.retainAll(ownedByABefore);
      List<String> droppedWhere = dropped.stream().map(r -> r.partition() + "/" + r.offset()).toList();
      System.out.printf("dedup through a rebalance: %d records (%d planted copies, 1 copied header on work-retry);"
              + " A held %d in flight and cancelled %d on revoke; moved to B %s; after the rebalance %d re-delivered;"
              + " completed %d of %d, %d processings; dropped as duplicates %d (%d before the rebalance) at %s%n",
          expected.size() + planted.size(), planted.size(), receivedBeforeRebalance.size(), cancelled[0], movedToB,
          redelivered, completed.size(), expected.size(), processings.values().stream().mapToInt(Integer::intValue).sum(),
          dropped.size(), droppedBefore, droppedWhere);

      assertThat(movedToB).as("a partition A held with uncommitted offsets moved to B").isNotEmpty();
      assertThat(cancelled[0]).as("work cancelled on revoke").isPositive();
      assertThat(completed).as("every record processed at least once by the group").isEqualTo(expected);
      assertThat(droppedWhere).as("only the planted producer-retry copies are dropped, never a re-delivery")
          .allMatch(planted::contains);
      assertThat(droppedBefore).isEqualTo(planted.size());
    }
  }

  @Test
  void diagnosticsOfManyConsumersOfOneClusterAskItOncePerInterval() throws Exception {
    Set<String> adminThreadsBefore = adminThreads();
    List<ResilientConsumer<String, String>> consumers = new ArrayList<>();
    try (SharedAdmins.Lease lease = SharedAdmins.acquire(Map.of("bootstrap.servers", cluster.bootstrapFqdns()))) {
      consumers.add(diagnosedConsumer(0));
      await().atMost(WAIT).until(() -> !consumers.get(0).brokerRacks().isEmpty());
      Admin admin = lease.admin();
      double oneConsumerMs = msFor10Requests(admin);

      for (int i = 1; i < 5; i++) {
        consumers.add(diagnosedConsumer(i));
      }
      await().atMost(WAIT).until(() -> consumers.stream().allMatch(c -> c.brokerRacks().equals(Map.of(0, "zone-a"))));
      double fiveConsumersMs = msFor10Requests(admin);

      Set<String> newAdminThreads = adminThreads();
      newAdminThreads.removeAll(adminThreadsBefore);
      long diagnosticThreads = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.getName().startsWith("resilient-kafka-consumer-diagnostics-")).count();
      System.out.printf("consumer diagnostics, interval 500 ms: 10 Admin requests took %.0f ms with 1 consumer and %.0f ms"
              + " with 5; Admin client threads started %s; diagnostics threads %d%n",
          oneConsumerMs, fiveConsumersMs, newAdminThreads, diagnosticThreads);
      assertThat(fiveConsumersMs).as("5 consumers cost the cluster what 1 does, not 5 times as much")
          .isGreaterThan(0.6 * oneConsumerMs);
      assertThat(newAdminThreads).as("one Admin client for the cluster").hasSize(1);
      assertThat(diagnosticThreads).isEqualTo(1);
    } finally {
      consumers.forEach(ResilientConsumer::close);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.getName().startsWith("resilient-kafka-consumer-diagnostics-")));
  }

  /** Time until the shared Admin client's request count grows by 10 (describeCluster, describeTopics, ...). */
  private static double msFor10Requests(Admin admin) {
    double start = requests(admin);
    long t0 = System.nanoTime();
    await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> requests(admin) >= start + 10);
    return (System.nanoTime() - t0) / 1e6;
  }

  private static double requests(Admin admin) {
    return admin.metrics().entrySet().stream()
        .filter(e -> e.getKey().name().equals("request-total") && e.getKey().group().equals("admin-client-metrics"))
        .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
  }

  private static Set<String> adminThreads() {
    Set<String> names = new HashSet<>();
    Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
        .filter(n -> n.startsWith("kafka-admin-client-thread")).forEach(names::add);
    return names;
  }

  private static ResilientConsumer<String, String> diagnosedConsumer(int i) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapFqdns());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "diag-group-" + i);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, "diag-consumer-" + i);
    config.put(ConsumerConfig.CLIENT_RACK_CONFIG, "zone-a");
    config.put("resilient.consumer.diagnostics.interval.ms", 500);
    return ResilientConsumer.<String, String>builder().config(config)
        .keyDeserializer(new StringDeserializer()).valueDeserializer(new StringDeserializer()).build();
  }

  private static ResilientConsumer<String, String> groupConsumer(String clientId, ConsumerListener listener) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapFqdns());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "dedup-group");
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // eager: every partition is revoked and assigned anew, the case where a kept window would hide records
    config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName());
    config.put("resilient.consumer.dedup.window", 10_000);
    config.put("resilient.consumer.dedup.header", HEADER);
    return ResilientConsumer.<String, String>builder().config(config).rackDiscovery(RackDiscovery.NONE)
        .keyDeserializer(new StringDeserializer()).valueDeserializer(new StringDeserializer()).listener(listener).build();
  }

  private static KafkaProducer<String, String> producer() {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapFqdns());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
  }

  private static ProducerRecord<String, String> record(String topic, int partition, String id) {
    ProducerRecord<String, String> record = new ProducerRecord<>(topic, partition, id, "value of " + id);
    record.headers().add(HEADER, id.getBytes(StandardCharsets.US_ASCII));
    return record;
  }

  /** A 26-character printable id, as the producer's ULID record ids are. */
  private static String ulid(int n) {
    return String.format("01J9ZQ4T2W8G3H5K7M%08d", n);
  }
}
