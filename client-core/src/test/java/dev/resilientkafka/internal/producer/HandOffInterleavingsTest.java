package dev.resilientkafka.internal.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.resilientkafka.DeliveryFailedException;
import dev.resilientkafka.FailureCause;
import dev.resilientkafka.internal.cluster.ClusterView;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/**
 * The interleavings of the produce path that matter most, each forced exactly: one thread is held inside
 * the inner producer's {@code send()} (a hook of {@link ScriptedInnerProducer}) while another does the
 * step that could go wrong, and the test releases it only once that step has happened or is blocked.
 * {@link HandOffRacesTest} explores the same races at random; these pin the known dangerous ones.
 */
class HandOffInterleavingsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void aRecordSentWhileTheDispatcherHandsOverTheLastWaitingOneDoesNotOvertakeIt() throws Exception {
    ScriptedInnerProducer inner = new ScriptedInnerProducer(2);
    RecordBuffer buffer = buffer(inner);
    send(buffer, "v0"); // no metadata yet: waits in the topic's queue
    inner.metadataArrives();
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    inner.insideSend(value -> {
      if (value.equals("v0")) {
        inside.countDown();
        hold(release);
      }
    });
    Thread dispatcher = new Thread(() -> drainAll(buffer), "dispatcher");
    dispatcher.start();
    assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
    Thread sender = new Thread(() -> send(buffer, "v1"), "sender");
    sender.start();
    // the sender must not pass: it waits for the topic's lock (or has queued v1) while v0 is being handed over
    await().atMost(WAIT).until(() -> sender.getState() == Thread.State.WAITING || !sender.isAlive());
    release.countDown();
    dispatcher.join();
    sender.join();
    inner.completeTaken(); // v0 acknowledged: the partition takes more than one record at a time
    drainAll(buffer);
    assertThat(inner.taken()).containsExactly("v0", "v1");
  }

  @Test
  void aCompletionBeforeTheSenderRecordsTheHandOffLeavesNothingBehind() throws Exception {
    ScriptedInnerProducer inner = ScriptedInnerProducer.withMetadata(1);
    RecordBuffer buffer = buffer(inner);
    // Kafka's I/O thread completes the record while the sender is still inside send()
    inner.afterTaken(value -> {
      Thread io = new Thread(inner::completeTaken, "kafka-io");
      io.start();
      join(io);
    });
    Future<RecordMetadata> future = send(buffer, "v0");
    assertThat(future.isDone()).isTrue();
    assertThat(future.get().offset()).isEqualTo(1);
    TopicLane lane = buffer.lanes().iterator().next();
    assertThat(lane.slot(0).oldest()).as("the completed record is not held as in flight").isNull();
    assertThat(lane.oldest()).isNull();
    assertThat(buffer.bufferedRecords()).isZero();
  }

  @Test
  void aRecordRefusedWhileTheProducerClosesIsFailedAsClosedNotStranded() throws Exception {
    ScriptedInnerProducer inner = ScriptedInnerProducer.withMetadata(1);
    inner.refuseWith(new BufferExhaustedException("the accumulator is full"));
    RecordBuffer buffer = buffer(inner);
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    inner.insideSend(value -> {
      inside.countDown();
      hold(release);
    });
    @SuppressWarnings("unchecked")
    Future<RecordMetadata>[] future = new Future[1];
    Thread sender = new Thread(() -> future[0] = send(buffer, "v0"), "sender");
    sender.start();
    assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
    buffer.close(Duration.ZERO); // while Kafka is refusing v0 on the sender's thread
    release.countDown();
    sender.join();
    assertThat(future[0].isDone()).isTrue();
    assertThatFailedWith(future[0], FailureCause.CLOSED);
    assertThat(buffer.bufferedRecords()).isZero();
  }

  private static void assertThatFailedWith(Future<RecordMetadata> future, FailureCause cause) throws InterruptedException {
    try {
      future.get();
      throw new AssertionError("expected a failure with cause " + cause);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(DeliveryFailedException.class);
      assertThat(((DeliveryFailedException) e.getCause()).failureCause()).isEqualTo(cause);
    }
  }

  static RecordBuffer buffer(ScriptedInnerProducer inner) {
    Map<String, Object> config = new HashMap<>();
    config.put("bootstrap.servers", "unused:9092");
    return new RecordBuffer(ProducerSettings.parse(config), inner, ClusterView.detached(),
        new OutcomeReporter(new SafeListener(List.of())), "interleaved");
  }

  static Future<RecordMetadata> send(RecordBuffer buffer, String value) {
    return buffer.send("t", null, "k".getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8),
        new RecordHeaders(), null, null, null);
  }

  static void drainAll(RecordBuffer buffer) {
    List<PendingRecord> handed = new java.util.ArrayList<>();
    List<Runnable> outcomes = new java.util.ArrayList<>();
    for (TopicLane lane : buffer.lanes()) {
      buffer.drain(lane, lane.nextAttemptNanos, handed, outcomes);
    }
    outcomes.forEach(Runnable::run);
  }

  private static void hold(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void join(Thread thread) {
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
