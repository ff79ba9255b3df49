package dev.resilientkafka.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.resilientkafka.DeliveryFailedException;
import dev.resilientkafka.FailureCause;
import dev.resilientkafka.ResilientProducer;
import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The produce path where records really wait in the library's queue (Kafka refuses them: no metadata
 * yet, a partition beyond the known count), each run beside the tuned plain twin ({@link TunedTwins}) on
 * the same cluster, with the same workload, and both printed: longest {@code send()} call, longest gap
 * between acknowledgements, lost, duplicated, reordered. The library must never be worse than the twin,
 * and its {@code send()} must not block where the twin's does.
 */
class TunedTwinTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final Duration DELIVERY = Duration.ofSeconds(120);
  /**
   * How long the twin's last records are waited for once the library delivered all of its own: Kafka's
   * producer can hold some until its delivery timeout (see the cold-start test), and what it still holds
   * then counts against it.
   */
  private static final Duration TWIN_STRAGGLERS = Duration.ofSeconds(20);
  private static LocalKafkaCluster cluster;
  private static DeliveryChecker checker;

  @BeforeAll
  static void startCluster() {
    cluster = VerifyClients.startFaultCluster();
    checker = VerifyClients.checker(cluster);
  }

  @AfterAll
  static void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void heal() {
    cluster.healAll(WAIT);
  }

  /**
   * Both producers are created while every broker is down (their pods keep their names and addresses,
   * nothing listens) and stay so for longer than the twin's {@code max.block.ms}: the twin's {@code
   * send()} blocks that long and then throws; the library's returns at once and delivers everything
   * once the brokers are back.
   */
  @Test
  void startedWhileNoBrokerAnswersForLongerThanTheTwinsMaxBlock() {
    String topic = "twin-cold";
    cluster.createTopic(topic + "-r", 3, 3);
    cluster.createTopic(topic + "-p", 3, 3);
    Duration maxBlock = Duration.ofSeconds(5);
    for (int id = 0; id < 3; id++) {
      cluster.kill(id);
    }
    try (VerifyingProducer resilient = new VerifyingProducer(TunedTwins.resilient(cluster, DELIVERY, Map.of()), topic + "-r", 6, 1);
        VerifyingProducer twin = new VerifyingProducer(TunedTwins.twin(cluster, DELIVERY, maxBlock, Map.of()), topic + "-p", 6, 1)) {
      resilient.start();
      twin.start();
      long down = System.nanoTime();
      await().atMost(WAIT).until(() -> System.nanoTime() - down > maxBlock.multipliedBy(2).toNanos());
      assertThat(resilient.acked()).isEmpty();
      for (int id = 0; id < 3; id++) {
        cluster.start(id);
      }
      cluster.awaitAllReady(WAIT);
      resilient.awaitAckedMore(200, WAIT);
      twin.awaitAckedMore(200, WAIT);
      resilient.stopAndAwaitCallbacks(WAIT);
      // Kafka's own producer can lose the race the library avoids (a new producer's first batch to a
      // partition refused while a later one is accepted) and then retries until its delivery timeout: what
      // it still holds is failed here and counted against the twin, not waited for
      long twinHeld = twin.stopAndAwaitCallbacksOrClose(TWIN_STRAGGLERS);
      if (twinHeld > 0) {
        System.out.printf("TWIN started with no broker       plain twin: %d records still held by Kafka after %d s,"
            + " failed by close(0)%n", twinHeld, TWIN_STRAGGLERS.toSeconds());
      }
      DeliveryReport r = checker.check("cold start resilient", topic + "-r", resilient).print();
      DeliveryReport p = checker.check("cold start plain twin", topic + "-p", twin).print();
      TunedTwins.print("started with no broker", resilient, r, twin, p);
      r.assertGuarantees("");
      assertThat(r.failed()).as("records the library failed").isZero();
      assertThat(resilient.refused()).as("send() calls that threw").isZero();
      assertThat(resilient.longestSendMs()).as("the library's send() does not block (bounded by scheduling noise)")
          .isLessThan(maxBlock.toMillis() / 5);
      assertThat(twin.longestSendMs()).as("the twin's send() blocks for max.block.ms").isGreaterThanOrEqualTo(maxBlock.toMillis() - 100);
      assertNeverWorse(r, p, resilient, twin);
    }
  }

  /**
   * Records for an explicit partition beyond the topic's partition count, interleaved with records for
   * existing partitions: the library refuses the former within seconds (cause REJECTED, naming the
   * partition count) and keeps the latter flowing; the twin's {@code send()} blocks {@code max.block.ms}
   * for each of the former.
   */
  @Test
  void explicitPartitionsInAndOutOfRange() throws Exception {
    String topic = "twin-explicit";
    cluster.createTopic(topic, 3, 3);
    Duration maxBlock = Duration.ofSeconds(3);
    try (ResilientProducer<String, String> resilient = TunedTwins.resilient(cluster, DELIVERY, Map.of());
        KafkaProducer<String, String> twin = TunedTwins.twin(cluster, DELIVERY, maxBlock, Map.of())) {
      ExplicitRun r = explicitRun(resilient, topic, "r");
      ExplicitRun p = explicitRun(twin, topic, "p");
      System.out.printf("TWIN %-28s %-10s longest-send=%6dms in-range acked=%d longest in-range ack=%dms out-of-range: %s%n",
          "explicit partitions", "resilient", r.longestSendMs, r.inRangeAcked, r.longestInRangeAckMs, r.outOfRange);
      System.out.printf("TWIN %-28s %-10s longest-send=%6dms in-range acked=%d longest in-range ack=%dms out-of-range: %s%n",
          "explicit partitions", "plain twin", p.longestSendMs, p.inRangeAcked, p.longestInRangeAckMs, p.outOfRange);
      assertThat(r.inRangeAcked).isEqualTo(ExplicitRun.IN_RANGE);
      assertThat(r.longestSendMs).as("no send() blocks (bounded by scheduling noise)").isLessThan(maxBlock.toMillis() / 3);
      assertThat(p.longestSendMs).as("the twin blocks on the missing partition").isGreaterThanOrEqualTo(maxBlock.toMillis() - 100);
      assertThat(r.longestInRangeAckMs).as("records for existing partitions are not held up").isLessThan(2_000);
      assertThat(r.outOfRange).hasSize(ExplicitRun.OUT_OF_RANGE).allSatisfy(outcome ->
          assertThat(outcome).startsWith("REJECTED").contains("3 partition(s)"));
      assertThat(r.longestOutOfRangeMs).as("refused within seconds, not at the delivery timeout").isLessThan(10_000);
    }
  }

  private static final class ExplicitRun {
    static final int IN_RANGE = 60;
    static final int OUT_OF_RANGE = 3;
    long longestSendMs;
    long inRangeAcked;
    long longestInRangeAckMs;
    long longestOutOfRangeMs;
    final List<String> outOfRange = new CopyOnWriteArrayList<>();
  }

  private static ExplicitRun explicitRun(Producer<String, String> producer, String topic, String prefix) throws Exception {
    ExplicitRun run = new ExplicitRun();
    AtomicLong acked = new AtomicLong();
    AtomicLong longestAck = new AtomicLong();
    AtomicLong longestOut = new AtomicLong();
    for (int i = 0; i < ExplicitRun.IN_RANGE; i++) {
      if (i % (ExplicitRun.IN_RANGE / ExplicitRun.OUT_OF_RANGE) == 0) {
        long sent = System.nanoTime();
        long start = System.nanoTime();
        try {
          producer.send(new ProducerRecord<>(topic, 7, prefix + "-x", prefix + "-out-" + i), (m, e) -> {
            longestOut.accumulateAndGet((System.nanoTime() - sent) / 1_000_000, Math::max);
            run.outOfRange.add(e == null ? "acked" : e instanceof DeliveryFailedException d
                ? d.failureCause() + ": " + d.getMessage() : e.toString());
          });
        } catch (KafkaException e) {
          run.outOfRange.add("send() threw " + e);
        }
        run.longestSendMs = Math.max(run.longestSendMs, (System.nanoTime() - start) / 1_000_000);
      }
      long start = System.nanoTime();
      producer.send(new ProducerRecord<>(topic, i % 3, prefix + "-k", prefix + "-" + i), (m, e) -> {
        if (e == null) {
          acked.incrementAndGet();
          longestAck.accumulateAndGet((System.nanoTime() - start) / 1_000_000, Math::max);
        }
      });
      run.longestSendMs = Math.max(run.longestSendMs, (System.nanoTime() - start) / 1_000_000);
    }
    producer.flush();
    await().atMost(WAIT).until(() -> run.outOfRange.size() == ExplicitRun.OUT_OF_RANGE);
    run.inRangeAcked = acked.get();
    run.longestInRangeAckMs = longestAck.get();
    run.longestOutOfRangeMs = longestOut.get();
    return run;
  }

  /**
   * The topic grows from 2 to 4 partitions while both clients write keyed records, and both then write to
   * the new partition 3 at once: nothing lost, no key reordered within a partition, and the library's
   * records for partition 3 wait (not fail) until its metadata shows the partition.
   */
  @Test
  void topicWhosePartitionCountGrows() throws Exception {
    String topic = "twin-grow";
    cluster.createTopic(topic + "-r", 2, 3);
    cluster.createTopic(topic + "-p", 2, 3);
    try (VerifyingProducer resilient = new VerifyingProducer(TunedTwins.resilient(cluster, DELIVERY, Map.of()), topic + "-r", 8, 1);
        VerifyingProducer twin = new VerifyingProducer(TunedTwins.twin(cluster, DELIVERY, Duration.ofSeconds(60), Map.of()), topic + "-p", 8, 1)) {
      resilient.start();
      twin.start();
      resilient.awaitAckedMore(100, WAIT);
      twin.awaitAckedMore(100, WAIT);
      cluster.admin().createPartitions(Map.of(topic + "-r", NewPartitions.increaseTo(4),
          topic + "-p", NewPartitions.increaseTo(4))).all().get();
      Map<String, String> newPartition = new ConcurrentHashMap<>();
      long[] longestSend = new long[2];
      int i = 0;
      for (VerifyingProducer client : List.of(resilient, twin)) {
        String name = client == resilient ? "resilient" : "plain twin";
        long start = System.nanoTime();
        client.producer().send(new ProducerRecord<>(client == resilient ? topic + "-r" : topic + "-p", 3, "new", "new-0"),
            (m, e) -> newPartition.put(name, e == null ? "acked at partition " + m.partition() : e.toString()));
        longestSend[i++] = (System.nanoTime() - start) / 1_000_000;
      }
      resilient.awaitAckedMore(300, WAIT);
      twin.awaitAckedMore(300, WAIT);
      resilient.stopAndAwaitCallbacks(WAIT);
      twin.stopAndAwaitCallbacks(WAIT);
      await().atMost(WAIT).until(() -> newPartition.size() == 2);
      DeliveryReport r = checker.check("growing topic resilient", topic + "-r", resilient.sent(),
          resilient.acked().keySet(), resilient.failed().keySet(), resilient.callbacksTwice(), resilient.longestAckGapMs());
      DeliveryReport p = checker.check("growing topic plain twin", topic + "-p", twin.sent(),
          twin.acked().keySet(), twin.failed().keySet(), twin.callbacksTwice(), twin.longestAckGapMs());
      TunedTwins.print("partition count grows", resilient, r, twin, p);
      System.out.printf("TWIN %-28s record for the new partition 3: resilient %s (send %d ms), plain twin %s (send %d ms)%n",
          "partition count grows", newPartition.get("resilient"), longestSend[0], newPartition.get("plain twin"), longestSend[1]);
      assertThat(newPartition.get("resilient")).isEqualTo("acked at partition 3");
      assertThat(longestSend[0]).isLessThan(1_000);
      assertThat(r.lost()).isZero();
      assertThat(r.reordered()).isZero();
      assertThat(r.failed()).isZero();
      assertNeverWorse(r, p, resilient, twin);
    }
  }

  /**
   * {@code flush()} and {@code close()} called from a callback, on Kafka's I/O thread (an acknowledged
   * record) and on the dispatcher (a record refused for a partition that does not exist): flush is
   * refused with an exception, as {@code KafkaProducer} does, instead of waiting for itself; close
   * returns at once and every other record still reaches an outcome.
   */
  @Test
  void closeAndFlushFromCallbacks() {
    String topic = "twin-callbacks";
    cluster.createTopic(topic, 3, 3);
    for (String thread : List.of("kafka-io", "dispatcher")) {
      ResilientProducer<String, String> resilient = TunedTwins.resilient(cluster, DELIVERY, Map.of());
      KafkaProducer<String, String> twin = TunedTwins.twin(cluster, DELIVERY, Duration.ofSeconds(3), Map.of());
      CallbackCalls r = callFromCallback(resilient, topic, thread.equals("dispatcher") ? 9 : 0);
      CallbackCalls p = thread.equals("dispatcher") ? null : callFromCallback(twin, topic, 0);
      System.out.printf("TWIN %-28s resilient on %s: %s%n", "flush/close in a callback", r.thread, r);
      if (p != null) {
        System.out.printf("TWIN %-28s plain twin on %s: %s%n", "flush/close in a callback", p.thread, p);
      }
      assertThat(r.thread).startsWith(thread.equals("dispatcher") ? "resilient-producer" : "kafka-producer-network-thread");
      assertThat(r.flush).startsWith("refused: KafkaException");
      assertThat(r.closeMs).as("close() from a callback returns at once").isLessThan(1_000);
      await().atMost(WAIT).until(() -> r.others.size() == CallbackCalls.OTHERS);
      resilient.close(Duration.ZERO);
      twin.close(Duration.ZERO);
    }
  }

  private static final class CallbackCalls {
    static final int OTHERS = 50;
    volatile String thread = "";
    volatile String flush = "";
    volatile long closeMs = -1;
    final Map<Integer, String> others = new ConcurrentHashMap<>();

    @Override
    public String toString() {
      return "flush() " + flush + ", close() took " + closeMs + " ms, other records completed: " + others.size()
          + " " + others.values().stream().map(s -> s.replaceAll(":.*", "")).distinct().toList();
    }
  }

  private static CallbackCalls callFromCallback(Producer<String, String> producer, String topic, int partition) {
    CallbackCalls calls = new CallbackCalls();
    producer.send(new ProducerRecord<>(topic, partition, "k", "first"), (m, e) -> {
      calls.thread = Thread.currentThread().getName();
      try {
        producer.flush();
        calls.flush = "returned";
      } catch (KafkaException refused) {
        calls.flush = "refused: " + refused.getClass().getSimpleName();
      }
      long start = System.nanoTime();
      producer.close(Duration.ofSeconds(30));
      calls.closeMs = (System.nanoTime() - start) / 1_000_000;
    });
    for (int i = 0; i < CallbackCalls.OTHERS; i++) {
      int n = i;
      try {
        producer.send(new ProducerRecord<>(topic, i % 3, "k", "other-" + i),
            (m, e) -> calls.others.put(n, e == null ? "acked" : e instanceof DeliveryFailedException d
                ? d.failureCause().name() : e.getClass().getSimpleName()));
      } catch (RuntimeException closed) {
        calls.others.put(n, "send() threw " + closed.getClass().getSimpleName());
      }
    }
    await().atMost(WAIT).until(() -> calls.closeMs >= 0);
    return calls;
  }

  /**
   * A record that first waits (no metadata: every broker down) and is then handed to Kafka while its
   * partition cannot take writes (one broker of three back) fails at its deadline counted from {@code
   * send()}, not from the hand-off, with the cause named.
   */
  @Test
  void deadlineCountsFromSendNotFromHandOver() {
    String topic = "twin-deadline";
    cluster.createTopic(topic, 3, 3);
    Duration delivery = Duration.ofSeconds(25);
    // brokers 0 and 1 leave the ISR first, so that broker 2 is the last in-sync replica when it dies too
    cluster.kill(0);
    cluster.kill(1);
    cluster.awaitIsrSize(new TopicPartition(topic, 0), 1, WAIT); // {2}: the one broker alive
    cluster.kill(2);
    try (ResilientProducer<String, String> resilient = TunedTwins.resilient(cluster, delivery, Map.of())) {
      Map<Integer, Long> failedAfterMs = new ConcurrentHashMap<>();
      Map<Integer, FailureCause> causes = new ConcurrentHashMap<>();
      long sent = System.nanoTime();
      for (int i = 0; i < 10; i++) {
        int n = i;
        resilient.send(new ProducerRecord<>(topic, "k" + i, "v" + i), (m, e) -> {
          failedAfterMs.put(n, e == null ? -1 : (System.nanoTime() - sent) / 1_000_000);
          if (e instanceof DeliveryFailedException d) {
            causes.put(n, d.failureCause());
          }
        });
      }
      await().atMost(WAIT).until(() -> System.nanoTime() - sent > Duration.ofSeconds(10).toNanos());
      cluster.start(2); // the last in-sync replica: leader again, alone in the ISR
      cluster.awaitReady(2, WAIT);
      long handOver = System.nanoTime();
      await().atMost(WAIT).until(() -> failedAfterMs.size() == 10);
      System.out.printf("TWIN %-28s records waited %d ms, then Kafka took them (partition 0 then: %s); outcomes "
              + "after %s ms from send(): %s%n", "deadline from send()", (handOver - sent) / 1_000_000,
          cluster.partitionInfo(new TopicPartition(topic, 0)), new ArrayList<>(failedAfterMs.values()), causes.values());
      assertThat(failedAfterMs.values()).allSatisfy(ms -> assertThat(ms).isBetween(delivery.toMillis() - 1_000,
          delivery.toMillis() + 3_000));
      // with one broker of the last ISR back, KRaft may keep the partition leaderless (eligible leader
      // replicas) or elect it alone in the ISR: either way the cause is named, never a bare timeout
      assertThat(causes.values()).hasSize(10).allSatisfy(cause ->
          assertThat(cause).isIn(FailureCause.ISR_SHORTFALL, FailureCause.LEADER_UNAVAILABLE));
    }
  }

  /**
   * Keyless records at a steady rate from 4 threads: the library leaves their partition to Kafka's
   * built-in partitioner (sticky batches), so its requests must carry as many records as the twin's
   * ({@code records-per-request-avg} of each inner producer), and its own queueing must not break batches.
   */
  @Test
  void keylessRecordsBatchAtLeastAsWellAsKafkasStickyPartitioner() throws Exception {
    String topic = "twin-keyless";
    cluster.createTopic(topic, 6, 3);
    Map<String, Object> availability = Map.of("partitioner.availability.timeout.ms", 1_000);
    try (ResilientProducer<String, String> resilient = TunedTwins.resilient(cluster, DELIVERY, availability);
        KafkaProducer<String, String> twin = TunedTwins.twin(cluster, DELIVERY, Duration.ofSeconds(60), availability)) {
      double[] perRequest = new double[2];
      int i = 0;
      for (Producer<String, String> producer : List.of(resilient, twin, resilient, twin)) {
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          Thread thread = new Thread(() -> {
            long next = System.nanoTime();
            for (int n = 0; n < 1_500; n++) {
              producer.send(new ProducerRecord<>(topic, null, "x".repeat(200)));
              next += 1_000_000; // 1,000 records a second per thread
              java.util.concurrent.locks.LockSupport.parkNanos(Math.max(0, next - System.nanoTime())); // pacing
            }
          });
          threads.add(thread);
          thread.start();
        }
        for (Thread thread : threads) {
          thread.join();
        }
        producer.flush();
        perRequest[i++ % 2] += producer.metrics().entrySet().stream()
            .filter(e -> e.getKey().name().equals("records-per-request-avg") && e.getKey().group().equals("producer-metrics"))
            .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).findFirst().orElse(0) / 2;
      }
      System.out.printf("TWIN %-28s records per produce request (mean of 2 runs each): resilient %.1f, plain twin %.1f%n",
          "keyless batching", perRequest[0], perRequest[1]);
      assertThat(perRequest[0]).as("records per request: at least the twin's (10 %% noise)").isGreaterThanOrEqualTo(perRequest[1] * 0.9);
    }
  }

  private static void assertNeverWorse(DeliveryReport r, DeliveryReport p, VerifyingProducer resilient,
      VerifyingProducer twin) {
    assertThat(resilient.longestSendMs()).as("longest send(): never worse than the twin").isLessThanOrEqualTo(Math.max(1_000, twin.longestSendMs()));
    assertThat(resilient.longestAckGapMs()).as("longest ack gap: never worse than the twin (timer noise: %d ms)", TunedTwins.GAP_SLACK_MS)
        .isLessThanOrEqualTo(twin.longestAckGapMs() + TunedTwins.GAP_SLACK_MS);
    assertThat(r.lost()).isLessThanOrEqualTo(p.lost());
    assertThat(r.failed() + resilient.refused()).isLessThanOrEqualTo(p.failed() + twin.refused());
    assertThat(r.unremovableDuplicates()).isLessThanOrEqualTo(p.duplicates());
    assertThat(r.reordered()).isLessThanOrEqualTo(p.reordered());
  }
}
