package dev.resilientkafka.internal.producer;

import static dev.resilientkafka.internal.producer.BufferFixtures.buffer;
import static dev.resilientkafka.internal.producer.BufferFixtures.drainBacklog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.resilientkafka.DeliveryFailedException;
import dev.resilientkafka.FailureCause;
import dev.resilientkafka.ProducerListener;
import dev.resilientkafka.internal.spool.FsyncPolicy;
import dev.resilientkafka.internal.spool.Spool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hand-off between the disk backlog of a producer with a spool, the topics' queues and Kafka, at the
 * points where a sender, the dispatcher and close() meet. Each interleaving is forced with the scripted
 * inner producer's hooks (a real cluster cannot force them), so each test is deterministic: records keep
 * their order, are handed to Kafka or failed exactly once, by their deadline, and free their room.
 */
class SpoolHandOffTest {
  @TempDir Path dir;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  private Spool spool(long maxBytes) {
    Spool spool = Spool.open(dir, maxBytes, FsyncPolicy.parse("never"));
    toClose.add(spool);
    return spool;
  }


  private static Future<RecordMetadata> send(RecordBuffer buffer, String topic, String value) {
    return buffer.send(topic, null, "k".getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8),
        new RecordHeaders(), null, null, null);
  }


  private static String pad(String prefix, int size) {
    return prefix + "x".repeat(size - prefix.length());
  }

  private static void join(Thread thread) {
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static List<String> prefixes(List<String> values) {
    return values.stream().map(v -> v.substring(0, 2)).toList();
  }

  /** Records an earlier process left stay ahead of new records with the same key, even when they must wait for room. */
  @Test
  void recoveredRecordsOfAnEarlierProcessStayAheadOfNewRecords() {
    Spool previous = Spool.open(dir, 1 << 20, FsyncPolicy.parse("never"));
    for (String v : List.of("P0", "P1")) {
      previous.append(SpoolBacklog.spooled("t", null, null, "k".getBytes(StandardCharsets.UTF_8),
          pad(v, 400).getBytes(StandardCharsets.UTF_8), new RecordHeaders(), System.currentTimeMillis()));
    }
    previous.close();
    ScriptedInnerProducer inner = new ScriptedInnerProducer(1);
    inner.metadataArrives();
    RecordBuffer buffer = buffer(inner, spool(1 << 20), Map.of("resilient.buffer.max.bytes", "600"));
    drainBacklog(buffer); // P0 to Kafka; P1 (401 bytes) does not fit in the 199 left
    send(buffer, "t", "N1"); // same key: waits on disk behind P1
    drainBacklog(buffer);
    inner.completeTaken();
    drainBacklog(buffer);
    assertThat(prefixes(inner.taken())).containsExactly("P0", "P1", "N1");
  }

  /** A sender decides between fast path and queue while the dispatcher moves the disk head into the topic's queue. */
  @Test
  void aRecordDoesNotOvertakeTheOneTheDispatcherMovedFromDiskIntoTheTopicQueue() {
    ScriptedInnerProducer inner = new ScriptedInnerProducer(1); // no metadata yet
    RecordBuffer buffer = buffer(inner, spool(1 << 20), Map.of("resilient.buffer.max.records", "2"));
    Future<RecordMetadata> f1 = send(buffer, "other", "F1"); // no metadata: waits, holds room
    Future<RecordMetadata> f2 = send(buffer, "other", "F2");
    send(buffer, "t", "R0"); // memory full: waits on disk
    assertThat(buffer.backlogPending()).isTrue();
    AtomicBoolean once = new AtomicBoolean();
    // R1's sender has read t's waiting count (0: R0 is on disk) and asks for t's partitions; the dispatcher,
    // meanwhile: room frees, R0 leaves the disk, Kafka refuses it (accumulator full), so it waits in t's queue
    inner.onPartitionsFor(topic -> {
      if (topic.equals("t") && once.compareAndSet(false, true)) {
        Thread dispatcher = new Thread(() -> {
          buffer.fail((PendingRecord) f1, FailureCause.TIMEOUT, null, null, null);
          buffer.fail((PendingRecord) f2, FailureCause.TIMEOUT, null, null, null);
          inner.metadataArrives();
          inner.refuseWith(new BufferExhaustedException("accumulator full"));
          drainBacklog(buffer);
          inner.refuseWith(null);
        });
        dispatcher.start();
        join(dispatcher);
      }
    });
    send(buffer, "t", "R1");
    HandOffInterleavingsTest.drainAll(buffer);
    inner.completeTaken(); // R0 acknowledged: the partition takes more than one record at a time
    HandOffInterleavingsTest.drainAll(buffer);
    assertThat(inner.taken()).containsExactly("R0", "R1");
  }

  /** A record handed to Kafka from the disk backlog is watched for its deadline like any other. */
  @Test
  void aRecordMovedFromDiskCompletesByItsDeadline() throws Exception {
    ScriptedInnerProducer inner = new ScriptedInnerProducer(1);
    inner.metadataArrives(); // Kafka takes records but never acknowledges them (a partition below min ISR)
    RecordBuffer buffer = buffer(inner, spool(1 << 20), Map.of("resilient.buffer.max.records", "1",
        "resilient.delivery.timeout.ms", "500", "request.timeout.ms", "100", "linger.ms", "0"));
    send(buffer, "other", "F1"); // Kafka holds it: memory full
    Future<RecordMetadata> r0 = send(buffer, "t", "R0"); // waits on disk
    inner.completeTaken(); // F1 acknowledged (before the dispatcher runs, so R0 is not acknowledged with it)
    buffer.start(); // R0 moves from disk into Kafka
    await().atMost(Duration.ofSeconds(5)).until(() -> inner.taken().contains("R0"));
    try {
      await().atMost(Duration.ofSeconds(3)).until(r0::isDone); // deadline was 0.5 s after send()
      assertThatThrownBy(r0::get).cause().isInstanceOf(DeliveryFailedException.class)
          .rootCause().hasMessageContaining("not acknowledged before its deadline");
    } finally {
      buffer.close(Duration.ZERO);
    }
  }

  /** DROP_OLDEST needs spool room while the dispatcher hands the disk head to Kafka: it is not both dropped and sent. */
  @Test
  void aRecordDroppedFromTheFullSpoolIsNotAlsoHandedToKafka() throws Exception {
    ScriptedInnerProducer inner = new ScriptedInnerProducer(1);
    inner.metadataArrives();
    // one entry of topic t, key k, a one-byte value is 51 bytes: the spool holds two
    RecordBuffer buffer = buffer(inner, spool(102), Map.of("resilient.buffer.max.records", "1",
        "resilient.buffer.overflow.policy", "DROP_OLDEST"));
    send(buffer, "t", "f"); // Kafka holds it
    Future<RecordMetadata> a = send(buffer, "t", "a"); // on disk; spool full
    inner.completeTaken(); // f acknowledged: memory free, its spool room comes back
    send(buffer, "t", "b"); // on disk behind a; spool full again
    inner.insideSend(value -> {
      if (value.equals("a")) { // the dispatcher is handing a to Kafka; a sender needs spool room now
        Thread sender = new Thread(() -> send(buffer, "t", "c"));
        sender.start();
        join(sender);
      }
    });
    drainBacklog(buffer);
    boolean droppedA = false;
    if (a.isDone()) { // handed to Kafka and not acknowledged yet, unless dropped
      try {
        a.get();
      } catch (ExecutionException e) {
        droppedA = ((DeliveryFailedException) e.getCause()).failureCause() == FailureCause.SPOOL_FULL;
      }
    }
    List<String> held = inner.taken().subList(1, inner.taken().size()); // not acknowledged by Kafka
    assertThat(droppedA && held.contains("a"))
        .as("a reported dropped (SPOOL_FULL) = %s, yet Kafka holds %s; bound counts %s record(s), max 1", droppedA,
            held, buffer.bufferedRecords())
        .isFalse();
  }

  /** flush() returns when the producer closes with records of an earlier process still on disk. */
  @Test
  void flushReturnsWhenTheProducerClosesWithRecoveredRecordsLeft() throws Exception {
    Spool previous = Spool.open(dir, 1 << 20, FsyncPolicy.parse("never"));
    for (String v : List.of("P0", "P1")) {
      previous.append(SpoolBacklog.spooled("t", null, null, "k".getBytes(StandardCharsets.UTF_8),
          v.getBytes(StandardCharsets.UTF_8), new RecordHeaders(), System.currentTimeMillis()));
    }
    previous.close();
    ScriptedInnerProducer inner = new ScriptedInnerProducer(1); // brokers unreachable: no metadata
    RecordBuffer buffer = buffer(inner, spool(1 << 20), Map.of("resilient.buffer.max.records", "1"));
    buffer.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> buffer.lanes().stream().anyMatch(l -> l.waiting == 1));
    Thread flusher = new Thread(buffer::flush, "app-flush");
    flusher.start();
    buffer.close(Duration.ZERO);
    try {
      await().atMost(Duration.ofSeconds(5)).until(() -> !flusher.isAlive());
    } finally {
      flusher.interrupt();
      flusher.join();
    }
  }

  /** An Error thrown by the application's listener does not keep the other records of the round from completing. */
  @Test
  void aListenerThrowingAnErrorDoesNotStrandTheOtherRecordsOfTheRound() {
    ScriptedInnerProducer inner = new ScriptedInnerProducer(1); // no metadata: records wait and expire
    ProducerListener broken = new ProducerListener() {
      @Override
      public void onFailed(String topic, FailureCause cause) {
        throw new AssertionError("a bug in the application's listener");
      }
    };
    RecordBuffer buffer = buffer(inner, null, Map.of("resilient.delivery.timeout.ms", "300", "request.timeout.ms", "100",
        "linger.ms", "0"), broken);
    Future<RecordMetadata> r1 = send(buffer, "t", "R1");
    Future<RecordMetadata> r2 = send(buffer, "t", "R2");
    buffer.start();
    try {
      await().atMost(Duration.ofSeconds(3)).until(r1::isDone);
      await().atMost(Duration.ofSeconds(3)).until(r2::isDone);
      assertThatThrownBy(r2::get).cause().isInstanceOf(DeliveryFailedException.class);
    } finally {
      buffer.close(Duration.ZERO);
    }
  }

  /** A send() that passed the closed check while close() ran is still completed. */
  @Test
  void aSendRacingCloseIsCompleted() {
    ScriptedInnerProducer inner = new ScriptedInnerProducer(1); // no metadata
    RecordBuffer buffer = buffer(inner, spool(1 << 20), Map.of("resilient.buffer.max.records", "2"));
    buffer.start();
    send(buffer, "other", "F1");
    send(buffer, "other", "F2");
    send(buffer, "t", "R0"); // on disk
    AtomicBoolean once = new AtomicBoolean();
    inner.onPartitionsFor(topic -> {
      if (topic.equals("t") && once.compareAndSet(false, true)) {
        Thread closer = new Thread(() -> buffer.close(Duration.ZERO));
        closer.start();
        join(closer);
      }
    });
    Future<RecordMetadata> r1 = send(buffer, "t", "R1");
    await().atMost(Duration.ofSeconds(3)).until(r1::isDone);
    assertThatThrownBy(r1::get).cause().isInstanceOf(DeliveryFailedException.class)
        .extracting(e -> ((DeliveryFailedException) e).failureCause()).isEqualTo(FailureCause.CLOSED);
  }

  /** A record whose bytes cannot be read back fails REJECTED and gives its room back. */
  @Test
  void anUnreadableSpoolEntryDoesNotLeakTheBound() throws Exception {
    ScriptedInnerProducer inner = new ScriptedInnerProducer(1); // no metadata
    RecordBuffer buffer = buffer(inner, spool(1 << 20), Map.of("resilient.buffer.max.records", "2",
        "resilient.delivery.timeout.ms", "300", "request.timeout.ms", "100", "linger.ms", "0"));
    Future<RecordMetadata> f1 = send(buffer, "other", "F1");
    Future<RecordMetadata> f2 = send(buffer, "other", "F2");
    Future<RecordMetadata> r0 = send(buffer, "t", "R0"); // on disk
    Path segment = dir.resolve("00000000000000000000.log");
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(segment,
        java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {'#'}), ch.size() - 1); // a bad sector under R0
    }
    buffer.start();
    try {
      await().atMost(Duration.ofSeconds(5)).until(() -> f1.isDone() && f2.isDone() && r0.isDone());
      assertThatThrownBy(r0::get).cause().isInstanceOf(DeliveryFailedException.class)
          .extracting(e -> ((DeliveryFailedException) e).failureCause()).isIn(FailureCause.REJECTED, FailureCause.TIMEOUT);
      assertThat(buffer.bufferedRecords()).as("room held with no record pending").isZero();
    } finally {
      buffer.close(Duration.ZERO);
    }
  }
}
