package dev.resilientkafka.resilience4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.resilientkafka.ResilientProducer;
import dev.resilientkafka.ResilientProducerConfig;
import dev.resilientkafka.metrics.MicrometerProducerMetrics;
import dev.resilientkafka.testkit.LocalKafkaCluster;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.event.RetryOnRetryEvent;
import io.github.resilience4j.retry.event.RetryOnSuccessEvent;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The re-offer policy is a resilience4j Retry for real: on a one-broker cluster, Kafka's accumulator
 * ({@code buffer.memory} of about 1 MiB) fills with 100 partitions' open batches (16 KiB each, held for
 * {@code linger.ms} = 2 s), Kafka refuses the rest of the records, and the producer offers them again on
 * the Retry's backoff until the batches are sent. The Retry's events and resilience4j-micrometer's meters
 * show it; every record is delivered once.
 */
class ReofferRetryTest {
  private static final int PARTITIONS = 100;

  @Test
  void refusalsAreRetriedWithTheRetrysBackoffAndShowInItsEventsAndMeters() throws Exception {
    try (LocalKafkaCluster cluster = LocalKafkaCluster.builder().name("reoffer").brokers(1).racks("zone-a").start()) {
      cluster.createTopic(new NewTopic("crowded", PARTITIONS, (short) 1).configs(Map.of("min.insync.replicas", "1")));
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      List<RetryOnRetryEvent> retries = new CopyOnWriteArrayList<>();
      List<RetryOnSuccessEvent> successes = new CopyOnWriteArrayList<>();
      AtomicInteger acked = new AtomicInteger();
      AtomicInteger failed = new AtomicInteger();
      ResilientProducer<String, String> producer = ResilientProducer.<String, String>builder()
          .bootstrapServers(cluster.bootstrapFqdns())
          .serializers(new StringSerializer(), new StringSerializer())
          .config("linger.ms", 2_000)
          .config("batch.size", 16_384)
          .config("buffer.memory", 1_048_576)
          .config(ResilientProducerConfig.BUFFER_MAX_BYTES, 16_384)
          .config(ResilientProducerConfig.RETRY_BACKOFF_MS, 100)
          .config(ResilientProducerConfig.RETRY_BACKOFF_MAX_MS, 400)
          .listener(new MicrometerProducerMetrics(registry))
          .build();
      Retry retry = ProducerRetries.reoffers(producer);
      retry.getEventPublisher().onRetry(retries::add).onSuccess(successes::add);
      try {
        assertThat(retry.getName()).isEqualTo(producer.clientId());
        producer.partitionsFor("crowded");
        for (int p = 0; p < PARTITIONS; p++) {
          producer.send(new ProducerRecord<>("crowded", p, "k" + p, "v" + p), (metadata, error) -> {
            (error == null ? acked : failed).incrementAndGet();
          });
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> acked.get() + failed.get() == PARTITIONS);
        await().atMost(Duration.ofSeconds(10)).until(() -> !successes.isEmpty());

        System.out.printf("re-offers: %d retry events (waits %s ms), %d successes, metrics %s; acked %d, failed %d%n",
            retries.size(), retries.stream().map(e -> e.getWaitInterval().toMillis()).toList(), successes.size(),
            describe(retry.getMetrics()), acked.get(), failed.get());
        assertThat(failed.get()).isZero();
        assertThat(acked.get()).isEqualTo(PARTITIONS);
        assertThat(retries).isNotEmpty().allSatisfy(e -> {
          assertThat(e.getLastThrowable()).isInstanceOf(BufferExhaustedException.class);
          // 100 ms doubled per attempt, +-50 %, at most 400 ms
          long bound = Math.min(400, 100L << Math.min(10, e.getNumberOfRetryAttempts() - 1));
          assertThat(e.getWaitInterval().toMillis()).isBetween(bound / 2, bound * 3 / 2);
        });
        assertThat(retry.getMetrics().getNumberOfSuccessfulCallsWithRetryAttempt()).isGreaterThanOrEqualTo(1);
        FunctionCounter calls = registry.get("resilience4j.retry.calls").tag("name", producer.clientId())
            .tag("kind", "successful_with_retry").functionCounter();
        assertThat(calls.count()).isGreaterThanOrEqualTo(1.0);
      } finally {
        producer.close();
      }
      assertThat(registry.find("resilience4j.retry.calls").tag("name", producer.clientId()).meters())
          .as("the Retry's meters are removed with the producer's").isEmpty();
    }
  }

  private static String describe(Retry.Metrics metrics) {
    return "successful with retry " + metrics.getNumberOfSuccessfulCallsWithRetryAttempt() + ", without "
        + metrics.getNumberOfSuccessfulCallsWithoutRetryAttempt();
  }
}
