package dev.resilientkafka.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.resilientkafka.DeliveryFailedException;
import dev.resilientkafka.DeliveryFailedException.Recovery;
import dev.resilientkafka.FailureCause;
import dev.resilientkafka.ResilientProducer;
import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Transactions through broker faults, each beside the tuned plain twin (a transactional {@code
 * KafkaProducer} with the same settings, {@link TunedTwins}) running the same application code; both are
 * printed, the library's result is asserted. Output topics are read with {@code read_committed}.
 */
@Tag("long")
class TransactionalFaultsTest {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final Duration DELIVERY = Duration.ofSeconds(120);
  private static final Duration MAX_BLOCK = Duration.ofSeconds(12);
  private static LocalKafkaCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = VerifyClients.startFaultCluster();
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

  private static Map<String, Object> transactional(String transactionalId) {
    return Map.of("transactional.id", transactionalId, "max.block.ms", (int) MAX_BLOCK.toMillis());
  }

  /**
   * A read-process-write loop (consume, transform, produce, {@code sendOffsetsToTransaction}, commit) over
   * input fed at 100 records/s, through a SIGKILL of the leader of an output partition (restarted after
   * 15 s) and then a broker restarted on a new IP: the output, read with {@code read_committed}, holds
   * each input record exactly once and every key in order.
   */
  @Test
  void readProcessWriteThroughLeaderKillAndNewIpIsExactlyOnce() throws Exception {
    String input = "rpw-in";
    cluster.createTopic(input, 3, 3);
    cluster.createTopic("rpw-out-r", 3, 3);
    cluster.createTopic("rpw-out-p", 3, 3);
    Map<String, Object> clientConfig = new HashMap<>(cluster.clientSecurityProperties());
    clientConfig.put("bootstrap.servers", cluster.bootstrapFqdns());
    ReadProcessWriteLoop resilient = new ReadProcessWriteLoop("rpw-r",
        () -> TunedTwins.resilient(cluster, DELIVERY, transactional("rpw-r")), clientConfig, input, "rpw-out-r");
    ReadProcessWriteLoop plain = new ReadProcessWriteLoop("rpw-p",
        () -> TunedTwins.twin(cluster, DELIVERY, MAX_BLOCK, transactional("rpw-p")), clientConfig, input, "rpw-out-p");
    AtomicInteger fed = new AtomicInteger();
    ScheduledExecutorService feeder = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "rpw-feed"));
    boolean plainCaughtUp;
    try (ResilientProducer<String, String> feed = TunedTwins.resilient(cluster, DELIVERY, Map.of())) {
      feeder.scheduleAtFixedRate(() -> {
        int n = fed.getAndIncrement();
        feed.send(new ProducerRecord<>(input, "k" + (n % 12), "in-" + n));
      }, 0, 10, TimeUnit.MILLISECONDS);
      resilient.start();
      plain.start();
      awaitCommitted(resilient, 300);

      TopicPartition out = new TopicPartition("rpw-out-r", 0);
      int victim = cluster.leaderOf(out);
      cluster.kill(victim);
      long killed = System.nanoTime();
      cluster.awaitLeaderChange(out, victim, WAIT);
      await().atMost(WAIT).until(() -> System.nanoTime() - killed > TimeUnit.SECONDS.toNanos(15));
      cluster.start(victim);
      cluster.awaitReady(victim, WAIT);
      awaitCommitted(resilient, resilient.recordsCommitted.get() + 300);

      int moved = (victim + 1) % 3;
      cluster.restartOnNewIp(moved);
      cluster.awaitReady(moved, WAIT);
      awaitCommitted(resilient, resilient.recordsCommitted.get() + 300);

      feeder.shutdown();
      assertThat(feeder.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
      feed.flush();
    }
    Map<TopicPartition, Long> end = endOffsets(input);
    await().atMost(WAIT).until(() -> caughtUp("rpw-r", end));
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> caughtUp("rpw-p", end));
      plainCaughtUp = true;
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      plainCaughtUp = false;
    }
    resilient.close();
    plain.close();

    int in = fed.get();
    Report r = report("resilient", "rpw-out-r", in);
    Report p = report("plain twin", "rpw-out-p", in);
    System.out.printf("TXN read-process-write %s%nTXN read-process-write %s (caught up: %s)%n", r.line(resilient),
        p.line(plain), plainCaughtUp);
    assertThat(resilient.crashed()).as("the loop ran to the end").isNull();
    assertThat(r.missing).as("input records missing from the output").isZero();
    assertThat(r.duplicates).as("input records written twice").isZero();
    assertThat(r.reordered).as("keys out of order").isEmpty();
  }

  /**
   * Two of three brokers down during a transaction (ISR below {@code min.insync.replicas}): the commit
   * fails within {@code max.block.ms} with cause ISR_SHORTFALL and recovery ABORT_TRANSACTION (the twin's
   * with a bare {@code TimeoutException}); the application aborts, retrying the abort while the
   * coordinator cannot answer, and runs the transaction again once the brokers are back: the output holds
   * each record exactly once.
   */
  @Test
  void twoOfThreeBrokersDownDuringATransaction() throws Exception {
    outageDuringATransaction("isr", FailureCause.ISR_SHORTFALL, survivor -> {
      int[] stopped = IntStream.range(0, 3).filter(id -> id != survivor).toArray();
      for (int id : stopped) {
        cluster.stop(id);
      }
      cluster.awaitIsrSize(new TopicPartition("isr-r", 0), 1, WAIT);
      return stopped;
    });
  }

  /** Every broker SIGKILLed during a transaction: as above, with cause BROKERS_UNREACHABLE. */
  @Test
  void allBrokersKilledDuringATransaction() throws Exception {
    outageDuringATransaction("gone", FailureCause.BROKERS_UNREACHABLE, survivor -> {
      int[] killed = {0, 1, 2};
      for (int id : killed) {
        cluster.kill(id);
      }
      return killed;
    });
  }

  /** Brings brokers down (given the leader of partition 0), returns which. */
  private interface Outage {
    int[] start(int leader) throws Exception;
  }

  private void outageDuringATransaction(String prefix, FailureCause expected, Outage outage) throws Exception {
    String topic = prefix + "-r";
    cluster.createTopic(topic, 3, 3);
    cluster.createTopic(prefix + "-p", 3, 3);
    try (ResilientProducer<String, String> resilient = TunedTwins.resilient(cluster, DELIVERY, transactional(topic));
        Producer<String, String> plain = TunedTwins.twin(cluster, DELIVERY, MAX_BLOCK, transactional(prefix + "-p"))) {
      Application r = new Application(resilient, topic);
      Application p = new Application(plain, prefix + "-p");
      r.firstHalf();
      p.firstHalf();
      int[] down = outage.start(cluster.leaderOf(new TopicPartition(topic, 0)));
      long downSince = System.nanoTime();
      CompletableFuture<Void> resilientRun = CompletableFuture.runAsync(r::secondHalfAndCommit);
      CompletableFuture<Void> plainRun = CompletableFuture.runAsync(p::secondHalfAndCommit);
      // twice max.block.ms: the commit fails, then the first abort fails too and is retried
      await().atMost(WAIT).until(() -> System.nanoTime() - downSince > MAX_BLOCK.multipliedBy(2).toNanos());
      long restarted = System.nanoTime();
      for (int id : down) {
        cluster.start(id);
      }
      for (int id : down) {
        cluster.awaitReady(id, WAIT);
      }
      long back = System.nanoTime();
      resilientRun.get(3, TimeUnit.MINUTES);
      plainRun.get(3, TimeUnit.MINUTES);
      System.out.printf("TXN %s %d broker(s) down for %d s%n", prefix, down.length, (back - downSince) / 1_000_000_000);
      System.out.printf("TXN %s resilient: %s%nTXN %s plain twin: %s%n", prefix, r, prefix, p);

      DeliveryFailedException first = (DeliveryFailedException) r.calls.get(0).failure;
      assertThat(first.failureCause()).as("the commit names the cause").isEqualTo(expected);
      assertThat(first.recovery()).isEqualTo(Recovery.ABORT_TRANSACTION);
      assertThat(r.calls.get(0).millis).as("the commit failed within max.block.ms")
          .isBetween(MAX_BLOCK.toMillis() - 100, MAX_BLOCK.toMillis() + 5_000);
      assertThat(r.calls).as("an abort while the coordinator could not answer, failed as retriable")
          .anySatisfy(call -> {
            assertThat(call.name()).isEqualTo("abortTransaction");
            assertThat(((DeliveryFailedException) call.failure()).recovery()).isEqualTo(Recovery.RETRY);
          });
      assertThat(r.committedAfterNs).as("committed once the brokers were back").isGreaterThan(restarted);
      r.outcomes.assertNoneTwice();
      assertThat(r.outcomes.failures()).as("the first attempt's records not acknowledged before the outage")
          .allSatisfy((value, error) -> assertThat(((DeliveryFailedException) error).failureCause())
              .isEqualTo(FailureCause.ABORTED));
    }
    Report r = report("resilient", topic, Application.RECORDS);
    Report p = report("plain twin", prefix + "-p", Application.RECORDS);
    System.out.printf("TXN %s %s%nTXN %s %s%n", prefix, r.line(null), prefix, p.line(null));
    assertThat(r.missing).isZero();
    assertThat(r.duplicates).isZero();
  }

  /**
   * One application's transaction: 50 records acknowledged before the outage, 50 sent during it, then
   * commit; on failure what the exception says (KIP-1050 classes, or the library's recovery), and the
   * whole transaction again after an abort.
   */
  private static final class Application {
    static final int RECORDS = 100;
    final Producer<String, String> producer;
    final String topic;
    final List<Call> calls = new ArrayList<>();
    /** Callbacks of the first attempt's records. */
    final TransactionalProducerTest.Callbacks outcomes = new TransactionalProducerTest.Callbacks();
    long committedAfterNs;

    record Call(String name, long millis, RuntimeException failure) {
      @Override
      public String toString() {
        String what = failure instanceof DeliveryFailedException d ? d.failureCause() + "/" + d.recovery()
            : failure.getClass().getSimpleName();
        return name + " failed after " + millis + " ms: " + what;
      }
    }

    Application(Producer<String, String> producer, String topic) {
      this.producer = producer;
      this.topic = topic;
    }

    void firstHalf() throws Exception {
      producer.initTransactions();
      producer.beginTransaction();
      for (int i = 0; i < RECORDS / 2; i++) {
        producer.send(new ProducerRecord<>(topic, "k" + (i % 6), "v-" + i), outcomes.callback("v-" + i))
            .get(60, TimeUnit.SECONDS);
      }
    }

    void secondHalfAndCommit() {
      for (int i = RECORDS / 2; i < RECORDS; i++) {
        producer.send(new ProducerRecord<>(topic, "k" + (i % 6), "v-" + i), outcomes.callback("v-" + i));
      }
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      String next = "commitTransaction";
      while (System.nanoTime() < deadline) {
        long start = System.nanoTime();
        try {
          switch (next) {
            case "commitTransaction" -> {
              producer.commitTransaction();
              committedAfterNs = System.nanoTime();
              return;
            }
            case "abortTransaction" -> {
              producer.abortTransaction();
              producer.beginTransaction();
              for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + (i % 6), "v-" + i));
              }
              next = "commitTransaction";
            }
            default -> throw new IllegalStateException(next);
          }
        } catch (RuntimeException e) {
          calls.add(new Call(next, (System.nanoTime() - start) / 1_000_000, e));
          boolean retry = e instanceof DeliveryFailedException d ? d.recovery() == Recovery.RETRY
              : e instanceof RetriableException;
          if (!retry) {
            if (next.equals("abortTransaction")) {
              throw e;
            }
            next = "abortTransaction";
          }
        }
      }
      throw new AssertionError(topic + ": not committed within 3 minutes: " + calls);
    }

    @Override
    public String toString() {
      return calls + (committedAfterNs > 0 ? ", then committed" : ", never committed");
    }
  }

  private static void awaitCommitted(ReadProcessWriteLoop loop, long records) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
      if (loop.crashed() != null) {
        throw new AssertionError(loop.name + " crashed", loop.crashed());
      }
      return loop.recordsCommitted.get() >= records;
    });
  }

  private static Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    for (int p = 0; p < 3; p++) {
      request.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    Map<TopicPartition, Long> end = new HashMap<>();
    for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e
        : cluster.admin().listOffsets(request).all().get(30, TimeUnit.SECONDS).entrySet()) {
      end.put(e.getKey(), e.getValue().offset());
    }
    return end;
  }

  private static boolean caughtUp(String group, Map<TopicPartition, Long> end) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed = cluster.admin().listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
    return end.entrySet().stream().allMatch(e -> committed.get(e.getKey()) != null
        && committed.get(e.getKey()).offset() >= e.getValue());
  }

  private record Report(String client, long in, long out, long missing, long duplicates, List<String> reordered) {
    String line(ReadProcessWriteLoop loop) {
      return String.format("%-10s in=%d out(read_committed)=%d missing=%d duplicates=%d reordered=%d%s", client, in, out,
          missing, duplicates, reordered.size(), loop == null ? "" : " | " + loop);
    }
  }

  /** What {@code read_committed} consumers see of {@code topic} against the {@code count} inputs. */
  private static Report report(String client, String topic, int count) {
    CommittedRecords committed = CommittedRecords.readCommitted(cluster, topic);
    Map<String, Integer> copies = committed.copies();
    String prefix = topic.startsWith("rpw-") ? "out-in-" : "v-";
    long missing = IntStream.range(0, count).filter(n -> !copies.containsKey(prefix + n)).count();
    long duplicates = copies.values().stream().mapToLong(n -> n - 1).sum();
    return new Report(client, count, committed.records.size(), missing, duplicates, committed.reordered());
  }
}
