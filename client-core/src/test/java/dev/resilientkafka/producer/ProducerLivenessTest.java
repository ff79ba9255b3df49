package dev.resilientkafka.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.resilientkafka.DeliveryFailedException;
import dev.resilientkafka.FailureCause;
import dev.resilientkafka.ResilientProducer;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The producer always gets every record to an outcome and its {@code flush()}/{@code close()} always
 * return, whatever the application's callbacks do on the producer's own threads. Bootstrap on a loopback
 * port where nothing listens, so every record waits in the producer's queue and its outcome (expiry at
 * the deadline) is delivered on the dispatcher thread. No cluster needed.
 */
class ProducerLivenessTest {
  private static final Duration DEADLINE = Duration.ofMillis(2_500);
  private static String deadBootstrap;

  static {
    QuietKafkaLogs.apply();
  }

  @BeforeAll
  static void findDeadPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      deadBootstrap = "127.0.0.1:" + socket.getLocalPort();
    }
  }

  private static ResilientProducer<String, String> producer() {
    return ResilientProducer.<String, String>builder()
        .bootstrapServers(deadBootstrap)
        .serializers(new StringSerializer(), new StringSerializer())
        .config(Map.of("request.timeout.ms", 1_000, "reconnect.backoff.max.ms", 1_000))
        .deliveryTimeout(DEADLINE)
        .build();
  }

  private static boolean dispatcherAlive(ResilientProducer<?, ?> producer) {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals(producer.clientId() + "-dispatcher") && t.isAlive());
  }

  @Test
  void anErrorOrAnInterruptLeftByACallbackOnTheDispatcherDoesNotStopIt() {
    ResilientProducer<String, String> producer = producer();
    AtomicInteger firstRound = new AtomicInteger();
    AtomicReference<String> callbackThread = new AtomicReference<>();
    for (int i = 0; i < 6; i++) {
      int n = i;
      producer.send(new ProducerRecord<>("t", "k", "v" + i), (m, e) -> {
        callbackThread.set(Thread.currentThread().getName());
        firstRound.incrementAndGet();
        if (n % 2 == 0) {
          throw new AssertionError("an application bug in a callback");
        }
        Thread.currentThread().interrupt();
      });
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> firstRound.get() == 6);
    assertThat(callbackThread.get()).endsWith("-dispatcher");
    Outcomes later = new Outcomes();
    for (int i = 0; i < 5; i++) {
      producer.send(new ProducerRecord<>("t", "k", "later-" + i), later.callback(i));
    }
    await("records sent after the callbacks threw still reach an outcome").atMost(Duration.ofSeconds(20))
        .until(() -> later.completed() == 5);
    assertThat(later.failedWith(FailureCause.BROKERS_UNREACHABLE)).hasSize(5);
    assertThat(dispatcherAlive(producer)).isTrue();
    long start = System.nanoTime();
    producer.flush();
    producer.close(Duration.ofSeconds(30));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    later.assertNoCallbackTwice();
  }

  @Test
  void flushAndCloseFromACallbackOnTheDispatcherNeitherDeadlockNorWait() {
    ResilientProducer<String, String> producer = producer();
    AtomicReference<String> flushed = new AtomicReference<>();
    AtomicLong closeMs = new AtomicLong(-1);
    Outcomes others = new Outcomes();
    producer.send(new ProducerRecord<>("t", "k", "first"), (m, e) -> {
      try {
        producer.flush();
        flushed.set("returned");
      } catch (KafkaException refused) {
        flushed.set(refused.getMessage());
      }
      long start = System.nanoTime();
      producer.close(Duration.ofSeconds(60));
      closeMs.set((System.nanoTime() - start) / 1_000_000);
    });
    for (int i = 0; i < 20; i++) {
      producer.send(new ProducerRecord<>("t", "k", "other-" + i), others.callback(i));
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> closeMs.get() >= 0);
    System.out.printf("flush() in a dispatcher callback: %s; close() took %d ms%n", flushed.get(), closeMs.get());
    assertThat(flushed.get()).contains("from a callback of this producer");
    assertThat(closeMs.get()).isLessThan(1_000);
    await("every other record completes").atMost(Duration.ofSeconds(20)).until(() -> others.completed() == 20);
    assertThat(others.failures().values()).allSatisfy(e ->
        assertThat(((DeliveryFailedException) e).failureCause()).isIn(FailureCause.CLOSED, FailureCause.BROKERS_UNREACHABLE));
    await().atMost(Duration.ofSeconds(10)).until(() -> !dispatcherAlive(producer));
    assertThatThrownBy(() -> producer.send(new ProducerRecord<>("t", "k", "after")))
        .isInstanceOf(IllegalStateException.class);
    producer.close(Duration.ofSeconds(30));
    others.assertNoCallbackTwice();
  }

  @Test
  void flushReturnsWhileOtherThreadsKeepSendingToATopicWithoutMetadata() throws Exception {
    ResilientProducer<String, String> producer = producer();
    AtomicBoolean sending = new AtomicBoolean(true);
    AtomicInteger backgroundSent = new AtomicInteger();
    Thread background = new Thread(() -> {
      while (sending.get()) {
        producer.send(new ProducerRecord<>("t", "k", "bg"));
        backgroundSent.incrementAndGet();
        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // pacing: about one record per millisecond
      }
    }, "background-sender");
    background.start();
    try {
      Outcomes mine = new Outcomes();
      for (int i = 0; i < 10; i++) {
        producer.send(new ProducerRecord<>("t", "k", "mine-" + i), mine.callback(i));
      }
      long start = System.nanoTime();
      producer.flush();
      long flushMs = (System.nanoTime() - start) / 1_000_000;
      System.out.printf("flush() returned after %d ms while another thread sent %d records%n", flushMs, backgroundSent.get());
      assertThat(mine.completed()).as("flush() returns once the records sent before it completed").isEqualTo(10);
      assertThat(flushMs).isLessThan(DEADLINE.toMillis() + 5_000);
      assertThat(producer.bufferedRecords()).as("others' records still wait").isPositive();
    } finally {
      sending.set(false);
      background.join();
      producer.close(Duration.ZERO);
    }
  }

  @Test
  void closeByAnInterruptedCallerStillEndsEverything() {
    ResilientProducer<String, String> producer = producer();
    Outcomes outcomes = new Outcomes();
    for (int i = 0; i < 10; i++) {
      producer.send(new ProducerRecord<>("t", "k", "v" + i), outcomes.callback(i));
    }
    Thread.currentThread().interrupt();
    try {
      producer.close(Duration.ofSeconds(5));
    } catch (KafkaException interrupted) {
      System.out.println("close() by an interrupted caller threw " + interrupted);
    } finally {
      Thread.interrupted();
    }
    assertThat(outcomes.completed()).isEqualTo(10);
    assertThat(outcomes.failedWith(FailureCause.CLOSED)).hasSize(10);
    await().atMost(Duration.ofSeconds(10)).until(() -> !dispatcherAlive(producer));
    outcomes.assertNoCallbackTwice();
  }

  @Test
  void futuresCompleteLikeKafkasAndGetWaitsForTheOutcome() throws Exception {
    ResilientProducer<String, String> producer = producer();
    Map<String, Throwable> seen = new ConcurrentHashMap<>();
    var future = producer.send(new ProducerRecord<>("t", "k", "v"), (m, e) -> seen.put("callback", e));
    assertThat(future.isDone()).isFalse();
    assertThatThrownBy(() -> future.get(100, java.util.concurrent.TimeUnit.MILLISECONDS))
        .isInstanceOf(java.util.concurrent.TimeoutException.class);
    assertThatThrownBy(future::get).isInstanceOf(java.util.concurrent.ExecutionException.class)
        .cause().isInstanceOf(DeliveryFailedException.class);
    // as KafkaProducer does, the future is completed first, then the callback runs
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.containsKey("callback"));
    assertThat(seen.get("callback")).isSameAs(catchCause(future));
    producer.close(Duration.ZERO);
  }

  private static Throwable catchCause(java.util.concurrent.Future<?> future) {
    try {
      future.get();
      return null;
    } catch (Exception e) {
      return e.getCause();
    }
  }
}
