package dev.resilientkafka.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/** The records a headless Service's pods get, asked with dnsjava over UDP and over TCP. */
class KubeDnsServerRecordsTest {
  private static final String SERVICE = "kafka-brokers.kafka.svc.cluster.local.";

  private KubeDnsServer server;
  private PodRecord broker0;
  private PodRecord broker1;
  private PodRecord broker2;

  @BeforeEach
  void start() throws IOException {
    server = KubeDnsServer.builder().ttl(Duration.ofSeconds(7)).start();
    broker0 = pod("kafka-0", 11, Map.of("tcp-kafka", 9092, "tcp-ctrl", 9093));
    broker1 = pod("kafka-1", 12, Map.of("tcp-kafka", 9092, "tcp-ctrl", 9093));
    broker2 = pod("kafka-2", 13, Map.of("tcp-kafka", 9094));
    server.putPod(broker0);
    server.putPod(broker1);
    server.putPod(broker2);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @ParameterizedTest(name = "tcp={0}")
  @ValueSource(booleans = {false, true})
  void podNameResolvesToThePodAddress(boolean tcp) throws IOException {
    Message response = query(tcp, "kafka-1.kafka-brokers.kafka.svc.cluster.local.", Type.A);

    assertThat(response.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(addresses(response)).containsExactly(broker1.address());
    assertThat(response.getHeader().getFlag(Flags.AA)).isTrue();
    assertThat(response.getHeader().getFlag(Flags.RA)).isTrue();
    assertThat(response.getHeader().getFlag(Flags.RD)).isTrue();
    assertThat(response.getQuestion().getName())
        .isEqualTo(Name.fromString("kafka-1.kafka-brokers.kafka.svc.cluster.local."));
  }

  @ParameterizedTest(name = "tcp={0}")
  @ValueSource(booleans = {false, true})
  void serviceNameResolvesToEveryReadyPod(boolean tcp) throws IOException {
    Message response = query(tcp, SERVICE, Type.A);

    assertThat(addresses(response))
        .containsExactlyInAnyOrder(broker0.address(), broker1.address(), broker2.address());
  }

  @ParameterizedTest(name = "tcp={0}")
  @ValueSource(booleans = {false, true})
  void namesAreCaseInsensitive(boolean tcp) throws IOException {
    Message response = query(tcp, "KAFKA-0.Kafka-Brokers.kafka.SVC.Cluster.Local.", Type.A);

    assertThat(addresses(response)).containsExactly(broker0.address());
  }

  @ParameterizedTest(name = "tcp={0}")
  @ValueSource(booleans = {false, true})
  void srvListsEveryPodWithThePortAndGluesTheirAddresses(boolean tcp) throws IOException {
    Message response = query(tcp, "_tcp-kafka._tcp." + SERVICE, Type.SRV);

    List<SRVRecord> srv = records(response, Section.ANSWER, SRVRecord.class);
    assertThat(srv)
        .extracting(r -> r.getTarget().toString(), SRVRecord::getPort, SRVRecord::getPriority, SRVRecord::getWeight)
        .containsExactlyInAnyOrder(
            tuple("kafka-0.kafka-brokers.kafka.svc.cluster.local.", 9092, 0, 33),
            tuple("kafka-1.kafka-brokers.kafka.svc.cluster.local.", 9092, 0, 33),
            tuple("kafka-2.kafka-brokers.kafka.svc.cluster.local.", 9094, 0, 33));
    assertThat(records(response, Section.ADDITIONAL, ARecord.class))
        .extracting(r -> r.getName().toString(), ARecord::getAddress)
        .containsExactlyInAnyOrder(
            tuple("kafka-0.kafka-brokers.kafka.svc.cluster.local.", broker0.address()),
            tuple("kafka-1.kafka-brokers.kafka.svc.cluster.local.", broker1.address()),
            tuple("kafka-2.kafka-brokers.kafka.svc.cluster.local.", broker2.address()));
  }

  @ParameterizedTest(name = "tcp={0}")
  @ValueSource(booleans = {false, true})
  void srvForAPortOnlySomePodsHaveListsThoseWithCoreDnsWeights(boolean tcp) throws IOException {
    Message response = query(tcp, "_tcp-ctrl._tcp." + SERVICE, Type.SRV);

    assertThat(records(response, Section.ANSWER, SRVRecord.class))
        .extracting(r -> r.getTarget().toString(), SRVRecord::getPort, SRVRecord::getWeight)
        .containsExactlyInAnyOrder(
            tuple("kafka-0.kafka-brokers.kafka.svc.cluster.local.", 9093, 50),
            tuple("kafka-1.kafka-brokers.kafka.svc.cluster.local.", 9093, 50));
  }

  @ParameterizedTest(name = "tcp={0}")
  @ValueSource(booleans = {false, true})
  void srvForAnUnknownPortOrProtocolIsNxdomain(boolean tcp) throws IOException {
    assertThat(query(tcp, "_tcp-nope._tcp." + SERVICE, Type.SRV).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(query(tcp, "_tcp-kafka._udp." + SERVICE, Type.SRV).getRcode()).isEqualTo(Rcode.NXDOMAIN);
  }

  @ParameterizedTest(name = "tcp={0}")
  @ValueSource(booleans = {false, true})
  void ptrNamesThePod(boolean tcp) throws IOException {
    Message response = query(tcp, ReverseMap.fromAddress(broker2.address()).toString(), Type.PTR);

    assertThat(records(response, Section.ANSWER, PTRRecord.class))
        .extracting(r -> r.getTarget().toString())
        .containsExactly("kafka-2.kafka-brokers.kafka.svc.cluster.local.");
  }

  @ParameterizedTest(name = "tcp={0}")
  @ValueSource(booleans = {false, true})
  void unknownNamesAreNxdomainWithTheZoneSoa(boolean tcp) throws IOException {
    for (String name :
        List.of(
            "kafka-9.kafka-brokers.kafka.svc.cluster.local.",
            "other.kafka.svc.cluster.local.",
            "kafka-brokers.nowhere.svc.cluster.local.",
            "kafka-brokers.kafka.cluster.local.",
            "a.b.c.d.e.f.svc.cluster.local.")) {
      Message response = query(tcp, name, Type.A);

      assertThat(response.getRcode()).as(name).isEqualTo(Rcode.NXDOMAIN);
      assertThat(response.getSection(Section.ANSWER)).as(name).isEmpty();
      assertThat(response.getHeader().getFlag(Flags.AA)).as(name).isTrue();
      assertThat(soa(response).getName()).as(name).isEqualTo(Name.fromString("cluster.local."));
    }
    Message reverse = query(tcp, "99.0.0.10.in-addr.arpa.", Type.PTR);
    assertThat(reverse.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(soa(reverse).getName()).isEqualTo(Name.fromString("in-addr.arpa."));
  }

  @ParameterizedTest(name = "tcp={0}")
  @ValueSource(booleans = {false, true})
  void otherTypesOfExistingNamesAreNodata(boolean tcp) throws IOException {
    for (String name : List.of("kafka-0.kafka-brokers.kafka.svc.cluster.local.", SERVICE)) {
      Message response = query(tcp, name, Type.AAAA);

      assertThat(response.getRcode()).as(name).isEqualTo(Rcode.NOERROR);
      assertThat(response.getSection(Section.ANSWER)).as(name).isEmpty();
      assertThat(soa(response).getMinimum()).as(name).isEqualTo(7);
    }
  }

  @ParameterizedTest(name = "tcp={0}")
  @ValueSource(booleans = {false, true})
  void namesOutsideTheClusterDomainAreRefused(boolean tcp) throws IOException {
    Message response = query(tcp, "kafka.example.com.", Type.A);

    assertThat(response.getRcode()).isEqualTo(Rcode.REFUSED);
    assertThat(response.getSection(Section.ANSWER)).isEmpty();
  }

  @ParameterizedTest(name = "tcp={0}")
  @ValueSource(booleans = {false, true})
  void everyRecordCarriesTheTtlAndFollowsItsChanges(boolean tcp) throws IOException {
    assertThat(query(tcp, SERVICE, Type.A).getSection(Section.ANSWER))
        .extracting(Record::getTTL)
        .containsOnly(7L);

    server.ttl(Duration.ofSeconds(1));

    assertThat(server.ttl()).isEqualTo(Duration.ofSeconds(1));
    Message srv = query(tcp, "_tcp-kafka._tcp." + SERVICE, Type.SRV);
    assertThat(srv.getSection(Section.ANSWER)).extracting(Record::getTTL).containsOnly(1L);
    assertThat(srv.getSection(Section.ADDITIONAL))
        .filteredOn(r -> r.getType() == Type.A)
        .extracting(Record::getTTL)
        .containsOnly(1L);
    assertThat(soa(query(tcp, "nope.svc.cluster.local.", Type.A)).getTTL()).isEqualTo(1L);
  }

  @ParameterizedTest(name = "tcp={0}")
  @ValueSource(booleans = {false, true})
  void aRemovedPodVanishesFromEveryName(boolean tcp) throws IOException {
    assertThat(server.removePod("kafka", "kafka-brokers", "kafka-1")).isTrue();

    assertThat(query(tcp, "kafka-1.kafka-brokers.kafka.svc.cluster.local.", Type.A).getRcode())
        .isEqualTo(Rcode.NXDOMAIN);
    assertThat(addresses(query(tcp, SERVICE, Type.A)))
        .containsExactlyInAnyOrder(broker0.address(), broker2.address());
    assertThat(records(query(tcp, "_tcp-kafka._tcp." + SERVICE, Type.SRV), Section.ANSWER, SRVRecord.class))
        .extracting(r -> r.getTarget().toString(), SRVRecord::getWeight)
        .containsExactlyInAnyOrder(
            tuple("kafka-0.kafka-brokers.kafka.svc.cluster.local.", 50),
            tuple("kafka-2.kafka-brokers.kafka.svc.cluster.local.", 50));
    assertThat(query(tcp, ReverseMap.fromAddress(broker1.address()).toString(), Type.PTR).getRcode())
        .isEqualTo(Rcode.NXDOMAIN);
    assertThat(server.removePod("kafka", "kafka-brokers", "kafka-1")).isFalse();
  }

  @ParameterizedTest(name = "tcp={0}")
  @ValueSource(booleans = {false, true})
  void aReplacedPodAnswersWithItsNewAddress(boolean tcp) throws IOException {
    PodRecord moved = broker1.withAddress(address(99));
    server.putPod(moved);

    assertThat(addresses(query(tcp, "kafka-1.kafka-brokers.kafka.svc.cluster.local.", Type.A)))
        .containsExactly(moved.address());
    assertThat(server.pods()).containsExactly(broker0, moved, broker2);
  }

  @ParameterizedTest(name = "tcp={0}")
  @ValueSource(booleans = {false, true})
  void aServiceWithoutReadyPodsIsNxdomainLikeCoreDnsButItsNamespaceExists(boolean tcp) throws IOException {
    server.registerService("other", "empty");

    Message service = query(tcp, "empty.other.svc.cluster.local.", Type.A);
    assertThat(service.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(soa(service)).isNotNull();
    Message namespace = query(tcp, "other.svc.cluster.local.", Type.A);
    assertThat(namespace.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(namespace.getSection(Section.ANSWER)).isEmpty();
  }

  @ParameterizedTest(name = "tcp={0}")
  @ValueSource(booleans = {false, true})
  void theZoneHasAnSoaAndTheSchemaVersion(boolean tcp) throws IOException {
    Message soa = query(tcp, "cluster.local.", Type.SOA);
    assertThat(records(soa, Section.ANSWER, SOARecord.class))
        .singleElement()
        .satisfies(r -> assertThat(r.getHost()).isEqualTo(Name.fromString("ns.dns.cluster.local.")));

    Message version = query(tcp, "dns-version.cluster.local.", Type.TXT);
    assertThat(records(version, Section.ANSWER, TXTRecord.class))
        .singleElement()
        .satisfies(r -> assertThat(r.getStrings()).containsExactly("1.1.0"));
  }

  private Message query(boolean tcp, String name, int type) throws IOException {
    SimpleResolver resolver = new SimpleResolver(server.address());
    resolver.setTCP(tcp);
    resolver.setTimeout(Duration.ofSeconds(5));
    return resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
  }

  private static List<InetAddress> addresses(Message response) {
    return records(response, Section.ANSWER, ARecord.class).stream().map(ARecord::getAddress).toList();
  }

  private static <T extends Record> List<T> records(Message response, int section, Class<T> type) {
    return response.getSection(section).stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static SOARecord soa(Message response) {
    return records(response, Section.AUTHORITY, SOARecord.class).get(0);
  }

  private static PodRecord pod(String hostname, int lastOctet, Map<String, Integer> ports) {
    return new PodRecord("kafka", "kafka-brokers", hostname, address(lastOctet), ports);
  }

  private static InetAddress address(int lastOctet) {
    try {
      return InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) lastOctet});
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
