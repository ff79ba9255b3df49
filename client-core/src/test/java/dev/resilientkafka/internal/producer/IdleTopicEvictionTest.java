package dev.resilientkafka.internal.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.resilientkafka.ResilientProducerConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The producer's per-topic state does not only grow: a topic with nothing pending and nothing sent for
 * {@code resilient.topic.idle.ms} is dropped, and made again by its next record. Bootstrap on a dead
 * loopback port: records wait, expire at their deadline, and leave their topics idle.
 */
class IdleTopicEvictionTest {
  @Test
  void idleTopicsAreDroppedAndComeBackOnTheNextRecord() throws IOException {
    String dead;
    try (ServerSocket socket = new ServerSocket(0)) {
      dead = "127.0.0.1:" + socket.getLocalPort();
    }
    Map<String, Object> config = new HashMap<>();
    config.put("bootstrap.servers", dead);
    config.put("request.timeout.ms", 1_000);
    config.put(ResilientProducerConfig.DELIVERY_TIMEOUT_MS, 1_500);
    config.put(ResilientProducerConfig.TOPIC_IDLE_MS, 1_000);
    ProducerCore<String, String> core = new ProducerCore<>(config, new StringSerializer(), new StringSerializer(),
        List.of(), c -> () -> { });
    core.start(null);
    try {
      AtomicInteger completed = new AtomicInteger();
      for (int i = 0; i < 50; i++) {
        core.send(new ProducerRecord<>("topic-" + i, "k", "v"), (m, e) -> completed.incrementAndGet());
      }
      assertThat(core.buffer().lanes()).hasSize(50);
      await().atMost(Duration.ofSeconds(20)).until(() -> completed.get() == 50);
      await("idle topics dropped").atMost(Duration.ofSeconds(20)).until(() -> core.buffer().lanes().isEmpty());
      core.send(new ProducerRecord<>("topic-7", "k", "v"), null);
      assertThat(core.buffer().lanes()).hasSize(1);
    } finally {
      core.close(Duration.ZERO);
    }
  }
}
