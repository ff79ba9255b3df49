package dev.resilientkafka.testkit.internal.dns;

import dev.resilientkafka.testkit.PodRecord;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * Answers one question from the cluster's records the way CoreDNS's {@code kubernetes} plugin does for
 * headless Services (schema 1.1.0 of the Kubernetes DNS specification).
 *
 * <p>Stateless apart from the cluster domain, so one instance serves every query thread.
 */
final class ClusterZoneResponder {
  /** The Kubernetes DNS schema version published at {@code dns-version.<domain>}. */
  static final String SCHEMA_VERSION = "1.1.0";

  // SOA timers of CoreDNS; nothing here transfers zones, they are only there to look familiar.
  private static final long SOA_REFRESH = 7200;
  private static final long SOA_RETRY = 1800;
  private static final long SOA_EXPIRE = 86400;

  private static final Pattern OCTET = Pattern.compile("0|[1-9][0-9]{0,2}");
  private static final Pattern NIBBLE = Pattern.compile("[0-9a-f]");

  private final String clusterDomain;
  private final Name zone;

  ClusterZoneResponder(String clusterDomain) {
    this.clusterDomain = clusterDomain;
    this.zone = ZoneNames.absolute(clusterDomain, "clusterDomain");
  }

  /** Fills {@code response} (header and question already copied from the query) with the answer. */
  void answer(Record question, ClusterRecords records, long ttl, Message response) {
    Name qname = question.getName();
    int qtype = question.getType();
    ExtraRecords extra = records.extra();
    if (question.getDClass() != DClass.IN) {
      response.getHeader().setRcode(Rcode.REFUSED);
    } else if (qname.subdomain(zone)) {
      answerClusterName(qname, qtype, records, ttl, response);
      if (extra.has(qname.toString())) {
        mergeExtra(qname, qtype, extra, ttl, response);
      }
    } else if (qname.subdomain(ZoneNames.IN_ADDR_ARPA)) {
      answerReverseName(qname, qtype, records, ttl, response, ZoneNames.IN_ADDR_ARPA);
    } else if (qname.subdomain(ZoneNames.IP6_ARPA)) {
      answerReverseName(qname, qtype, records, ttl, response, ZoneNames.IP6_ARPA);
    } else if (extra.has(qname.toString())) {
      // what CoreDNS would have from its upstream: an answer, not authoritative
      extraRecords(qname, qtype, extra, ttl, response);
    } else {
      // CoreDNS would forward to an upstream; this server has none and says so instead of timing out
      response.getHeader().setRcode(Rcode.REFUSED);
    }
  }

  /** Adds the extra records of a name in the cluster zone to the zone's own answer. */
  private void mergeExtra(Name qname, int qtype, ExtraRecords extra, long ttl, Message response) {
    if (response.getHeader().getRcode() == Rcode.NXDOMAIN) {
      response.getHeader().setRcode(Rcode.NOERROR); // the name exists: NODATA at worst, SOA kept
    }
    if (response.getHeader().getRcode() != Rcode.NOERROR) {
      return;
    }
    Message extras = new Message();
    extraRecords(qname, qtype, extra, ttl, extras);
    if (extras.getSection(Section.ANSWER).isEmpty()) {
      return;
    }
    response.removeAllRecords(Section.AUTHORITY);
    authoritative(response);
    extras.getSection(Section.ANSWER).forEach(r -> response.addRecord(r, Section.ANSWER));
    extras.getSection(Section.ADDITIONAL).forEach(r -> response.addRecord(r, Section.ADDITIONAL));
  }

  /** The added records of {@code qname} of type {@code qtype}, with the targets' addresses for SRV. */
  private static void extraRecords(Name qname, int qtype, ExtraRecords extra, long ttl, Message response) {
    String name = qname.toString();
    if (qtype == Type.A || qtype == Type.AAAA) {
      addressRecords(qname, qtype, extra.hostAddresses(name), ttl)
          .forEach(r -> response.addRecord(r, Section.ANSWER));
    } else if (qtype == Type.SRV) {
      List<ExtraRecords.Srv> srv = extra.srvRecords(name);
      int weight = srv.isEmpty() ? 0 : Math.max(1, 100 / srv.size());
      for (ExtraRecords.Srv record : srv) {
        Name target = ZoneNames.absolute(record.target(), "target");
        response.addRecord(new SRVRecord(qname, DClass.IN, ttl, 0, weight, record.port(), target), Section.ANSWER);
        List<InetAddress> addresses = extra.hostAddresses(record.target());
        addressRecords(target, Type.A, addresses, ttl).forEach(r -> response.addRecord(r, Section.ADDITIONAL));
        addressRecords(target, Type.AAAA, addresses, ttl).forEach(r -> response.addRecord(r, Section.ADDITIONAL));
      }
    }
  }

  /** A records for the IPv4 addresses or AAAA records for the IPv6 addresses, as {@code type} asks. */
  private static List<Record> addressRecords(Name name, int type, Iterable<InetAddress> addresses, long ttl) {
    List<Record> records = new ArrayList<>();
    for (InetAddress address : addresses) {
      if (type == Type.A && address instanceof Inet4Address) {
        records.add(new ARecord(name, DClass.IN, ttl, address));
      } else if (type == Type.AAAA && address instanceof Inet6Address) {
        records.add(new AAAARecord(name, DClass.IN, ttl, address));
      }
    }
    return records;
  }

  private void answerClusterName(Name qname, int qtype, ClusterRecords records, long ttl, Message response) {
    if (qtype == Type.AXFR || qtype == Type.IXFR) {
      response.getHeader().setRcode(Rcode.REFUSED);
      return;
    }
    List<String> labels = relativeLabels(qname, zone);
    if (labels.isEmpty()) {
      if (qtype == Type.SOA) {
        authoritative(response).addRecord(soa(zone, records, ttl), Section.ANSWER);
      } else {
        negative(zone, Rcode.NOERROR, records, ttl, response);
      }
      return;
    }
    if (labels.equals(List.of("dns-version"))) {
      if (qtype == Type.TXT) {
        authoritative(response)
            .addRecord(new TXTRecord(qname, DClass.IN, ttl, SCHEMA_VERSION), Section.ANSWER);
      } else {
        negative(zone, Rcode.NOERROR, records, ttl, response);
      }
      return;
    }
    Selection selection = select(labels, records);
    if (selection == null) {
      negative(zone, Rcode.NXDOMAIN, records, ttl, response);
      return;
    }
    List<Record> answers = new ArrayList<>();
    List<Record> additional = new ArrayList<>();
    if (qtype == Type.A || qtype == Type.AAAA) {
      answers.addAll(addressRecords(qname, qtype, addresses(selection), ttl));
    } else if (qtype == Type.SRV) {
      services(qname, selection, ttl, answers, additional);
    }
    if (answers.isEmpty()) {
      negative(zone, Rcode.NOERROR, records, ttl, response);
      return;
    }
    authoritative(response);
    answers.forEach(record -> response.addRecord(record, Section.ANSWER));
    additional.forEach(record -> response.addRecord(record, Section.ADDITIONAL));
  }

  /**
   * The pods (and port) a name under the cluster domain stands for, or null when the name does not
   * exist. Follows CoreDNS's parsing: {@code [_port._proto.|hostname.]service.namespace.svc}.
   */
  private static @Nullable Selection select(List<String> labels, ClusterRecords records) {
    int size = labels.size();
    String kind = labels.get(size - 1);
    if (!kind.equals("svc") && !kind.equals("pod")) {
      return null;
    }
    if (size == 1) {
      return Selection.EXISTS_WITHOUT_DATA;
    }
    String namespace = labels.get(size - 2);
    if (size == 2) {
      return records.hasNamespace(namespace) ? Selection.EXISTS_WITHOUT_DATA : null;
    }
    if (kind.equals("pod")) {
      // pod A records (a-b-c-d.<ns>.pod.<domain>) are not served: nothing in the project uses them
      return null;
    }
    String service = labels.get(size - 3);
    switch (size) {
      case 3: {
        // CoreDNS answers NXDOMAIN, not NODATA, for a headless Service without ready endpoints
        List<PodRecord> pods = records.podsOf(namespace, service);
        return pods.isEmpty() ? null : new Selection(pods, null);
      }
      case 4:
        return records
            .pod(namespace, service, labels.get(0))
            .map(pod -> new Selection(List.of(pod), null))
            .orElse(null);
      case 5: {
        String port = stripUnderscore(labels.get(0));
        if (!stripUnderscore(labels.get(1)).equals("tcp")) {
          return null;
        }
        List<PodRecord> pods =
            records.podsOf(namespace, service).stream()
                .filter(pod -> pod.ports().containsKey(port))
                .toList();
        return pods.isEmpty() ? null : new Selection(pods, port);
      }
      default:
        return null;
    }
  }

  private static Set<InetAddress> addresses(Selection selection) {
    Set<InetAddress> addresses = new LinkedHashSet<>();
    selection.pods().forEach(pod -> addresses.addAll(pod.addresses()));
    return addresses;
  }

  /** SRV records with CoreDNS's weights, and the targets' A records for the additional section. */
  private void services(
      Name qname, Selection selection, long ttl, List<Record> answers, List<Record> additional) {
    List<PodRecord> targets = new ArrayList<>();
    List<Integer> ports = new ArrayList<>();
    for (PodRecord pod : selection.pods()) {
      pod.ports()
          .forEach(
              (name, number) -> {
                if (selection.port() == null || selection.port().equals(name)) {
                  targets.add(pod);
                  ports.add(number);
                }
              });
    }
    // CoreDNS shares a weight of 100 among the records of a priority, rounding down, at least 1
    int weight = targets.isEmpty() ? 0 : Math.max(1, 100 / targets.size());
    Set<PodRecord> glued = new LinkedHashSet<>();
    for (int i = 0; i < targets.size(); i++) {
      PodRecord pod = targets.get(i);
      Name target = podName(pod);
      answers.add(new SRVRecord(qname, DClass.IN, ttl, 0, weight, ports.get(i), target));
      if (glued.add(pod)) {
        additional.addAll(addressRecords(target, Type.A, pod.addresses(), ttl));
        additional.addAll(addressRecords(target, Type.AAAA, pod.addresses(), ttl));
      }
    }
  }

  private void answerReverseName(
      Name qname, int qtype, ClusterRecords records, long ttl, Message response, Name apex) {
    if (qtype == Type.AXFR || qtype == Type.IXFR) {
      response.getHeader().setRcode(Rcode.REFUSED);
      return;
    }
    List<String> labels = relativeLabels(qname, apex);
    if (labels.isEmpty()) {
      if (qtype == Type.SOA) {
        authoritative(response).addRecord(soa(apex, records, ttl), Section.ANSWER);
      } else {
        negative(apex, Rcode.NOERROR, records, ttl, response);
      }
      return;
    }
    InetAddress address = apex.equals(ZoneNames.IN_ADDR_ARPA) ? reverseIpv4(labels) : reverseIpv6(labels);
    List<PodRecord> pods = address == null ? List.of() : records.podsAt(address);
    if (pods.isEmpty()) {
      // CoreDNS also answers NXDOMAIN for the partial names (1.0.0.127.in-addr.arpa's parents)
      negative(apex, Rcode.NXDOMAIN, records, ttl, response);
      return;
    }
    if (qtype != Type.PTR) {
      negative(apex, Rcode.NOERROR, records, ttl, response);
      return;
    }
    authoritative(response);
    Set<Name> targets = new LinkedHashSet<>();
    pods.forEach(pod -> targets.add(podName(pod)));
    targets.forEach(
        target -> response.addRecord(new PTRRecord(qname, DClass.IN, ttl, target), Section.ANSWER));
  }

  /** The IPv4 address of {@code d.c.b.a.in-addr.arpa.}, or null when the name is not one. */
  private static @Nullable InetAddress reverseIpv4(List<String> labels) {
    if (labels.size() != 4 || !labels.stream().allMatch(label -> OCTET.matcher(label).matches())) {
      return null;
    }
    byte[] octets = new byte[4];
    for (int i = 0; i < 4; i++) {
      int value = Integer.parseInt(labels.get(3 - i));
      if (value > 255) {
        return null;
      }
      octets[i] = (byte) value;
    }
    return byAddress(octets);
  }

  /** The IPv6 address of the 32 nibble labels under {@code ip6.arpa.} (least significant first), or null. */
  private static @Nullable InetAddress reverseIpv6(List<String> labels) {
    if (labels.size() != 32 || !labels.stream().allMatch(label -> NIBBLE.matcher(label).matches())) {
      return null;
    }
    byte[] bytes = new byte[16];
    for (int i = 0; i < 16; i++) {
      int high = Character.digit(labels.get(31 - 2 * i).charAt(0), 16);
      int low = Character.digit(labels.get(30 - 2 * i).charAt(0), 16);
      bytes[i] = (byte) (high << 4 | low);
    }
    return byAddress(bytes);
  }

  private static InetAddress byAddress(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4 or 16 bytes are always a valid address", e);
    }
  }

  /** NXDOMAIN or NODATA: no answer, the zone's SOA in AUTHORITY so that resolvers can cache it. */
  private static void negative(Name zoneApex, int rcode, ClusterRecords records, long ttl, Message response) {
    authoritative(response).getHeader().setRcode(rcode);
    response.addRecord(soa(zoneApex, records, ttl), Section.AUTHORITY);
  }

  private static Message authoritative(Message response) {
    response.getHeader().setFlag(Flags.AA);
    return response;
  }

  /**
   * The zone's SOA as CoreDNS builds it. Its minimum is the TTL, so a resolver caches NXDOMAIN and
   * NODATA no longer than a positive answer.
   */
  private static SOARecord soa(Name zoneApex, ClusterRecords records, long ttl) {
    return new SOARecord(
        zoneApex,
        DClass.IN,
        ttl,
        Name.fromConstantString("ns.dns." + zoneApex),
        Name.fromConstantString("hostmaster." + zoneApex),
        records.serial() & 0xFFFF_FFFFL,
        SOA_REFRESH,
        SOA_RETRY,
        SOA_EXPIRE,
        ttl);
  }

  private Name podName(PodRecord pod) {
    return ZoneNames.absolute(ZoneNames.podFqdn(pod, clusterDomain), "pod");
  }

  /** The labels of {@code name} below {@code apex}, lower-cased, leftmost first. */
  private static List<String> relativeLabels(Name name, Name apex) {
    int count = name.labels() - apex.labels();
    List<String> labels = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      labels.add(name.getLabelString(i).toLowerCase(Locale.ROOT));
    }
    return labels;
  }

  private static String stripUnderscore(String label) {
    return label.startsWith("_") ? label.substring(1) : label;
  }

  /**
   * The pods a name stands for, restricted to one named port for {@code _port._tcp} names.
   *
   * @param pods the pods, empty for names that exist but hold no records
   * @param port the port name, or null for all ports
   */
  private record Selection(List<PodRecord> pods, @Nullable String port) {
    static final Selection EXISTS_WITHOUT_DATA = new Selection(List.of(), null);
  }
}
