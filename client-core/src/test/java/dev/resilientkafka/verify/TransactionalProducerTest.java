package dev.resilientkafka.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.resilientkafka.DeliveryFailedException;
import dev.resilientkafka.DeliveryFailedException.Recovery;
import dev.resilientkafka.FailureCause;
import dev.resilientkafka.ProducerListener;
import dev.resilientkafka.ResilientProducer;
import dev.resilientkafka.metrics.MicrometerProducerMetrics;
import dev.resilientkafka.testkit.LocalKafkaCluster;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApplicationRecoverableException;
import org.apache.kafka.common.errors.TransactionAbortableException;
import org.apache.kafka.common.errors.TransactionAbortedException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Transactions through {@link ResilientProducer} on a healthy cluster (topics are not created
 * automatically, so a record for a topic that does not exist yet really waits): records waiting for
 * metadata are committed, abort fails what waits and hides what was written, fencing, offsets of a consumer
 * that left its group, and misuse. Where a plain transactional {@code KafkaProducer} with the same settings
 * behaves differently, it runs beside and both are printed.
 */
class TransactionalProducerTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final Duration DELIVERY = Duration.ofSeconds(120);
  private static final Duration MAX_BLOCK = Duration.ofSeconds(15);
  private static LocalKafkaCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = LocalKafkaCluster.builder().brokerProperty("auto.create.topics.enable", "false").start();
  }

  @AfterAll
  static void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static ResilientProducer<String, String> resilient(String transactionalId, ProducerListener... listeners) {
    return TunedTwins.resilient(cluster, DELIVERY, Map.of("transactional.id", transactionalId,
        "max.block.ms", (int) MAX_BLOCK.toMillis()), listeners);
  }

  /** A meter of {@code registry} by its cause tag; 0 when it was never incremented. */
  private static double count(SimpleMeterRegistry registry, String name, String cause) {
    Counter counter = registry.find(name).tag("cause", cause).counter();
    return counter == null ? 0 : counter.count();
  }

  private static KafkaProducer<String, String> twin(String transactionalId, Duration maxBlock) {
    return TunedTwins.twin(cluster, DELIVERY, maxBlock, Map.of("transactional.id", transactionalId));
  }

  /**
   * Records for a topic that does not exist yet, sent inside a transaction: the library's {@code send()}
   * returns at once and the records wait, in order; once the topic exists the commit hands them over and
   * returns after every callback ran. The twin's {@code send()} blocks {@code max.block.ms}, fails the
   * record, and that makes its whole transaction abortable.
   */
  @Test
  void recordsWaitingForMetadataAreHandedOverBeforeTheCommit() {
    String topic = "txn-late-r";
    Callbacks callbacks = new Callbacks();
    long longestSend = 0;
    long commitMs;
    try (ResilientProducer<String, String> producer = resilient("late-r");
        KafkaProducer<String, String> plain = twin("late-p", Duration.ofSeconds(3))) {
      producer.initTransactions();
      producer.beginTransaction();
      for (int i = 0; i < 60; i++) {
        long start = System.nanoTime();
        producer.send(new ProducerRecord<>(topic, "k" + (i % 6), "v-" + i), callbacks.callback("v-" + i));
        longestSend = Math.max(longestSend, (System.nanoTime() - start) / 1_000_000);
      }
      assertThat(callbacks.completed()).as("nothing completes while the topic does not exist").isZero();

      plain.initTransactions();
      plain.beginTransaction();
      long plainStart = System.nanoTime();
      var plainFuture = plain.send(new ProducerRecord<>("txn-late-p", "k0", "v-0"));
      long plainSendMs = (System.nanoTime() - plainStart) / 1_000_000;
      Throwable plainRecord = catchThrowable(plainFuture::get);

      cluster.createTopic(topic, 3, 3);
      cluster.createTopic("txn-late-p", 3, 3);
      long commitStart = System.nanoTime();
      producer.commitTransaction();
      commitMs = (System.nanoTime() - commitStart) / 1_000_000;
      assertThat(callbacks.acked()).as("every callback ran before commitTransaction() returned").hasSize(60);
      Throwable plainCommit = catchThrowable(plain::commitTransaction);
      plain.abortTransaction();

      System.out.printf("TXN metadata-late resilient: longest send() %d ms, 60 records waited, commit took %d ms after "
          + "the topic was created, all 60 acked%n", longestSend, commitMs);
      System.out.printf("TXN metadata-late plain twin: send() blocked %d ms, record failed with %s, commit failed with %s%n",
          plainSendMs, plainRecord.getCause(), plainCommit);
      assertThat(longestSend).as("send() did not wait for metadata").isLessThan(500);
      assertThat(plainSendMs).as("the twin's send() blocks for max.block.ms").isGreaterThanOrEqualTo(2_900);
      assertThat(plainCommit).as("the twin's refused record doomed its transaction").isInstanceOf(KafkaException.class);
    }
    CommittedRecords committed = CommittedRecords.readCommitted(cluster, topic);
    assertThat(committed.values()).containsExactlyInAnyOrderElementsOf(
        IntStream.range(0, 60).mapToObj(i -> "v-" + i).toList());
    assertThat(committed.reordered()).as("per-key order").isEmpty();
    callbacks.assertNoneTwice();
  }

  /**
   * Kafka's accumulator full inside a transaction: 120 partitions, one small record each, 16 KiB batches
   * lingering 5 s, a pool of 72 batches ({@code resilient.buffer.max.bytes} 64 KiB sizes it). Kafka's
   * {@code send()} would refuse the 73rd record and doom the transaction; the library keeps it waiting
   * instead (Kafka's buffer-exhausted count stays 0), and the commit, which makes Kafka send its lingering
   * batches as Kafka's own commit does, delivers all 120. The twin blocks in {@code send()} instead.
   */
  @Test
  void aFullKafkaAccumulatorDoesNotDoomTheTransaction() {
    String topic = "txn-full";
    cluster.createTopic(topic, 120, 1);
    cluster.createTopic(topic + "-p", 120, 1);
    // 72 batches: the least the library lets Kafka's pool be for a 64 KiB buffer (2 x 64 KiB + 64 batches)
    Map<String, Object> tight = Map.of("batch.size", 16_384, "linger.ms", 5_000, "buffer.memory", 72 * 16_384,
        "max.block.ms", (int) MAX_BLOCK.toMillis());
    AtomicInteger waited = new AtomicInteger();
    Callbacks callbacks = new Callbacks();
    try (ResilientProducer<String, String> producer = ResilientProducer.<String, String>builder()
        .config(TunedTwins.common(cluster, DELIVERY)).config(tight).config("transactional.id", "full-r")
        .bufferMaxBytes(64 * 1024).serializers(new StringSerializer(), new StringSerializer())
        .listener(new ProducerListener() {
          @Override
          public void onRecovered(String t) {
            waited.incrementAndGet();
          }
        }).build();
        KafkaProducer<String, String> plain = TunedTwins.twin(cluster, DELIVERY, MAX_BLOCK, Map.of(
            "transactional.id", "full-p", "batch.size", 16_384, "linger.ms", 5_000, "buffer.memory", 72 * 16_384))) {
      long[] longest = new long[2];
      long[] commitMs = new long[2];
      List<Producer<String, String>> clients = List.of(producer, plain);
      for (int c = 0; c < 2; c++) {
        Producer<String, String> client = clients.get(c);
        client.partitionsFor(c == 0 ? topic : topic + "-p"); // metadata first: records wait for room only
        client.initTransactions();
        client.beginTransaction();
        for (int p = 0; p < 120; p++) {
          long start = System.nanoTime();
          client.send(new ProducerRecord<>(c == 0 ? topic : topic + "-p", p, "k", "v-" + p),
              c == 0 ? callbacks.callback("v-" + p) : null);
          longest[c] = Math.max(longest[c], (System.nanoTime() - start) / 1_000_000);
        }
        long start = System.nanoTime();
        client.commitTransaction();
        commitMs[c] = (System.nanoTime() - start) / 1_000_000;
      }
      double exhausted = kafkaMetric(producer, "buffer-exhausted-total");
      System.out.printf("TXN accumulator-full resilient: longest send() %d ms, %d of 120 records waited, Kafka refused %.0f, "
          + "commit took %d ms%n", longest[0], waited.get(), exhausted, commitMs[0]);
      System.out.printf("TXN accumulator-full plain twin: longest send() %d ms, commit took %d ms%n", longest[1], commitMs[1]);
      assertThat(exhausted).as("Kafka never refused a record").isZero();
      assertThat(waited.get()).as("records waited for room in Kafka's accumulator (72 batches fit)").isBetween(120 - 72, 119);
      assertThat(callbacks.acked()).hasSize(120);
      assertThat(longest[0]).as("send() did not wait for room").isLessThan(500);
      assertThat(commitMs[0]).as("the commit did not wait out linger.ms for every batch in turn").isLessThan(MAX_BLOCK.toMillis());
    }
    assertThat(CommittedRecords.readCommitted(cluster, topic).values()).hasSize(120);
    callbacks.assertNoneTwice();
  }

  private static double kafkaMetric(Producer<?, ?> producer, String name) {
    return producer.metrics().entrySet().stream()
        .filter(e -> e.getKey().name().equals(name) && e.getKey().group().equals("producer-metrics"))
        .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).findFirst().orElseThrow();
  }

  /**
   * Abort with records still waiting (their topic does not exist) and records already written: the
   * waiting ones fail at once with ABORTED (recovery ABORT_TRANSACTION), the written ones stay in the log
   * but {@code read_committed} sees none of them; the next transaction commits normally.
   */
  @Test
  void abortFailsWaitingRecordsAndHidesWrittenOnes() {
    String topic = "txn-abort";
    cluster.createTopic(topic, 3, 3);
    Callbacks callbacks = new Callbacks();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (ResilientProducer<String, String> producer = resilient("abort", new MicrometerProducerMetrics(registry))) {
      producer.initTransactions();
      producer.beginTransaction();
      for (int i = 0; i < 10; i++) {
        producer.send(new ProducerRecord<>(topic, "k" + i, "written-" + i), callbacks.callback("written-" + i));
      }
      await().atMost(WAIT).until(() -> callbacks.acked().size() == 10);
      for (int i = 0; i < 5; i++) {
        producer.send(new ProducerRecord<>("txn-abort-missing", "k" + i, "waiting-" + i), callbacks.callback("waiting-" + i));
      }
      assertThat(producer.bufferedRecords()).as("the records for the missing topic wait").isEqualTo(5);
      long start = System.nanoTime();
      producer.abortTransaction();
      long abortMs = (System.nanoTime() - start) / 1_000_000;
      assertThat(callbacks.failures()).hasSize(5).allSatisfy((value, error) -> {
        assertThat(value).startsWith("waiting-");
        assertThat(error).isInstanceOfSatisfying(DeliveryFailedException.class, failed -> {
          assertThat(failed.failureCause()).isEqualTo(FailureCause.ABORTED);
          assertThat(failed.recovery()).isEqualTo(Recovery.ABORT_TRANSACTION);
          assertThat(failed.getCause()).isInstanceOf(TransactionAbortedException.class);
        });
      });
      assertThat(producer.bufferedRecords()).isZero();
      assertThat(count(registry, "resilientkafka.producer.records.failed", "aborted")).isEqualTo(5);
      assertThat(registry.find("resilientkafka.producer.transactions.failed").counters()).as("the abort itself worked")
          .isEmpty();

      producer.beginTransaction();
      for (int i = 0; i < 10; i++) {
        producer.send(new ProducerRecord<>(topic, "k" + i, "after-" + i), callbacks.callback("after-" + i));
      }
      producer.commitTransaction();
      System.out.printf("TXN abort: 5 waiting records failed ABORTED at once, 10 written ones aborted; abort took %d ms%n",
          abortMs);
    }
    assertThat(CommittedRecords.readCommitted(cluster, topic).values()).as("read_committed")
        .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 10).mapToObj(i -> "after-" + i).toList());
    assertThat(CommittedRecords.readUncommitted(cluster, topic).values()).as("read_uncommitted")
        .filteredOn(v -> v.startsWith("written-")).hasSize(10);
    callbacks.assertNoneTwice();
  }

  /**
   * A second producer with the same {@code transactional.id} fences the first: the first's commit fails as
   * FENCED (recovery CLOSE_PRODUCER, the cause an {@code ApplicationRecoverableException}), its later calls
   * fail the same way, and nothing of its aborted transaction is visible to {@code read_committed}. The
   * twin pair runs the same steps.
   */
  @Test
  void aSecondProducerWithTheSameIdFencesTheFirst() throws Exception {
    String topic = "txn-fence";
    cluster.createTopic(topic, 3, 3);
    cluster.createTopic(topic + "-p", 3, 3);
    Callbacks callbacks = new Callbacks();
    Throwable commitFailure;
    long commitMs;
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (ResilientProducer<String, String> first = resilient("fence-r", new MicrometerProducerMetrics(registry))) {
      first.initTransactions();
      first.beginTransaction();
      for (int i = 0; i < 10; i++) {
        first.send(new ProducerRecord<>(topic, "k" + i, "first-" + i), callbacks.callback("first-" + i));
      }
      await().atMost(WAIT).until(() -> callbacks.acked().size() == 10);
      try (ResilientProducer<String, String> second = resilient("fence-r")) {
        second.initTransactions();
        long start = System.nanoTime();
        commitFailure = catchThrowable(first::commitTransaction);
        commitMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(commitFailure).isInstanceOfSatisfying(DeliveryFailedException.class, failed -> {
          assertThat(failed.failureCause()).isEqualTo(FailureCause.FENCED);
          assertThat(failed.recovery()).isEqualTo(Recovery.CLOSE_PRODUCER);
          assertThat(failed.getCause()).isInstanceOf(ApplicationRecoverableException.class);
        });
        assertThatThrownBy(first::beginTransaction).isInstanceOfSatisfying(DeliveryFailedException.class,
            failed -> assertThat(failed.failureCause()).isEqualTo(FailureCause.FENCED));
        assertThat(count(registry, "resilientkafka.producer.transactions.failed", "fenced"))
            .as("the commit and the begin that failed, though no record did").isEqualTo(2);
        assertThat(registry.find("resilientkafka.producer.records.failed").counters()).isEmpty();
        second.beginTransaction();
        for (int i = 0; i < 10; i++) {
          second.send(new ProducerRecord<>(topic, "k" + i, "second-" + i));
        }
        second.commitTransaction();
      }
    }
    Throwable plainFailure;
    try (KafkaProducer<String, String> first = twin("fence-p", MAX_BLOCK)) {
      first.initTransactions();
      first.beginTransaction();
      first.send(new ProducerRecord<>(topic + "-p", "k", "first")).get();
      try (KafkaProducer<String, String> second = twin("fence-p", MAX_BLOCK)) {
        second.initTransactions();
        plainFailure = catchThrowable(first::commitTransaction);
      }
    } catch (KafkaException e) {
      plainFailure = e;
    }
    System.out.printf("TXN fencing resilient: commit failed after %d ms: %s%n", commitMs, commitFailure);
    System.out.printf("TXN fencing plain twin: commit failed with %s%n", plainFailure);
    assertThat(CommittedRecords.readCommitted(cluster, topic).values()).as("read_committed")
        .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 10).mapToObj(i -> "second-" + i).toList());
    callbacks.assertNoneTwice();
  }

  /**
   * Offsets of a consumer that has left its group: {@code sendOffsetsToTransaction} returns (Kafka queued
   * them), the commit fails with recovery ABORT_TRANSACTION and the group coordinator's {@code
   * CommitFailedException} in the cause chain, and neither the records nor the offsets are committed. The
   * twin throws the {@code CommitFailedException} from {@code sendOffsetsToTransaction} itself.
   */
  @Test
  void offsetsOfAConsumerThatLeftItsGroupMakeTheCommitFail() throws Exception {
    String input = "txn-offsets-in";
    String output = "txn-offsets-out";
    cluster.createTopic(input, 1, 3);
    cluster.createTopic(output, 1, 3);
    try (ResilientProducer<String, String> feed = TunedTwins.resilient(cluster, DELIVERY, Map.of())) {
      for (int i = 0; i < 5; i++) {
        feed.send(new ProducerRecord<>(input, "k", "in-" + i));
      }
      feed.flush();
    }
    StaleGroup stale = staleGroup(input, "txn-offsets");
    Throwable commitFailure;
    try (ResilientProducer<String, String> producer = resilient("offsets-r")) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(output, "k", "out-0"));
      producer.sendOffsetsToTransaction(stale.offsets, stale.metadata);
      commitFailure = catchThrowable(producer::commitTransaction);
      assertThat(commitFailure).isInstanceOfSatisfying(DeliveryFailedException.class, failed -> {
        assertThat(failed.recovery()).isEqualTo(Recovery.ABORT_TRANSACTION);
        assertThat(failed.getCause()).isInstanceOf(TransactionAbortableException.class);
      });
      assertThat(commitFailure).hasRootCauseInstanceOf(CommitFailedException.class);
      assertThatThrownBy(producer::commitTransaction).as("only abort may follow")
          .isInstanceOf(DeliveryFailedException.class).hasMessageContaining("abortTransaction() first");
      producer.abortTransaction();
    }
    Throwable plainFailure;
    try (KafkaProducer<String, String> plain = twin("offsets-p", MAX_BLOCK)) {
      plain.initTransactions();
      plain.beginTransaction();
      plain.send(new ProducerRecord<>(output, "k", "plain-0"));
      plainFailure = catchThrowable(() -> plain.sendOffsetsToTransaction(stale.offsets, stale.metadata));
      plain.abortTransaction();
    }
    System.out.printf("TXN stale offsets resilient: sendOffsetsToTransaction returned, commit failed: %s%n", commitFailure);
    System.out.printf("TXN stale offsets plain twin: sendOffsetsToTransaction failed: %s%n", plainFailure);
    assertThat(CommittedRecords.readCommitted(cluster, output).values()).isEmpty();
    assertThat(cluster.admin().listConsumerGroupOffsets("txn-offsets").partitionsToOffsetAndMetadata()
        .get(30, TimeUnit.SECONDS)).as("no offsets committed").isEmpty();
  }

  private record StaleGroup(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata metadata) {}

  /** The offsets and group metadata of a consumer that read {@code topic} and then left its group. */
  private static StaleGroup staleGroup(String topic, String group) {
    Map<String, Object> config = new HashMap<>(cluster.clientSecurityProperties());
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapFqdns());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
      consumer.subscribe(List.of(topic));
      List<ConsumerRecord<String, String>> read = new ArrayList<>();
      await().atMost(WAIT).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(read::add);
        return read.size() == 5;
      });
      TopicPartition partition = new TopicPartition(topic, 0);
      return new StaleGroup(Map.of(partition, new OffsetAndMetadata(consumer.position(partition))),
          consumer.groupMetadata());
    }
  }

  /**
   * Calls in the wrong state throw {@link IllegalStateException} as Kafka's do; a transactional call from a
   * callback of the producer throws instead of waiting for itself.
   */
  @Test
  void misuseIsRefusedAsKafkaRefusesIt() {
    String topic = "txn-misuse";
    cluster.createTopic(topic, 3, 3);
    ResilientProducer<String, String> producer = resilient("misuse");
    ProducerRecord<String, String> record = new ProducerRecord<>(topic, "k", "v");
    assertThatThrownBy(() -> producer.send(record)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("initTransactions()");
    assertThatThrownBy(producer::beginTransaction).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(producer::commitTransaction).isInstanceOf(IllegalStateException.class);
    producer.initTransactions();
    assertThatThrownBy(producer::initTransactions).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> producer.send(record)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("beginTransaction()");
    assertThatThrownBy(producer::commitTransaction).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(producer::abortTransaction).isInstanceOf(IllegalStateException.class);
    producer.beginTransaction();
    assertThatThrownBy(producer::beginTransaction).isInstanceOf(IllegalStateException.class);
    AtomicReference<Throwable> fromCallback = new AtomicReference<>();
    producer.send(record, (metadata, error) -> fromCallback.set(catchThrowable(producer::commitTransaction)));
    producer.commitTransaction();
    assertThat(fromCallback.get()).isInstanceOf(KafkaException.class).hasMessageContaining("from a callback");
    producer.close(Duration.ofSeconds(5));
    assertThatThrownBy(() -> producer.send(record)).isInstanceOf(IllegalStateException.class);
    assertThat(CommittedRecords.readCommitted(cluster, topic).values()).containsExactly("v");
  }

  /** Every callback outcome by value; counts callbacks that ran twice. */
  static final class Callbacks {
    private final Map<String, Long> acked = new ConcurrentHashMap<>();
    private final Map<String, Exception> failures = new ConcurrentHashMap<>();
    private final AtomicInteger twice = new AtomicInteger();

    Callback callback(String value) {
      AtomicInteger calls = new AtomicInteger();
      return (metadata, error) -> {
        if (calls.incrementAndGet() > 1) {
          twice.incrementAndGet();
        }
        if (error == null) {
          acked.put(value, metadata.offset());
        } else {
          failures.put(value, error);
        }
      };
    }

    Map<String, Long> acked() {
      return acked;
    }

    Map<String, Exception> failures() {
      return failures;
    }

    int completed() {
      return acked.size() + failures.size();
    }

    void assertNoneTwice() {
      assertThat(twice.get()).as("callbacks completed more than once").isZero();
    }
  }
}
