package dev.resilientkafka.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The wire side: UDP truncation and the TCP retry, several queries per TCP connection, garbage packets,
 * injected faults, and the sockets' lifecycle.
 */
class KubeDnsServerTransportTest {
  private static final String POD = "kafka-0.kafka-brokers.kafka.svc.cluster.local.";
  private static final String SERVICE = "kafka-brokers.kafka.svc.cluster.local.";

  private KubeDnsServer server;

  @BeforeEach
  void start() {
    server = KubeDnsServer.builder().start();
    server.putPod(pod(0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void aUdpAnswerOver512BytesIsTruncatedWithoutEdnsAndAnsweredInFullOverTcp() throws IOException {
    addPods(100);
    SimpleResolver udp = resolver(false);
    udp.setEDNS(-1, 0, 0, List.of());
    udp.setIgnoreTruncation(true);

    Message truncated = udp.send(query(SERVICE, Type.A));

    assertThat(truncated.getHeader().getFlag(Flags.TC)).isTrue();
    assertThat(truncated.getSection(Section.ANSWER)).isEmpty();
    assertThat(truncated.getQuestion().getName()).isEqualTo(Name.fromString(SERVICE));
    assertThat(truncated.toWire().length).isLessThanOrEqualTo(512);

    SimpleResolver tcp = resolver(true);
    tcp.setEDNS(-1, 0, 0, List.of());
    Message full = tcp.send(query(SERVICE, Type.A));
    assertThat(full.getHeader().getFlag(Flags.TC)).isFalse();
    assertThat(full.getSection(Section.ANSWER)).hasSize(100);
  }

  @Test
  void theUdpLimitIsTheClientsEdnsPayloadSize() throws IOException {
    addPods(100); // about 1.7 kB of A records

    SimpleResolver small = resolver(false);
    small.setEDNS(0, 1232, 0, List.of());
    small.setIgnoreTruncation(true);
    Message truncated = small.send(query(SERVICE, Type.A));
    assertThat(truncated.getHeader().getFlag(Flags.TC)).isTrue();
    assertThat(truncated.getSection(Section.ANSWER)).isEmpty();
    assertThat(truncated.getOPT()).isNotNull();

    SimpleResolver large = resolver(false);
    large.setEDNS(0, 4096, 0, List.of());
    large.setIgnoreTruncation(true);
    Message full = large.send(query(SERVICE, Type.A));
    assertThat(full.getHeader().getFlag(Flags.TC)).isFalse();
    assertThat(full.getSection(Section.ANSWER)).hasSize(100);
  }

  @Test
  void aResolverRetriesATruncatedAnswerOverTcpAndGetsItAll() throws IOException {
    addPods(100);
    SimpleResolver resolver = resolver(false);
    resolver.setEDNS(-1, 0, 0, List.of());
    long before = server.queries();

    Message response = resolver.send(query(SERVICE, Type.A));

    assertThat(response.getSection(Section.ANSWER)).hasSize(100);
    assertThat(server.queries() - before).isEqualTo(2); // the UDP try and the TCP retry
  }

  @Test
  void oneTcpConnectionCarriesSeveralQueries() throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(server.address());
      OutputStream out = socket.getOutputStream();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      for (int i = 0; i < 3; i++) {
        Message query = query(POD, Type.A);
        writeFrame(out, query.toWire());

        Message response = new Message(readFrame(in));

        assertThat(response.getHeader().getID()).isEqualTo(query.getHeader().getID());
        assertThat(response.getSection(Section.ANSWER)).hasSize(1);
      }
    }
  }

  @Test
  void garbageOverUdpNeitherGetsAnAnswerNorStopsTheServer() throws IOException {
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      socket.setSoTimeout(5_000);
      socket.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, server.address()));
      Message query = query(POD, Type.A);
      byte[] wire = query.toWire();
      socket.send(new DatagramPacket(wire, wire.length, server.address()));

      // the first datagram back is the answer to the good query: the garbage got none
      Message response = receive(socket);
      assertThat(response.getHeader().getID()).isEqualTo(query.getHeader().getID());
      assertThat(response.getSection(Section.ANSWER)).hasSize(1);
    }
  }

  @Test
  void aMalformedQueryWithAReadableHeaderGetsFormerr() throws IOException {
    // id 0x1234, RD, one question, then a name whose label runs past the end of the packet
    byte[] malformed = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 20, 'k', 'a'};
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      socket.setSoTimeout(5_000);
      socket.send(new DatagramPacket(malformed, malformed.length, server.address()));

      Message response = receive(socket);

      assertThat(response.getHeader().getID()).isEqualTo(0x1234);
      assertThat(response.getRcode()).isEqualTo(Rcode.FORMERR);
      assertThat(response.getHeader().getFlag(Flags.QR)).isTrue();
    }
    assertThat(resolver(false).send(query(POD, Type.A)).getSection(Section.ANSWER)).hasSize(1);
  }

  @Test
  void garbageOverTcpClosesOnlyThatConnection() throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(server.address());
      // a frame announcing 300 bytes, then EOF: the server gives up on this connection
      socket.getOutputStream().write(new byte[] {0x01, 0x2c, 9, 9, 9});
      socket.shutdownOutput();
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
    }
    assertThat(resolver(true).send(query(POD, Type.A)).getSection(Section.ANSWER)).hasSize(1);
  }

  @ParameterizedTest(name = "tcp={0}")
  @ValueSource(booleans = {false, true})
  void anInjectedRcodeAnswersEveryTypeOfThatNameUntilCleared(boolean tcp) throws IOException {
    server.failName("KAFKA-0.kafka-brokers.kafka.svc.cluster.local", Rcode.SERVFAIL);
    SimpleResolver resolver = resolver(tcp);

    assertThat(resolver.send(query(POD, Type.A)).getRcode()).isEqualTo(Rcode.SERVFAIL);
    assertThat(resolver.send(query(POD, Type.AAAA)).getRcode()).isEqualTo(Rcode.SERVFAIL);
    assertThat(resolver.send(query(SERVICE, Type.A)).getRcode()).isEqualTo(Rcode.NOERROR);

    server.clearFaults();

    assertThat(resolver.send(query(POD, Type.A)).getSection(Section.ANSWER)).hasSize(1);
  }

  @ParameterizedTest(name = "tcp={0}")
  @ValueSource(booleans = {false, true})
  void droppedQueriesTimeOutAndCount(boolean tcp) throws IOException {
    SimpleResolver resolver = resolver(tcp);
    resolver.setTimeout(Duration.ofMillis(300));
    server.dropQueries(true);
    long before = server.queries();

    assertThatThrownBy(() -> resolver.send(query(POD, Type.A))).isInstanceOf(IOException.class);
    assertThat(server.queries()).isGreaterThan(before);

    server.dropQueries(false);
    assertThat(resolver.send(query(POD, Type.A)).getSection(Section.ANSWER)).hasSize(1);
  }

  @Test
  void queriesCountsEachQueryOnce() throws IOException {
    long before = server.queries();
    for (int i = 0; i < 5; i++) {
      resolver(i % 2 == 0).send(query(POD, Type.A));
    }
    assertThat(server.queries() - before).isEqualTo(5);
  }

  @Test
  void closeFreesThePortForUdpAndTcpAndIsIdempotent() throws IOException {
    int port = server.address().getPort();

    server.close();
    server.close();

    try (KubeDnsServer again = KubeDnsServer.builder().port(port).start()) {
      again.putPod(pod(0));
      assertThat(again.address().getPort()).isEqualTo(port);
      assertThat(resolver(again, false).send(query(POD, Type.A)).getSection(Section.ANSWER)).hasSize(1);
      assertThat(resolver(again, true).send(query(POD, Type.A)).getSection(Section.ANSWER)).hasSize(1);
    }
  }

  @Test
  void startFailsClearlyWhenThePortIsTaken() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();

      assertThatThrownBy(() -> KubeDnsServer.builder().port(port).start())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("127.0.0.1:" + port)
          .hasMessageContaining("UDP and TCP");
    }
  }

  @Test
  void threadsAreDaemonsAndEndOnClose() {
    int port = server.address().getPort();
    assertThat(serverThreads(port)).isNotEmpty().allMatch(Thread::isDaemon);

    server.close();

    assertThat(serverThreads(port)).isEmpty();
  }

  private static List<Thread> serverThreads(int port) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(t -> t.getName().matches("kube-dns-(udp|tcp)-" + port + "(-\\d+)?"))
        .toList();
  }

  private void addPods(int count) {
    for (int i = 1; i < count; i++) {
      server.putPod(pod(i));
    }
  }

  private SimpleResolver resolver(boolean tcp) {
    return resolver(server, tcp);
  }

  private static SimpleResolver resolver(KubeDnsServer server, boolean tcp) {
    SimpleResolver resolver = new SimpleResolver(server.address());
    resolver.setTCP(tcp);
    resolver.setTimeout(Duration.ofSeconds(5));
    return resolver;
  }

  private static Message query(String name, int type) throws IOException {
    return Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
  }

  private static Message receive(DatagramSocket socket) throws IOException {
    DatagramPacket packet = new DatagramPacket(new byte[4096], 4096);
    socket.receive(packet);
    return new Message(Arrays.copyOf(packet.getData(), packet.getLength()));
  }

  private static void writeFrame(OutputStream out, byte[] message) throws IOException {
    out.write(new byte[] {(byte) (message.length >>> 8), (byte) message.length});
    out.write(message);
    out.flush();
  }

  private static byte[] readFrame(DataInputStream in) throws IOException {
    byte[] message = new byte[in.readUnsignedShort()];
    in.readFully(message);
    return message;
  }

  private static PodRecord pod(int index) {
    try {
      InetAddress address = InetAddress.getByAddress(new byte[] {10, 0, (byte) (index / 250), (byte) (index % 250 + 1)});
      return new PodRecord("kafka", "kafka-brokers", "kafka-" + index, address, Map.of("tcp-kafka", 9092));
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
