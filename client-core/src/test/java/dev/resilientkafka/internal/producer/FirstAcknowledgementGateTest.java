package dev.resilientkafka.internal.producer;

import static dev.resilientkafka.internal.producer.HandOffInterleavingsTest.buffer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.resilientkafka.DeliveryFailedException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Until Kafka has acknowledged a record of a partition from this producer, the producer hands it one
 * record of that partition at a time, so no later batch can overtake the first one at a broker that has
 * no state for the producer yet. The others wait in order and go as soon as the acknowledgement comes.
 */
class FirstAcknowledgementGateTest {

  @Test
  void aPartitionGetsOneRecordUntilItsFirstAcknowledgementThenTheRestInOrder() {
    ScriptedInnerProducer inner = ScriptedInnerProducer.withMetadata(2);
    RecordBuffer buffer = buffer(inner);
    Future<RecordMetadata> a0 = send(buffer, 0, "a0");
    Future<RecordMetadata> a1 = send(buffer, 0, "a1"); // waits behind a0, in partition 0's own queue
    Future<RecordMetadata> b0 = send(buffer, 1, "b0"); // another partition: not held behind a1
    assertThat(inner.taken()).containsExactly("a0", "b0");
    TopicLane lane = buffer.lanes().iterator().next();
    assertThat(lane.waitingPerPartition).isEqualTo(1);
    drainNow(buffer, lane);
    assertThat(inner.taken()).as("nothing more of partition 0 before its acknowledgement").containsExactly("a0", "b0");

    inner.completeTaken();
    assertThat(lane.admitting).as("the acknowledgement wakes the dispatcher for the topic").isTrue();
    drainNow(buffer, lane); // before the queue's next planned look: the acknowledgement lets it go now
    assertThat(inner.taken()).containsExactly("a0", "b0", "a1");
    inner.completeTaken();
    assertThat(List.of(a0, a1, b0)).allMatch(Future::isDone);
    assertThat(inner.overtakeRisked()).isFalse();

    Future<RecordMetadata> a2 = send(buffer, 0, "a2");
    Future<RecordMetadata> a3 = send(buffer, 0, "a3");
    assertThat(inner.taken()).as("acknowledged: straight to Kafka, no queue").endsWith("a2", "a3");
    assertThat(lane.waiting + lane.waitingPerPartition).isZero();
    inner.completeTaken();
    assertThat(List.of(a2, a3)).allMatch(Future::isDone);
  }

  @Test
  void otherPartitionsFlowWhileOnePartitionsFirstRecordIsNotAcknowledged() {
    ScriptedInnerProducer inner = ScriptedInnerProducer.withMetadata(3);
    RecordBuffer buffer = buffer(inner);
    List<Future<RecordMetadata>> others = new ArrayList<>();
    Future<RecordMetadata> stuck = send(buffer, 0, "s0"); // its broker does not acknowledge it
    Future<RecordMetadata> behind = send(buffer, 0, "s1");
    for (int i = 0; i < 4; i++) {
      others.add(send(buffer, 1 + i % 2, "o" + i));
      inner.completeTakenExcept(value -> value.startsWith("s"));
      drainNow(buffer, buffer.lanes().iterator().next());
    }
    assertThat(others).as("partitions 1 and 2 acknowledged meanwhile").allMatch(Future::isDone);
    assertThat(inner.taken()).containsExactly("s0", "o0", "o1", "o2", "o3");
    assertThat(stuck.isDone()).isFalse();
    assertThat(behind.isDone()).isFalse();

    inner.completeTaken();
    drainNow(buffer, buffer.lanes().iterator().next());
    assertThat(inner.taken()).endsWith("s1");
    inner.completeTaken();
    assertThat(behind.isDone()).isTrue();
    assertThat(buffer.bufferedRecords()).isZero();
  }

  @Test
  void anAcknowledgementDoesNotCutShortTheBackoffOfRecordsKafkaRefused() {
    ScriptedInnerProducer inner = ScriptedInnerProducer.withMetadata(2);
    RecordBuffer buffer = buffer(inner);
    send(buffer, 0, "a0");
    inner.refuseWith(new BufferExhaustedException("the accumulator is full"));
    send(buffer, 1, "b0"); // refused: waits in the topic's queue
    TopicLane lane = buffer.lanes().iterator().next();
    List<Runnable> outcomes = new ArrayList<>();
    buffer.drain(lane, lane.nextAttemptNanos, new ArrayList<>(), outcomes); // refused again: backs off
    assertThat(lane.attempt).isEqualTo(2);
    inner.refuseWith(null);

    inner.completeTaken(); // a0's acknowledgement: nothing waits for partition 0
    drainNow(buffer, lane);
    assertThat(inner.taken()).as("b0 keeps its backoff").containsExactly("a0");
    assertThat(lane.attempt).isEqualTo(2);
    buffer.drain(lane, lane.nextAttemptNanos, new ArrayList<>(), outcomes);
    assertThat(inner.taken()).containsExactly("a0", "b0");
  }

  @Test
  void aFirstRecordKafkaFailsLetsTheNextOneGoAlone() throws Exception {
    ScriptedInnerProducer inner = ScriptedInnerProducer.withMetadata(1);
    RecordBuffer buffer = buffer(inner);
    Future<RecordMetadata> v0 = send(buffer, 0, "v0");
    Future<RecordMetadata> v1 = send(buffer, 0, "v1");
    Future<RecordMetadata> v2 = send(buffer, 0, "v2");
    TopicLane lane = buffer.lanes().iterator().next();

    inner.failTaken(new NotEnoughReplicasException("Kafka gave up on it"));
    assertThat(failure(v0)).isNotNull();
    drainNow(buffer, lane);
    assertThat(inner.taken()).as("the next record goes, alone").containsExactly("v0", "v1");
    assertThat(v1.isDone()).isFalse();

    inner.completeTaken();
    drainNow(buffer, lane);
    assertThat(inner.taken()).containsExactly("v0", "v1", "v2");
    inner.completeTaken();
    assertThat(failure(v1)).isNull();
    assertThat(failure(v2)).isNull();
    assertThat(buffer.bufferedRecords()).isZero();
  }

  @Test
  void theDispatcherHandsOverWhatWaitedOnceTheFirstRecordIsAcknowledged() {
    ScriptedInnerProducer inner = ScriptedInnerProducer.withMetadata(1);
    RecordBuffer buffer = buffer(inner);
    buffer.start();
    try {
      List<Future<RecordMetadata>> futures = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        futures.add(send(buffer, 0, "v" + i));
      }
      assertThat(inner.taken()).containsExactly("v0");
      inner.completeTaken(); // Kafka's I/O thread: the dispatcher thread takes it from here
      await().atMost(Duration.ofSeconds(10)).until(() -> inner.taken().size() == 5);
      assertThat(inner.taken()).containsExactly("v0", "v1", "v2", "v3", "v4");
      inner.completeTaken();
      assertThat(futures).allMatch(Future::isDone);
    } finally {
      buffer.close(Duration.ZERO);
    }
  }

  @Test
  void aPartitionNumberFarBeyondTheTopicAllocatesNothing() {
    ScriptedInnerProducer inner = ScriptedInnerProducer.withMetadata(1);
    RecordBuffer buffer = buffer(inner);
    Future<RecordMetadata> bogus = send(buffer, 1_000_000_000, "x"); // Kafka refuses it: waits in its own queue
    TopicLane lane = buffer.lanes().iterator().next();
    drainNow(buffer, lane);
    drainNow(buffer, lane);
    assertThat(lane.existingSlot(1_000_000_000)).isNull();
    assertThat(lane.slots()).as("only the keyless records' slot").hasSize(1);
    assertThat(bogus.isDone()).isFalse();
    Future<RecordMetadata> fine = send(buffer, 0, "y");
    inner.completeTaken();
    assertThat(fine.isDone()).as("the topic's real partition flows").isTrue();
    buffer.close(Duration.ZERO);
    assertThat(bogus.isDone()).isTrue();
  }

  @Test
  void anErrorThrownWhileHandingOverDoesNotLeaveThePartitionClosed() {
    ScriptedInnerProducer inner = ScriptedInnerProducer.withMetadata(1);
    RecordBuffer buffer = buffer(inner);
    inner.insideSend(value -> {
      if (value.equals("boom")) {
        throw new StackOverflowError("thrown inside the inner send()");
      }
    });
    assertThatThrownBy(() -> send(buffer, 0, "boom")).isInstanceOf(StackOverflowError.class);
    inner.insideSend(value -> { });
    send(buffer, 0, "next");
    assertThat(inner.taken()).as("the partition's one place was given back").containsExactly("next");
  }

  @Test
  void keylessRecordsAreNotHeldBack() {
    ScriptedInnerProducer inner = ScriptedInnerProducer.withMetadata(3);
    RecordBuffer buffer = buffer(inner);
    List<Future<RecordMetadata>> futures = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      futures.add(buffer.send("t", null, null, ("n" + i).getBytes(StandardCharsets.UTF_8), new RecordHeaders(), null,
          null, null));
    }
    assertThat(inner.taken()).as("Kafka's partitioner chooses: the partition is not known before")
        .containsExactly("n0", "n1", "n2", "n3", "n4", "n5");
    inner.completeTaken();
    assertThat(futures).allMatch(Future::isDone);
  }

  private static Future<RecordMetadata> send(RecordBuffer buffer, int partition, String value) {
    return buffer.send("t", partition, null, value.getBytes(StandardCharsets.UTF_8), new RecordHeaders(), null, null,
        null);
  }

  /** One dispatcher round over {@code lane} at the current time (not at its next planned attempt). */
  private static void drainNow(RecordBuffer buffer, TopicLane lane) {
    List<Runnable> outcomes = new ArrayList<>();
    buffer.drain(lane, System.nanoTime(), new ArrayList<>(), outcomes);
    outcomes.forEach(Runnable::run);
  }

  private static @Nullable DeliveryFailedException failure(Future<RecordMetadata> future) throws InterruptedException {
    assertThat(future.isDone()).isTrue();
    try {
      future.get();
      return null;
    } catch (ExecutionException e) {
      return (DeliveryFailedException) e.getCause();
    }
  }
}
