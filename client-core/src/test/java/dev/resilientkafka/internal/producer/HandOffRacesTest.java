package dev.resilientkafka.internal.producer;

import static dev.resilientkafka.internal.producer.ConcurrentRuns.check;
import static dev.resilientkafka.internal.producer.ConcurrentRuns.startAndJoin;

import dev.resilientkafka.internal.cluster.ClusterView;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;

/**
 * Races a real cluster cannot force, explored interleaving by interleaving by Lincheck's model checker:
 * a sender on the lock-free fast path, the dispatcher draining records that waited for metadata, the
 * metadata arriving, and Kafka's I/O thread completing records, all at once. In every interleaving the
 * records of one key reach Kafka in send order, exactly once, each future completes exactly once, the
 * buffer's bound is given back in full, and Kafka never holds a second record of the partition before the
 * first was acknowledged. The inner producer is {@link ScriptedInnerProducer} (the
 * model checker cannot run Kafka's network client).
 */
class HandOffRacesTest {
  private static final int RECORDS = 3;

  @Test
  void senderDispatcherMetadataAndCompletionsKeepOrderAndCompleteOnce() {
    Lincheck.runConcurrentTest(1_000, () -> {
      ScriptedInnerProducer inner = new ScriptedInnerProducer(2);
      RecordBuffer buffer = buffer(inner);
      List<Future<RecordMetadata>> futures = new ArrayList<>();
      Thread sender = new Thread(() -> {
        for (int i = 0; i < RECORDS; i++) {
          futures.add(send(buffer, "v" + i));
        }
      });
      Thread dispatcher = new Thread(() -> {
        drainAll(buffer);
        drainAll(buffer);
      });
      Thread metadata = new Thread(inner::metadataArrives);
      Thread io = new Thread(() -> {
        inner.completeTaken();
        inner.completeTaken();
      });
      List<Thread> threads = List.of(sender, dispatcher, metadata, io);
      startAndJoin(threads);
      for (int round = 0; round < RECORDS; round++) { // what the next dispatcher rounds and Kafka would do
        drainAll(buffer);
        inner.completeTaken();
      }
      check(inner.taken().equals(List.of("v0", "v1", "v2")), "records of one key reach Kafka in send order, once: "
          + inner.taken());
      check(!inner.overtakeRisked(), "one record of the partition in Kafka until its first acknowledgement");
      check(futures.stream().allMatch(Future::isDone), "every future completed");
      check(buffer.bufferedRecords() == 0 && buffer.bufferedBytes() == 0, "the bound given back in full");
    });
  }

  @Test
  void aRecordCompletedByKafkaAndExpiredAtOnceIsReportedOnce() {
    Runnable race = () -> {
      ScriptedInnerProducer inner = new ScriptedInnerProducer(1);
      inner.metadataArrives();
      RecordBuffer buffer = buffer(inner);
      int[] callbacks = new int[1];
      PendingRecord record = (PendingRecord) buffer.send("t", null, "k".getBytes(StandardCharsets.UTF_8),
          "v".getBytes(StandardCharsets.UTF_8), new RecordHeaders(), null, null, (m, e) -> callbacks[0]++);
      Thread io = new Thread(inner::completeTaken);
      // what the dispatcher does at a record's deadline, without the classification it does first
      Thread deadline = new Thread(() -> buffer.fail(record, dev.resilientkafka.FailureCause.TIMEOUT, "deadline", null, null));
      startAndJoin(List.of(io, deadline));
      check(callbacks[0] == 1, "the callback ran once, not " + callbacks[0] + " times");
      check(record.isDone(), "the future completed");
      check(buffer.bufferedRecords() == 0, "the bound given back once");
    };
    race.run(); // once outside the model checker: the first failure of a kind logs a WARN (I/O it need not explore)
    Lincheck.runConcurrentTest(300, race);
  }

  private static RecordBuffer buffer(ScriptedInnerProducer inner) {
    Map<String, Object> config = new HashMap<>();
    config.put("bootstrap.servers", "unused:9092");
    ProducerSettings settings = ProducerSettings.parse(config);
    return new RecordBuffer(settings, inner, ClusterView.detached(), new OutcomeReporter(new SafeListener(List.of())),
        "model-checked");
  }

  private static Future<RecordMetadata> send(RecordBuffer buffer, String value) {
    return buffer.send("t", null, "k".getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8),
        new RecordHeaders(), null, null, null);
  }

  @Test
  void aRecordQueuedWhileTheDispatcherLooksAtTheLanesIsLeftForItsNextRound() {
    // the dispatcher skips the lanes while no record was queued since a round found them all empty
    Lincheck.runConcurrentTest(1_000, () -> {
      ScriptedInnerProducer inner = new ScriptedInnerProducer(1); // no metadata: a record waits in its queue
      RecordBuffer buffer = buffer(inner);
      send(buffer, "v0");
      inner.metadataArrives();
      drainAll(buffer);
      inner.completeTaken(); // a lane with nothing waiting
      Dispatcher dispatcher = buffer.dispatcher();
      dispatcher.drainLanes(System.nanoTime(), System.nanoTime(), new ArrayList<>()); // clears the mark
      check(buffer.lanesToDrain().isEmpty(), "a round that found nothing waiting leaves the lanes out of the next");
      buffer.stillWaiting(); // as before the round in the race below
      inner.refuseWith(new org.apache.kafka.clients.producer.BufferExhaustedException("full")); // v1 waits
      Thread sender = new Thread(() -> send(buffer, "v1"));
      Thread round = new Thread(() -> dispatcher.drainLanes(System.nanoTime(), System.nanoTime(), new ArrayList<>()));
      startAndJoin(List.of(sender, round));
      boolean waiting = buffer.lanes().stream().anyMatch(lane -> lane.waiting > 0 || lane.waitingPerPartition > 0);
      check(!waiting || !buffer.lanesToDrain().isEmpty(), "a lane with a waiting record is in the next round");
    });
  }

  /** One dispatcher round over every lane, due or not. */
  private static void drainAll(RecordBuffer buffer) {
    List<PendingRecord> handed = new ArrayList<>();
    List<Runnable> outcomes = new ArrayList<>();
    for (TopicLane lane : buffer.lanes()) {
      buffer.drain(lane, lane.nextAttemptNanos, handed, outcomes);
    }
    outcomes.forEach(Runnable::run);
  }
}
