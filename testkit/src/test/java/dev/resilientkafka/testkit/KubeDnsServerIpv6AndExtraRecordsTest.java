package dev.resilientkafka.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * IPv6-only and dual-stack pods (AAAA, PTR under ip6.arpa, AAAA glue), a server listening on {@code ::1},
 * and the records a test adds beside the pods' own (external hosts, SRV records with foreign targets).
 */
class KubeDnsServerIpv6AndExtraRecordsTest {
  private static final String SERVICE = "kafka-svc.kafka.svc.cluster.local.";
  private KubeDnsServer server;
  private InetAddress v6;
  private InetAddress v4;

  @BeforeEach
  void start() throws IOException {
    server = KubeDnsServer.builder().bindAddress(InetAddress.getByName("::1")).start();
    v6 = InetAddress.getByName("fd00::10");
    v4 = InetAddress.getByName("10.0.0.11");
    server.putPod(new PodRecord("kafka", "kafka-svc", "kafka-0", v6, Map.of("kafka", 9092, "jmx", 5555)));
    server.putPod(new PodRecord("kafka", "kafka-svc", "kafka-1", List.of(v4, InetAddress.getByName("fd00::11")),
        Map.of("kafka", 9092)));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void ipv6OnlyPodsGetAaaaAndNodataForA() throws IOException {
    Message aaaa = query("kafka-0.kafka-svc.kafka.svc.cluster.local.", Type.AAAA);
    assertThat(records(aaaa, Section.ANSWER, AAAARecord.class)).extracting(AAAARecord::getAddress).containsExactly(v6);

    Message a = query("kafka-0.kafka-svc.kafka.svc.cluster.local.", Type.A);
    assertThat(a.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(a.getSection(Section.ANSWER)).isEmpty();
    assertThat(server.address().getAddress().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
  }

  @Test
  void theServiceAnswersEachFamilyAndSrvGluesBoth() throws Exception {
    assertThat(records(query(SERVICE, Type.A), Section.ANSWER, ARecord.class)).extracting(ARecord::getAddress)
        .containsExactly(v4);
    assertThat(records(query(SERVICE, Type.AAAA), Section.ANSWER, AAAARecord.class)).extracting(AAAARecord::getAddress)
        .containsExactlyInAnyOrder(v6, InetAddress.getByName("fd00::11"));

    Message srv = query("_kafka._tcp." + SERVICE, Type.SRV);
    assertThat(records(srv, Section.ANSWER, SRVRecord.class)).extracting(r -> r.getTarget().toString(), SRVRecord::getPort)
        .containsExactlyInAnyOrder(tuple("kafka-0." + SERVICE, 9092), tuple("kafka-1." + SERVICE, 9092));
    assertThat(srv.getSection(Section.ADDITIONAL)).filteredOn(r -> r.getType() == Type.AAAA).hasSize(2);
    assertThat(srv.getSection(Section.ADDITIONAL)).filteredOn(r -> r.getType() == Type.A).hasSize(1);
    // the Service's own SRV answer lists every named port of every pod
    assertThat(records(query(SERVICE, Type.SRV), Section.ANSWER, SRVRecord.class)).extracting(SRVRecord::getPort)
        .containsExactlyInAnyOrder(9092, 5555, 9092);
  }

  @Test
  void ipv6AddressesMapBackToPodNamesUnderIp6Arpa() throws Exception {
    Message ptr = query(ReverseMap.fromAddress(v6).toString(), Type.PTR);
    assertThat(records(ptr, Section.ANSWER, PTRRecord.class)).extracting(r -> r.getTarget().toString())
        .containsExactly("kafka-0." + SERVICE);
    Message unknown = query(ReverseMap.fromAddress(InetAddress.getByName("fd00::99")).toString(), Type.PTR);
    assertThat(unknown.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(query("0.0.d.f.ip6.arpa.", Type.PTR).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(server.hostEntries()).containsEntry("kafka-0.kafka-svc.kafka.svc.cluster.local", List.of(v6));
  }

  @Test
  void addedRecordsAreServedBesideThePodsOwn() throws Exception {
    InetAddress external = InetAddress.getByName("192.0.2.7");
    server.putExternalHost("broker.other.example", List.of(external));
    server.putSrvRecord("_kafka._tcp." + SERVICE, "broker.other.example", 9092);
    server.putSrvRecord("kafka.corp", "b0.kafka.corp", 19092);

    Message srv = query("_kafka._tcp." + SERVICE, Type.SRV);
    assertThat(records(srv, Section.ANSWER, SRVRecord.class)).extracting(r -> r.getTarget().toString())
        .containsExactlyInAnyOrder("kafka-0." + SERVICE, "kafka-1." + SERVICE, "broker.other.example.");
    assertThat(records(srv, Section.ADDITIONAL, ARecord.class)).extracting(ARecord::getAddress).contains(external);

    Message outside = query("broker.other.example.", Type.A);
    assertThat(outside.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(records(outside, Section.ANSWER, ARecord.class)).extracting(ARecord::getAddress).containsExactly(external);
    assertThat(query("broker.other.example.", Type.AAAA).getSection(Section.ANSWER)).isEmpty();
    assertThat(records(query("kafka.corp.", Type.SRV), Section.ANSWER, SRVRecord.class)).extracting(SRVRecord::getPort)
        .containsExactly(19092);
    assertThat(query("elsewhere.example.", Type.A).getRcode()).isEqualTo(Rcode.REFUSED);
    assertThat(server.hostEntries()).containsEntry("broker.other.example", List.of(external));

    server.removeExtraRecords();
    assertThat(query("broker.other.example.", Type.A).getRcode()).isEqualTo(Rcode.REFUSED);
    assertThat(records(query("_kafka._tcp." + SERVICE, Type.SRV), Section.ANSWER, SRVRecord.class)).hasSize(2);
  }

  @Test
  void badPodAddressesAndAddedRecordsAreRejected() throws Exception {
    InetAddress scoped = InetAddress.getByName("fe80::1%1");
    assertThatThrownBy(() -> new PodRecord("kafka", "kafka-svc", "kafka-0", scoped, Map.of()))
        .hasMessageContaining("scope");
    assertThatThrownBy(() -> server.putExternalHost("x.example", List.of()))
        .hasMessageContaining("addresses");
    assertThatThrownBy(() -> server.putSrvRecord("_kafka._tcp." + SERVICE, "x.example", 0))
        .hasMessageContaining("Invalid value 0 for port");
  }

  private Message query(String name, int type) throws IOException {
    SimpleResolver resolver = new SimpleResolver(server.address());
    resolver.setTimeout(Duration.ofSeconds(5));
    return resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
  }

  private static <T extends Record> List<T> records(Message response, int section, Class<T> type) {
    return response.getSection(section).stream().filter(type::isInstance).map(type::cast).toList();
  }
}
