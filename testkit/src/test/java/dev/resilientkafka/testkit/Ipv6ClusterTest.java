package dev.resilientkafka.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * An IPv6-only cluster: two brokers on {@code ::1} with their own ports, pods with only an AAAA record,
 * extra named ports in DNS, the DNS server on {@code ::1}; plain clients bootstrapped on the pod FQDNs.
 */
class Ipv6ClusterTest {

  @Test
  void brokersOnTheIpv6LoopbackServeClientsThroughTheirPodNames() throws Exception {
    try (LocalKafkaCluster cluster = LocalKafkaCluster.builder().brokers(2).namespace("ipv6-only")
        .ipv6Loopback(true).portName("kafka").extraPort("jmx", 5555).extraPort("metrics", 9404).start()) {
      LocalBroker kafka0 = cluster.broker(0);
      LocalBroker kafka1 = cluster.broker(1);
      assertThat(kafka0.address()).isInstanceOf(Inet6Address.class).isEqualTo(InetAddress.getByName("::1"));
      assertThat(kafka0.port()).isNotEqualTo(kafka1.port()).isBetween(20_000, 31_999);
      assertThat(kafka0.ipPort()).isEqualTo("[0:0:0:0:0:0:0:1]:" + kafka0.port());
      assertThat(cluster.dnsAddress().getAddress()).isEqualTo(InetAddress.getByName("::1"));
      assertThat(cluster.serviceBootstrap()).isEqualTo("_kafka._tcp.kafka-svc.ipv6-only.svc.cluster.local");
      // the JVM resolves the pod name to ::1 through the hosts file
      assertThat(InetAddress.getAllByName(kafka0.fqdn())).containsExactly(InetAddress.getByName("::1"));

      SimpleResolver resolver = new SimpleResolver(cluster.dnsAddress());
      Message srv = resolver.send(Message.newQuery(
          Record.newRecord(Name.fromString(cluster.serviceFqdn() + "."), Type.SRV, DClass.IN)));
      List<Integer> ports = srv.getSection(Section.ANSWER).stream().map(r -> ((SRVRecord) r).getPort()).toList();
      assertThat(ports).containsExactlyInAnyOrder(kafka0.port(), kafka1.port(), 5555, 5555, 9404, 9404);
      assertThat(srv.getSection(Section.ADDITIONAL)).filteredOn(r -> r.getType() != Type.OPT)
          .allMatch(r -> r.getType() == Type.AAAA).hasSize(2);

      cluster.createTopic("t", 2, 2);
      try (KafkaProducer<String, String> producer = PlainClients.producer(cluster.bootstrapFqdns(), Map.of())) {
        producer.send(new ProducerRecord<>("t", 0, "k", "over ::1")).get(30, TimeUnit.SECONDS);
      }
      try (KafkaConsumer<String, String> consumer = PlainClients.consumer(cluster.bootstrapFqdns(), Map.of())) {
        assertThat(PlainClients.readAll(consumer, "t", Duration.ofSeconds(30))).extracting(ConsumerRecord::value)
            .containsExactly("over ::1");
      }
      System.out.printf("IPv6 cluster: %s and %s, DNS on %s%n", kafka0.ipPort(), kafka1.ipPort(), cluster.dnsAddress());
    }
  }
}
