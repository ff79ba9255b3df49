package dev.resilientkafka.internal.producer;

import static dev.resilientkafka.internal.producer.BufferFixtures.buffer;
import static dev.resilientkafka.internal.producer.BufferFixtures.drainBacklog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.resilientkafka.internal.spool.FsyncPolicy;
import dev.resilientkafka.internal.spool.Spool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyless records (whose partition Kafka's partitioner chooses) and the disk backlog's hand-off, at the
 * points where records complete out of order, flush() meets the dispatcher, or a spool holds what this
 * producer's bound cannot: each case forced with the scripted inner producer, so each is deterministic.
 */
class KeylessAndBacklogEdgesTest {
  @TempDir Path dir;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }


  private static Future<RecordMetadata> send(RecordBuffer buffer, String topic, byte[] key, String value,
      org.apache.kafka.clients.producer.Callback callback) {
    return buffer.send(topic, null, key, value.getBytes(StandardCharsets.UTF_8), new RecordHeaders(), null, null,
        callback);
  }


  /**
   * Kafka holds one keyless record (its partition's broker stopped answering) while it completes the later
   * ones on other partitions: the completed ones must not stay referenced (with their payloads) behind it,
   * beyond the sweep's bounded slack.
   */
  @Test
  void keylessRecordsCompletedBehindAStuckOneAreNotRetained() {
    ScriptedInnerProducer inner = new ScriptedInnerProducer(3);
    inner.metadataArrives();
    RecordBuffer buffer = buffer(inner, null, Map.of("resilient.buffer.max.records", "10"));
    send(buffer, "t", null, "stuck", null);
    for (int i = 0; i < 5_000; i++) {
      send(buffer, "t", null, "v" + i, null);
      inner.completeTakenExcept(v -> v.equals("stuck"));
    }
    assertThat(buffer.bufferedRecords()).isEqualTo(1);
    int held = held(buffer.lanes().iterator().next().slot(RecordBuffer.KAFKA_CHOOSES));
    // swept once twice the entries of the last sweep plus a slack of 1,024 are queued: never 5,000
    assertThat(held).as("records referenced as in flight while the bound counts 1 (max 10)").isLessThanOrEqualTo(1_030);
  }

  /**
   * Kafka completes a partition's records in order, and the thread completing one takes it out of the
   * partition's in-flight list at once (no sender reads a completed record). Records completed behind one
   * still in flight stay until it completes.
   */
  @Test
  void completedKeyedRecordsLeaveTheInFlightListAsKafkaCompletesThem() {
    ScriptedInnerProducer inner = ScriptedInnerProducer.withMetadata(1);
    RecordBuffer buffer = buffer(inner, null, Map.of());
    byte[] key = "k".getBytes(StandardCharsets.UTF_8);
    send(buffer, "t", key, "first", null);
    PartitionSlot slot = buffer.lanes().iterator().next().slot(0);
    assertThat(held(slot)).isEqualTo(1);
    inner.completeTaken();
    assertThat(held(slot)).as("the list emptied on completion").isZero();
    for (int i = 0; i < 1_000; i++) {
      send(buffer, "t", key, "v" + i, null);
      send(buffer, "t", key, "w" + i, null);
      assertThat(held(slot)).isEqualTo(2);
      inner.completeTaken();
      assertThat(held(slot)).isZero();
    }
    send(buffer, "t", key, "stuck", null);
    send(buffer, "t", key, "a", null);
    send(buffer, "t", key, "b", null);
    inner.completeTakenExcept(v -> v.equals("stuck"));
    assertThat(held(slot)).as("completed records behind the one in flight").isEqualTo(3);
    assertThat(new String(slot.oldest().kafkaRecord.value(), StandardCharsets.UTF_8)).isEqualTo("stuck");
    inner.completeTaken();
    assertThat(held(slot)).isZero();
    assertThat(slot.oldest()).isNull();
  }

  private static int held(PartitionSlot slot) {
    int held = 0;
    for (PendingRecord ignored : slot.inFlight()) {
      held++;
    }
    return held;
  }

  /** A keyless record failed after Kafka took it reports an unknown partition as Kafka does (-1), not -3. */
  @Test
  void aFailedKeylessRecordReportsKafkasUnknownPartition() {
    ScriptedInnerProducer inner = new ScriptedInnerProducer(3);
    inner.metadataArrives();
    RecordBuffer buffer = buffer(inner, null, Map.of());
    AtomicReference<RecordMetadata> told = new AtomicReference<>();
    send(buffer, "t", null, "v0", (metadata, error) -> told.set(metadata));
    buffer.close(Duration.ZERO); // Kafka still holds v0: failed CLOSED by close()'s safety net
    assertThat(told.get()).isNotNull();
    assertThat(told.get().partition()).isEqualTo(RecordMetadata.UNKNOWN_PARTITION);
  }

  /** flush() must not return while the dispatcher is moving a record accepted before it from disk to Kafka. */
  @Test
  void flushWaitsForTheRecordTheDispatcherIsMovingFromDisk() throws Exception {
    Spool spool = Spool.open(dir, 1 << 20, FsyncPolicy.parse("never"));
    toClose.add(spool);
    ScriptedInnerProducer inner = new ScriptedInnerProducer(1);
    inner.metadataArrives();
    RecordBuffer buffer = buffer(inner, spool, Map.of("resilient.buffer.max.records", "1"));
    byte[] key = "k".getBytes(StandardCharsets.UTF_8);
    send(buffer, "other", key, "F1", null); // Kafka holds it: memory full
    Future<RecordMetadata> r0 = send(buffer, "t", key, "R0", null); // waits on disk
    inner.completeTaken(); // F1 acknowledged: room for R0
    AtomicBoolean r0DoneWhenFlushReturned = new AtomicBoolean();
    Thread flusher = new Thread(() -> {
      buffer.flush();
      r0DoneWhenFlushReturned.set(r0.isDone());
    }, "app-flush");
    AtomicInteger once = new AtomicInteger();
    // the flusher is parked in its wait (not running) before the dispatcher goes on: the state is polled
    // the dispatcher took R0 off the disk queue and hands it to Kafka; the application calls flush() now
    inner.insideSend(value -> {
      if (value.equals("R0") && once.getAndIncrement() == 0) {
        flusher.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> !flusher.isAlive()
            || flusher.getState() == Thread.State.TIMED_WAITING || flusher.getState() == Thread.State.WAITING);
      }
    });
    drainBacklog(buffer);
    flusher.join(10_000);
    assertThat(flusher.isAlive()).isFalse();
    assertThat(r0DoneWhenFlushReturned.get()).as("R0 (accepted before flush()) complete when flush() returned").isTrue();
    buffer.close(Duration.ZERO);
  }

  /**
   * A record an earlier process left that is larger than this producer's resilient.buffer.max.bytes never
   * gets room: it must not hold every later record on disk behind it until its deadline.
   */
  @Test
  void anOversizeRecoveredRecordDoesNotHoldTheBacklog() {
    Spool previous = Spool.open(dir, 1 << 20, FsyncPolicy.parse("never"));
    previous.append(SpoolBacklog.spooled("t", null, null, "k".getBytes(StandardCharsets.UTF_8),
        "x".repeat(500).getBytes(StandardCharsets.UTF_8), new RecordHeaders(), System.currentTimeMillis()));
    previous.close();
    Spool spool = Spool.open(dir, 1 << 20, FsyncPolicy.parse("never"));
    toClose.add(spool);
    ScriptedInnerProducer inner = new ScriptedInnerProducer(1);
    inner.metadataArrives();
    RecordBuffer buffer = buffer(inner, spool, Map.of("resilient.buffer.max.bytes", "400"));
    send(buffer, "other", "k".getBytes(StandardCharsets.UTF_8), "N1", null); // behind the recovered one
    drainBacklog(buffer);
    drainBacklog(buffer);
    assertThat(inner.taken()).as("records handed to Kafka; backlog pending = %s", buffer.backlogPending())
        .contains("N1");
    buffer.close(Duration.ZERO);
  }
}
