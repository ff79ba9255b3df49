package dev.resilientkafka.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** TLS with hostname verification: pod FQDNs match the certificates, pinned IPs do not. */
class TlsClusterTest {
  private static LocalKafkaCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = LocalKafkaCluster.builder().tls(true).start();
    cluster.createTopic("tls", 3, 3);
  }

  @AfterAll
  static void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void fqdnClientsVerifyTheBrokersCertificates() throws Exception {
    Map<String, Object> tls = new HashMap<>(cluster.clientSecurityProperties());
    assertThat(tls).containsEntry("security.protocol", "SSL");
    try (KafkaProducer<String, String> producer = PlainClients.producer(cluster.bootstrapFqdns(), tls)) {
      producer.send(new ProducerRecord<>("tls", "k", "over tls")).get(30, TimeUnit.SECONDS);
    }
    try (KafkaConsumer<String, String> consumer = PlainClients.consumer(cluster.bootstrapFqdns(), tls)) {
      List<ConsumerRecord<String, String>> records = PlainClients.readAll(consumer, "tls", Duration.ofSeconds(30));
      assertThat(records).extracting(ConsumerRecord::value).contains("over tls");
    }
  }

  @Test
  void aTruststoreWithAnotherCaIsRefused(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    var otherCa = dev.resilientkafka.testkit.internal.CertificateAuthority.create(dir, "someone-else", "other-secret");
    Map<String, Object> tls = new HashMap<>(cluster.clientSecurityProperties());
    tls.put("ssl.truststore.location", otherCa.truststore().toString());
    tls.put("ssl.truststore.password", otherCa.password());
    tls.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    try (KafkaProducer<String, String> producer = PlainClients.producer(cluster.bootstrapFqdns(), tls)) {
      assertThatThrownBy(() -> producer.send(new ProducerRecord<>("tls", "k", "v")).get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(SslAuthenticationException.class)
          .hasStackTraceContaining("PKIX path building failed");
    }
  }

  @Test
  void anIpPinnedClientFailsHostnameVerification() {
    Map<String, Object> tls = new HashMap<>(cluster.clientSecurityProperties());
    tls.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    try (KafkaProducer<String, String> producer = PlainClients.producer(cluster.bootstrapIps(), tls)) {
      assertThatThrownBy(() -> producer.send(new ProducerRecord<>("tls", "k", "v")).get(30, TimeUnit.SECONDS))
          .hasRootCauseInstanceOf(java.security.cert.CertificateException.class)
          .hasStackTraceContaining("No subject alternative names matching IP address");
    }
  }
}
