package dev.resilientkafka.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One short run of each client in its own JVM against a real testkit cluster: the child reports acks,
 * CPU per record and latency percentiles, and the library's Admin requests are found over JMX (the plain
 * twin has no Admin client, so it counts none).
 */
class ClientJvmSmokeTest {

  @Test
  void eachClientJvmReportsWhatItMeasured(@TempDir Path logs) throws Exception {
    try (LocalKafkaCluster cluster = LocalKafkaCluster.builder().name("bench-smoke").start()) {
      cluster.createTopic("smoke", 3, 3);
      ClientResult plain = ClientJvm.run(ClientSpec.paced(ClientKind.PLAIN, cluster.bootstrapFqdns(), List.of("smoke"),
          1, 200, 2, 2), logs.resolve("plain.log"), null, false);
      ClientResult resilient = ClientJvm.run(ClientSpec.paced(ClientKind.RESILIENT, cluster.bootstrapFqdns(),
          List.of("smoke"), 1, 200, 2, 2), logs.resolve("resilient.log"), null, true);
      for (ClientResult result : List.of(plain, resilient)) {
        assertThat(result.acked()).isGreaterThan(100);
        assertThat(result.failed()).isZero();
        assertThat(result.cpuMicrosPerRecord()).isPositive();
        assertThat(result.p50Millis()).isPositive().isLessThanOrEqualTo(result.p999Millis());
        assertThat(result.histogram()).isNotBlank();
        assertThat(result.producerRequests()).isPositive();
      }
      assertThat(plain.adminRequestsBefore() + plain.adminRequests()).isZero();
      // the library read the topic's min.insync.replicas through its shared Admin client
      assertThat(resilient.adminRequestsBefore() + resilient.adminRequests()).isPositive();
      // counted from the clients' debug log inside the window: the produce requests at least
      assertThat(resilient.requestsByApi()).containsKey("Producer PRODUCE");
      assertThat(plain.requestsByApi()).isEmpty();
    }
  }
}
