package dev.resilientkafka.verify;

import dev.resilientkafka.DeliveryFailedException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApplicationRecoverableException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A read-process-write loop written the way Kafka documents exactly-once applications, on its own
 * thread: poll (read_committed, no auto commit), begin, send one output record per input record ({@code
 * out-<input value>}, same key), {@code sendOffsetsToTransaction}, commit. On failure it does what the
 * exception's class says (KIP-1050): retriable, call again; abortable, abort, rewind the consumer to the
 * committed offsets and carry on; fenced or fatal, close the producer and build a new one. For a {@link
 * DeliveryFailedException} its {@code recovery()} says the same. Counts what happened, for the report.
 */
final class ReadProcessWriteLoop implements AutoCloseable {
  private enum Kind { RETRY, ABORT, CLOSE }

  final String name;
  final AtomicLong commits = new AtomicLong();
  final AtomicLong aborts = new AtomicLong();
  final AtomicLong producersBuilt = new AtomicLong();
  final AtomicLong recordsCommitted = new AtomicLong();
  /**
   * Longest transaction, begin to committed: the plain producer waits for the offsets in {@code
   * sendOffsetsToTransaction}, the library in the commit, so only the whole is comparable.
   */
  final AtomicLong longestTransactionMs = new AtomicLong();
  /** Failures by call and kind: {@code commitTransaction: ISR_SHORTFALL (ABORT_TRANSACTION)} or the class. */
  final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
  private final Supplier<Producer<String, String>> producers;
  private final Map<String, Object> consumerConfig;
  private final String input;
  private final String output;
  private final Thread thread;
  private final AtomicReference<Throwable> crashed = new AtomicReference<>();
  private volatile boolean stopping;

  /**
   * @param name the consumer group and the thread's name
   * @param producers builds a transactional producer (not yet initialized)
   */
  ReadProcessWriteLoop(String name, Supplier<Producer<String, String>> producers, Map<String, Object> clientConfig,
      String input, String output) {
    this.name = name;
    this.producers = producers;
    this.input = input;
    this.output = output;
    this.consumerConfig = new HashMap<>(clientConfig);
    consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, name);
    consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumerConfig.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
    consumerConfig.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    consumerConfig.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    this.thread = new Thread(this::run, "loop-" + name);
  }

  void start() {
    thread.start();
  }

  /** What ended the loop early, or null. */
  Throwable crashed() {
    return crashed.get();
  }

  private void run() {
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
      consumer.subscribe(List.of(input));
      Producer<String, String> producer = newProducer();
      try {
        while (!stopping) {
          ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
          if (records.isEmpty()) {
            continue;
          }
          try {
            transaction(producer, consumer, records);
          } catch (RuntimeException e) {
            note("transaction", e);
            producer = recover(producer, e);
            rewind(consumer);
          }
        }
      } finally {
        producer.close(Duration.ofSeconds(5));
      }
    } catch (Throwable e) {
      crashed.set(e);
    }
  }

  private void transaction(Producer<String, String> producer, KafkaConsumer<String, String> consumer,
      ConsumerRecords<String, String> records) {
    long start = System.nanoTime();
    producer.beginTransaction();
    Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
    for (ConsumerRecord<String, String> record : records) {
      producer.send(new ProducerRecord<>(output, record.key(), "out-" + record.value()));
      next.put(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
    }
    producer.sendOffsetsToTransaction(next, consumer.groupMetadata());
    while (true) {
      try {
        producer.commitTransaction();
        break;
      } catch (RuntimeException e) {
        if (kind(e) != Kind.RETRY || stopping) {
          throw e;
        }
        note("commitTransaction (retried)", e);
      }
    }
    longestTransactionMs.accumulateAndGet((System.nanoTime() - start) / 1_000_000, Math::max);
    commits.incrementAndGet();
    recordsCommitted.addAndGet(records.count());
  }

  private Producer<String, String> recover(Producer<String, String> producer, RuntimeException failure) {
    if (kind(failure) == Kind.CLOSE) {
      producer.close(Duration.ZERO);
      return newProducer();
    }
    while (true) {
      try {
        producer.abortTransaction();
        aborts.incrementAndGet();
        return producer;
      } catch (RuntimeException e) {
        note("abortTransaction", e);
        if (kind(e) != Kind.RETRY || stopping) {
          producer.close(Duration.ZERO);
          return newProducer();
        }
      }
    }
  }

  /** Back to the committed offsets: the aborted transaction's input is read again. */
  private void rewind(KafkaConsumer<String, String> consumer) {
    Set<TopicPartition> assigned = consumer.assignment();
    while (!stopping) {
      try {
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned, Duration.ofSeconds(10));
        for (TopicPartition partition : assigned) {
          OffsetAndMetadata offset = committed.get(partition);
          if (offset != null) {
            consumer.seek(partition, offset);
          } else {
            consumer.seekToBeginning(List.of(partition));
          }
        }
        return;
      } catch (RetriableException e) {
        note("committed offsets", e);
      }
    }
  }

  private Producer<String, String> newProducer() {
    while (true) {
      Producer<String, String> producer = producers.get();
      producersBuilt.incrementAndGet();
      try {
        producer.initTransactions();
        return producer;
      } catch (RuntimeException e) {
        note("initTransactions", e);
        producer.close(Duration.ZERO);
        if (kind(e) != Kind.RETRY || stopping) {
          throw e;
        }
      }
    }
  }

  private static Kind kind(RuntimeException e) {
    if (e instanceof DeliveryFailedException failed) {
      return switch (failed.recovery()) {
        case RETRY -> Kind.RETRY;
        case CLOSE_PRODUCER -> Kind.CLOSE;
        case ABORT_TRANSACTION, NONE -> Kind.ABORT;
      };
    }
    if (e instanceof RetriableException) {
      return Kind.RETRY;
    }
    if (e instanceof ApplicationRecoverableException || e instanceof OutOfOrderSequenceException
        || e instanceof AuthorizationException || e instanceof IllegalStateException) {
      return Kind.CLOSE;
    }
    return Kind.ABORT;
  }

  private void note(String call, RuntimeException e) {
    String what = e instanceof DeliveryFailedException failed
        ? failed.failureCause() + " (" + failed.recovery() + ")" : e.getClass().getSimpleName();
    failures.computeIfAbsent(call + ": " + what, k -> new AtomicLong()).incrementAndGet();
  }

  /** Stops after the transaction in progress; waits for the thread. */
  @Override
  public void close() throws InterruptedException {
    stopping = true;
    thread.join(Duration.ofSeconds(60).toMillis());
  }

  @Override
  public String toString() {
    return name + ": commits=" + commits + " aborts=" + aborts + " producers=" + producersBuilt + " records committed="
        + recordsCommitted + " longest transaction=" + longestTransactionMs + "ms failures=" + new java.util.TreeMap<>(failures)
        + (crashed.get() == null ? "" : " CRASHED: " + crashed.get());
  }
}
