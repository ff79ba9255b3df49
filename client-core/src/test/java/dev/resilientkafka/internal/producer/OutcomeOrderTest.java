package dev.resilientkafka.internal.producer;

import static dev.resilientkafka.internal.producer.HandOffInterleavingsTest.buffer;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * When a record completes, the buffer gives its room back first, then its callback runs, then its future
 * completes, as {@code KafkaProducer}'s future completes after the batch's callbacks: a thread that saw
 * {@code get()} return sees the callback's effects and a buffer count without the record.
 */
class OutcomeOrderTest {

  @Test
  void anAcknowledgedRecordsCallbackRunsWithItsRoomGivenBackAndBeforeItsFutureCompletes() {
    Observed observed = complete(ScriptedInnerProducer::completeTaken);
    assertThat(observed.error).isNull();
  }

  @Test
  void aFailedRecordsCallbackRunsWithItsRoomGivenBackAndBeforeItsFutureCompletes() {
    Observed observed = complete(inner -> inner.failTaken(new InvalidTopicException("not a topic Kafka takes")));
    assertThat(observed.error).isNotNull();
  }

  /** Sends one record, lets {@code kafka} complete it and checks what its callback saw. */
  private static Observed complete(Consumer<ScriptedInnerProducer> kafka) {
    ScriptedInnerProducer inner = ScriptedInnerProducer.withMetadata(1);
    RecordBuffer buffer = buffer(inner);
    Observed observed = new Observed(buffer);
    Future<RecordMetadata> future = send(buffer, observed);
    observed.future.set(future);
    assertThat(buffer.bufferedRecords()).isEqualTo(1);

    kafka.accept(inner);
    assertThat(observed.callbackRan).as("the callback ran").isTrue();
    assertThat(observed.doneInCallback).as("the future completes after the callback").isFalse();
    assertThat(observed.bufferedInCallback).as("the room is given back before the callback").isZero();
    assertThat(future.isDone()).isTrue();
    assertThat(buffer.bufferedRecords()).isZero();
    return observed;
  }

  @Test
  void aCallbackThatThrowsAnErrorStillCompletesTheFuture() {
    ScriptedInnerProducer inner = ScriptedInnerProducer.withMetadata(1);
    RecordBuffer buffer = buffer(inner);
    Future<RecordMetadata> future = buffer.send("t", 0, null, "v".getBytes(StandardCharsets.UTF_8),
        new RecordHeaders(), null, null, (m, e) -> {
          throw new OutOfMemoryError("thrown by the application's callback");
        });
    try {
      inner.completeTaken();
    } catch (OutOfMemoryError expected) {
      // a VirtualMachineError reaches the completing thread, as from KafkaProducer's callbacks
    }
    assertThat(future.isDone()).as("get() never hangs on a record whose callback threw").isTrue();
  }

  private static Future<RecordMetadata> send(RecordBuffer buffer, Callback callback) {
    return buffer.send("t", 0, null, "v".getBytes(StandardCharsets.UTF_8), new RecordHeaders(), null, null,
        callback);
  }

  /** What a callback sees of its record and of the buffer when it runs. */
  private static final class Observed implements Callback {
    final AtomicReference<Future<RecordMetadata>> future = new AtomicReference<>();
    private final RecordBuffer buffer;
    boolean callbackRan;
    boolean doneInCallback;
    long bufferedInCallback = -1;
    @Nullable Exception error;

    Observed(RecordBuffer buffer) {
      this.buffer = buffer;
    }

    @Override
    public void onCompletion(RecordMetadata metadata, @Nullable Exception exception) {
      callbackRan = true;
      doneInCallback = future.get().isDone();
      bufferedInCallback = buffer.bufferedRecords();
      error = exception;
    }
  }
}
