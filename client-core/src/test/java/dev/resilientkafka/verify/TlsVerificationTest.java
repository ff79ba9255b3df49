package dev.resilientkafka.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.resilientkafka.DeliveryFailedException;
import dev.resilientkafka.RackDiscovery;
import dev.resilientkafka.ResilientConsumer;
import dev.resilientkafka.ResilientProducer;
import dev.resilientkafka.testkit.LocalKafkaCluster;
import dev.resilientkafka.testkit.internal.CertificateAuthority;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS with hostname verification on (Kafka's default {@code ssl.endpoint.identification.algorithm=https})
 * against a {@code tls(true)} cluster whose certificates name the pod FQDNs: the resilient clients
 * bootstrapped from the Service keep working through every IP rotated; an IP-pinned client fails
 * verification; a truststore with another CA is refused with a clear error; SASL settings reach Kafka
 * untouched.
 */
class TlsVerificationTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static LocalKafkaCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = LocalKafkaCluster.builder().tls(true).brokerSessionTimeout(Duration.ofSeconds(5)).start();
  }

  @AfterAll
  static void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void leaveTheClusterHealthy() {
    FaultSchedule.heal(cluster);
  }

  @Test
  void resilientClientsVerifyHostnamesThroughEveryIpRotated() {
    String topic = "tls-rotation";
    cluster.createTopic(topic, 3, 3);
    assertThat(cluster.clientSecurityProperties()).containsEntry("security.protocol", "SSL")
        .doesNotContainKey("ssl.endpoint.identification.algorithm");
    VerifyClients.EventCounts events = new VerifyClients.EventCounts();
    DeliveryChecker checker = new DeliveryChecker(cluster.bootstrapFqdns(), cluster.clientSecurityProperties(),
        VerifyClients.ID_HEADER);
    DeliveryReport report;
    try (VerifyingProducer producer = new VerifyingProducer(VerifyClients.producer(cluster, events), topic, 3, 1)) {
      producer.start();
      producer.awaitAckedMore(100, WAIT);
      cluster.restartAllOnNewIps();
      producer.awaitAckedMore(100, WAIT);
      producer.stopAndAwaitCallbacks(WAIT);
      report = checker.check("TLS+ROTATE_ALL_IPS", topic, producer).print();
    }
    report.assertGuarantees("TLS through restartAllOnNewIps");
    assertThat(report.failed()).isZero();

    // the resilient consumer, bootstrapped from the Service after the rotation, reads everything over TLS
    Set<String> read = new HashSet<>();
    try (ResilientConsumer<String, String> consumer = ResilientConsumer.<String, String>builder()
        .config(VerifyClients.serviceBootstrap(cluster))
        .keyDeserializer(new StringDeserializer()).valueDeserializer(new StringDeserializer())
        .rackDiscovery(RackDiscovery.NONE).build()) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
        partitions.add(new TopicPartition(topic, info.partition()));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      await().atMost(WAIT).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> read.add(r.value()));
        return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
      });
    }
    System.out.printf("TLS: resilient consumer read %d distinct values of %d acked%n", read.size(), report.acked());
    assertThat(read).hasSize((int) report.acked());
  }

  /**
   * FINDING (producer): the record fails, but as {@code TIMEOUT: not handed to Kafka} with no cause;
   * the {@code SslAuthenticationException} (certificate does not name the IP) that Kafka's metadata
   * fetch got is not in the exception, so the application cannot tell a TLS misconfiguration from an
   * outage. A plain {@code KafkaProducer} reports the SSL error (testkit's TlsClusterTest).
   */
  @Test
  void anIpPinnedResilientProducerFailsHostnameVerification() throws Exception {
    cluster.createTopic("tls-pinned", 3, 3);
    Map<String, Object> config = new HashMap<>(cluster.clientSecurityProperties());
    config.put("bootstrap.servers", cluster.bootstrapIps());
    config.put("request.timeout.ms", 2_000);
    try (ResilientProducer<String, String> producer = ResilientProducer.<String, String>builder().config(config)
        .serializers(new StringSerializer(), new StringSerializer())
        .deliveryTimeout(Duration.ofSeconds(5)).build()) {
      Future<RecordMetadata> future = producer.send(new ProducerRecord<>("tls-pinned", "k", "v"));
      Throwable failure = catchFailure(future);
      System.out.printf("TLS: IP-pinned resilient producer: %s%n", chain(failure));
      assertThat(failure).isInstanceOf(DeliveryFailedException.class);
      assertThat(chain(failure)).as("the failure names the certificate mismatch").contains("No subject alternative names matching IP address");
    }
  }

  /**
   * The consumer (Kafka's own error) and the producer (cause AUTHENTICATION, Kafka's {@code
   * SslAuthenticationException} in the chain) name the untrusted certificate.
   */
  @Test
  void aTruststoreWithAnotherCaIsRefusedWithAClearError(@TempDir Path dir) throws Exception {
    cluster.createTopic("tls-wrong-ca", 3, 3);
    CertificateAuthority otherCa = CertificateAuthority.create(dir, "someone-else", "other-secret");
    Map<String, Object> config = VerifyClients.serviceBootstrap(cluster);
    config.put("ssl.truststore.location", otherCa.truststore().toString());
    config.put("ssl.truststore.password", otherCa.password());
    config.put("request.timeout.ms", 2_000);

    try (ResilientConsumer<String, String> consumer = ResilientConsumer.<String, String>builder().config(config)
        .keyDeserializer(new StringDeserializer()).valueDeserializer(new StringDeserializer())
        .rackDiscovery(RackDiscovery.NONE).build()) {
      assertThatThrownBy(() -> consumer.partitionsFor("tls-wrong-ca", Duration.ofSeconds(20)))
          .isInstanceOf(SslAuthenticationException.class)
          .hasStackTraceContaining("PKIX path building failed");
    }
    try (ResilientProducer<String, String> producer = ResilientProducer.<String, String>builder().config(config)
        .serializers(new StringSerializer(), new StringSerializer())
        .deliveryTimeout(Duration.ofSeconds(5)).build()) {
      Throwable failure = catchFailure(producer.send(new ProducerRecord<>("tls-wrong-ca", "k", "v")));
      System.out.printf("TLS: wrong CA, resilient producer: %s%n", chain(failure));
      assertThat(failure).isInstanceOf(DeliveryFailedException.class);
      assertThat(chain(failure)).as("the failure names the untrusted certificate").contains("PKIX path building failed");
    }
  }

  @Test
  void saslSettingsReachKafkaUntouched() {
    Map<String, Object> config = VerifyClients.serviceBootstrap(cluster);
    config.put("security.protocol", "SASL_SSL");
    config.put("sasl.mechanism", "PLAIN");
    config.put("sasl.jaas.config", "this is not a JAAS entry");
    assertThatThrownBy(() -> ResilientProducer.<String, String>builder().config(config)
        .serializers(new StringSerializer(), new StringSerializer()).build().close())
        .as("Kafka's own JAAS parser saw the value").isInstanceOf(KafkaException.class)
        .hasStackTraceContaining("Invalid login module control flag 'is' in JAAS config");
    assertThatThrownBy(() -> ResilientConsumer.<String, String>builder().config(config)
        .keyDeserializer(new StringDeserializer()).valueDeserializer(new StringDeserializer())
        .rackDiscovery(RackDiscovery.NONE).build().close())
        .isInstanceOf(KafkaException.class)
        .hasStackTraceContaining("Invalid login module control flag 'is' in JAAS config");
  }

  private static Throwable catchFailure(Future<RecordMetadata> future) throws Exception {
    try {
      RecordMetadata metadata = future.get(60, TimeUnit.SECONDS);
      throw new AssertionError("delivered although the TLS handshake should fail: " + metadata);
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  private static String chain(Throwable failure) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      text.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(" <- ");
    }
    return text.toString();
  }
}
