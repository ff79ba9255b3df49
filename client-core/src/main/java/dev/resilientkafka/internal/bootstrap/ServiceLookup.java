package dev.resilientkafka.internal.bootstrap;

import dev.resilientkafka.BootstrapException;
import dev.resilientkafka.BootstrapException.Reason;
import dev.resilientkafka.internal.bootstrap.Resolution.Ignored;
import dev.resilientkafka.internal.bootstrap.Resolution.Why;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Type;

/**
 * One resolution of one service: SRV first (one target per pod and Kafka port), else the Service's A and
 * AAAA records mapped back to pod names by PTR, else a {@link BootstrapException} that says what was
 * tried. Stateless apart from its settings; thread-safe.
 *
 * <p>Which SRV records count: with a port in the service name, those with that port; else, with {@code
 * portName}, every record of {@code _<portName>._tcp.<service>}; else those of the Service's own SRV answer
 * (CoreDNS lists one record per pod and named port there) with the default port. Other ports are left out
 * ({@link Why#OTHER_PORT}), and so are targets outside the Service's domain ({@link Why#FOREIGN_TARGET})
 * unless {@code allowForeignTargets}: a name that is not {@code <pod>.<service>} is not a pod of the
 * Service and need not follow it. A relative name with several readings ({@link ServiceTarget}) is tried
 * reading by reading while the previous one does not exist.
 */
public final class ServiceLookup {
  private final DnsClient dns;
  private final String namespace;
  private final String clusterDomain;
  private final int defaultPort;
  private final @Nullable String portName;
  private final boolean allowForeignTargets;

  /**
   * @param portName the SRV port name of the Kafka port ({@code kafka} for {@code _kafka._tcp}), or null to
   *     pick the Kafka port by number ({@code defaultPort}) from the Service's SRV answer
   * @param allowForeignTargets whether SRV targets outside the Service's domain are used
   */
  public ServiceLookup(List<InetSocketAddress> dnsServers, Duration queryTimeout, String namespace,
      String clusterDomain, int defaultPort, @Nullable String portName, boolean allowForeignTargets) {
    this.dns = new DnsClient(dnsServers, queryTimeout);
    this.namespace = namespace;
    this.clusterDomain = clusterDomain;
    this.defaultPort = defaultPort;
    this.portName = portName;
    this.allowForeignTargets = allowForeignTargets;
  }

  /** The DNS server(s) asked, for messages. */
  public String dnsServer() {
    return dns.description();
  }

  /** Parses {@code input} with this lookup's namespace and cluster domain; see {@link ServiceTarget#parse}. */
  public ServiceTarget parse(String input) {
    return ServiceTarget.parse(input, namespace, clusterDomain);
  }

  /** The queries made so far and the response code of the last one. */
  private static final class Trace {
    final List<String> attempts = new ArrayList<>();
    int lastRcode = -1;
  }

  /**
   * Resolves {@code target} once.
   *
   * @throws BootstrapException when DNS gives no usable answer
   */
  public Resolution resolve(ServiceTarget target) {
    Trace trace = new Trace();
    List<String> candidates = target.candidates();
    BootstrapException first = null;
    for (int i = 0; i < candidates.size(); i++) {
      try {
        return resolveName(target, candidates.get(i), trace);
      } catch (BootstrapException e) {
        if (first == null) {
          if (e.reason() != Reason.NXDOMAIN || i == candidates.size() - 1) {
            throw e;
          }
          first = e;
        } else {
          throw bothReadingsFailed(target, candidates.get(i), e, trace);
        }
      }
    }
    throw new IllegalStateException("a service has at least one reading");
  }

  /** The Service reading did not exist and the name as given failed too: say both. */
  private BootstrapException bothReadingsFailed(ServiceTarget target, String name, BootstrapException e, Trace trace) {
    // a DNS server that serves only the cluster refuses other names: the Service's NXDOMAIN is the news then
    boolean refused = trace.lastRcode == Rcode.REFUSED;
    Reason reason = refused ? Reason.NXDOMAIN : e.reason();
    return failure(target, reason, trace,
        "Neither the Service " + target.serviceFqdn() + " (read as <service>.<namespace>) nor the name " + name
            + " itself answered (" + (refused ? "REFUSED" : e.reason()) + "). Check the Service name, namespace and"
            + " cluster domain, and that broker pods are Ready; a name outside the cluster may be written with a"
            + " trailing dot (" + name + ".) to skip the Service reading.", e.getCause());
  }

  private @Nullable String srvPrefix(ServiceTarget target) {
    if (target.srvPrefix() != null) {
      return target.srvPrefix();
    }
    // the port in the name wins over the configured port name
    return target.port() == null && portName != null ? "_" + portName + "._tcp" : null;
  }

  private Resolution resolveName(ServiceTarget target, String name, Trace trace) {
    String prefix = srvPrefix(target);
    if (prefix != null) {
      return fromPortSrv(target, name, prefix, trace);
    }
    int port = target.port() != null ? target.port() : defaultPort;
    DnsClient.Answer srv = query(target, name, Type.SRV, trace);
    if (srv.rcode() != Rcode.NOERROR && srv.rcode() != Rcode.NXDOMAIN) {
      throw serverFailure(target, srv, trace);
    }
    List<Ignored> ignored = new ArrayList<>();
    List<SRVRecord> usable = new ArrayList<>();
    for (Record r : srv.answers()) {
      if (r instanceof SRVRecord s) {
        if (s.getPort() != port) {
          ignored.add(new Ignored(InetSocketAddress.createUnresolved(fqdn(s.getTarget().toString()), s.getPort()), Why.OTHER_PORT));
        } else if (!allowForeignTargets && !inService(s, name)) {
          ignored.add(new Ignored(InetSocketAddress.createUnresolved(fqdn(s.getTarget().toString()), s.getPort()), Why.FOREIGN_TARGET));
        } else {
          usable.add(s);
        }
      }
    }
    if (!usable.isEmpty()) {
      return fromSrv(target, name, srv, usable, ignored);
    }
    if (!ignored.isEmpty()) {
      note(trace, "(none usable with port " + port + ": " + describe(ignored) + ")");
    }
    return fromAddresses(target, name, port, trace, ignored);
  }

  /** Every record of {@code _<port-name>._tcp.<name>}: the port name chose the port. */
  private Resolution fromPortSrv(ServiceTarget target, String name, String prefix, Trace trace) {
    String srvName = prefix + "." + name;
    DnsClient.Answer srv = query(target, srvName, Type.SRV, trace);
    if (srv.rcode() == Rcode.NXDOMAIN) {
      throw failure(target, Reason.NXDOMAIN, trace,
          "The SRV name " + srvName + " does not exist; check the port name (as the Service names the Kafka port"
              + (target.srvPrefix() == null ? ", resilient.bootstrap.port.name=" + portName : "")
              + "), the Service name and namespace, and that pods are Ready.");
    }
    if (srv.rcode() != Rcode.NOERROR) {
      throw serverFailure(target, srv, trace);
    }
    List<Ignored> ignored = new ArrayList<>();
    List<SRVRecord> usable = new ArrayList<>();
    for (Record r : srv.answers()) {
      if (r instanceof SRVRecord s) {
        if (allowForeignTargets || inService(s, name)) {
          usable.add(s);
        } else {
          ignored.add(new Ignored(InetSocketAddress.createUnresolved(fqdn(s.getTarget().toString()), s.getPort()), Why.FOREIGN_TARGET));
        }
      }
    }
    if (usable.isEmpty() && !ignored.isEmpty()) {
      throw failure(target, Reason.NO_POD_NAMES, trace,
          "Every SRV target " + describe(ignored) + " is outside the Service " + name + "; they are not its pods and"
              + " may not follow them. Point the SRV records at <pod>." + name + ", or set "
              + BootstrapConfig.ALLOW_FOREIGN_TARGETS + "=true if these targets are meant to be used.");
    }
    if (usable.isEmpty()) {
      throw failure(target, Reason.NO_RECORDS, trace, "The SRV name exists but has no records.");
    }
    return fromSrv(target, name, srv, usable, ignored);
  }

  private static boolean inService(SRVRecord record, String service) {
    return fqdn(record.getTarget().toString()).endsWith("." + service);
  }

  private Resolution fromSrv(ServiceTarget target, String name, DnsClient.Answer srv, List<SRVRecord> records,
      List<Ignored> ignored) {
    Map<String, List<InetAddress>> glue = new TreeMap<>();
    long ttl = Long.MAX_VALUE;
    for (Record r : srv.additional()) {
      InetAddress address = address(r);
      if (address != null) {
        glue.computeIfAbsent(fqdn(r.getName().toString()), k -> new ArrayList<>()).add(address);
        ttl = Math.min(ttl, r.getTTL());
      }
    }
    List<InetSocketAddress> servers = new ArrayList<>();
    Map<String, List<InetAddress>> addresses = new LinkedHashMap<>();
    for (SRVRecord s : records) {
      String host = fqdn(s.getTarget().toString());
      InetSocketAddress server = InetSocketAddress.createUnresolved(host, s.getPort());
      if (!servers.contains(server)) {
        servers.add(server);
      }
      addresses.put(host, List.copyOf(glue.getOrDefault(host, List.of())));
      ttl = Math.min(ttl, s.getTTL());
    }
    return new Resolution(target, name, sorted(servers), addresses, Duration.ofSeconds(ttl), "SRV", ignored);
  }

  private Resolution fromAddresses(ServiceTarget target, String name, int port, Trace trace, List<Ignored> ignored) {
    DnsClient.Answer a = query(target, name, Type.A, trace);
    if (a.rcode() == Rcode.NXDOMAIN) {
      throw failure(target, Reason.NXDOMAIN, trace,
          "The name does not exist; Kubernetes DNS also answers NXDOMAIN for a headless Service without Ready pods."
              + " Check the Service name, namespace and cluster domain, and that broker pods are Ready.");
    }
    if (a.rcode() != Rcode.NOERROR) {
      throw serverFailure(target, a, trace);
    }
    List<Record> records = new ArrayList<>(a.answers());
    // an IPv6-only cluster has only AAAA records; a dual-stack one both
    DnsClient.Answer aaaa = queryTolerant(target, name, Type.AAAA, trace, !records.isEmpty());
    if (aaaa != null && aaaa.rcode() == Rcode.NOERROR) {
      records.addAll(aaaa.answers());
    } else if (aaaa != null && records.stream().noneMatch(r -> address(r) != null)) {
      throw serverFailure(target, aaaa, trace);
    }
    long ttl = Long.MAX_VALUE;
    String suffix = "." + name;
    Map<String, List<InetAddress>> addresses = new TreeMap<>();
    List<String> unnamed = new ArrayList<>();
    for (Record record : records) {
      InetAddress address = address(record);
      if (address == null) {
        continue;
      }
      ttl = Math.min(ttl, record.getTTL());
      String reverse = ReverseMap.fromAddress(address).toString();
      DnsClient.Answer ptr = query(target, reverse, Type.PTR, trace);
      String pod = null;
      for (Record r : ptr.answers()) {
        if (r instanceof PTRRecord p && fqdn(p.getTarget().toString()).endsWith(suffix)) {
          pod = fqdn(p.getTarget().toString());
          ttl = Math.min(ttl, p.getTTL());
        }
      }
      if (pod == null) {
        unnamed.add(address.getHostAddress());
      } else {
        addresses.computeIfAbsent(pod, k -> new ArrayList<>()).add(address);
      }
    }
    if (addresses.isEmpty() && unnamed.isEmpty()) {
      throw failure(target, Reason.NO_RECORDS, trace,
          "The name exists but has neither SRV nor A/AAAA records; is it a headless Service (clusterIP: None) with Ready pods?");
    }
    if (addresses.isEmpty()) {
      throw failure(target, Reason.NO_POD_NAMES, trace,
          "Addresses " + unnamed + " have no PTR name under " + name
              + "; without pod names the bootstrap would pin IPs. Is this a headless Service of a StatefulSet"
              + " (spec.serviceName set, so pods get <pod>." + name + ")?");
    }
    List<InetSocketAddress> servers = new ArrayList<>();
    addresses.keySet().forEach(host -> servers.add(InetSocketAddress.createUnresolved(host, port)));
    return new Resolution(target, name, sorted(servers), addresses, Duration.ofSeconds(ttl), "A/AAAA+PTR", ignored);
  }

  /**
   * The current A and AAAA records of {@code host}, for pods whose addresses the SRV answer did not carry.
   *
   * @throws BootstrapException when DNS gives no answer
   */
  public List<InetAddress> addressesOf(ServiceTarget target, String host) {
    Trace trace = new Trace();
    List<InetAddress> result = new ArrayList<>();
    for (int type : new int[] {Type.A, Type.AAAA}) {
      DnsClient.Answer answer = queryTolerant(target, host, type, trace, type == Type.AAAA);
      if (answer != null) {
        answer.answers().stream().map(ServiceLookup::address).filter(a -> a != null).forEach(result::add);
      }
    }
    return result;
  }

  private static @Nullable InetAddress address(Record record) {
    if (record instanceof ARecord a) {
      return a.getAddress();
    }
    return record instanceof AAAARecord aaaa ? aaaa.getAddress() : null;
  }

  /** As {@link #query}, but when {@code tolerate} a failed query is noted and null returned. */
  private DnsClient.@Nullable Answer queryTolerant(ServiceTarget target, String name, int type, Trace trace, boolean tolerate) {
    try {
      return query(target, name, type, trace);
    } catch (BootstrapException e) {
      if (!tolerate) {
        throw e;
      }
      return null;
    }
  }

  private DnsClient.Answer query(ServiceTarget target, String name, int type, Trace trace) {
    String what = DnsClient.typeName(type) + " " + name;
    try {
      DnsClient.Answer answer = dns.query(name, type);
      trace.lastRcode = answer.rcode();
      long count = answer.answers().stream().filter(r -> r.getType() == type).count();
      trace.attempts.add(what + " -> " + answer.rcodeName() + (answer.rcode() == Rcode.NOERROR ? " (" + count + " records)" : ""));
      return answer;
    } catch (DnsClient.QueryFailed e) {
      trace.lastRcode = -1;
      trace.attempts.add(what + " -> " + e.getMessage());
      throw e.timedOut
          ? failure(target, Reason.TIMEOUT, trace, "The DNS server did not answer; check the address and port of the DNS server and the network.", e)
          : failure(target, Reason.IO_ERROR, trace, "Talking to the DNS server failed.", e.getCause());
    }
  }

  private static void note(Trace trace, String note) {
    int last = trace.attempts.size() - 1;
    trace.attempts.set(last, trace.attempts.get(last) + " " + note);
  }

  /** {@code N port(s) 9093, 5555 (other port); target a.example:9092 (foreign target)}, for messages. */
  static String describe(List<Ignored> ignored) {
    Map<Why, TreeSet<String>> byWhy = new TreeMap<>();
    for (Ignored i : ignored) {
      byWhy.computeIfAbsent(i.why(), w -> new TreeSet<>()).add(
          i.why() == Why.OTHER_PORT ? "port " + i.record().getPort() : HostPort.format(i.record()));
    }
    List<String> parts = new ArrayList<>();
    byWhy.forEach((why, items) -> parts.add(String.join(", ", items) + " (" + why.tag().replace('_', ' ') + ")"));
    return String.join("; ", parts);
  }

  private BootstrapException serverFailure(ServiceTarget target, DnsClient.Answer answer, Trace trace) {
    return failure(target, Reason.SERVER_FAILURE, trace,
        "The DNS server answered " + answer.rcodeName() + "; check the server and the cluster DNS (CoreDNS) health.");
  }

  private BootstrapException failure(ServiceTarget target, Reason reason, Trace trace, String detail) {
    return failure(target, reason, trace, detail, null);
  }

  private BootstrapException failure(
      ServiceTarget target, Reason reason, Trace trace, String detail, @Nullable Throwable cause) {
    String host = target.input().strip().replaceFirst(":\\d*$", "").replaceFirst("\\.$", "");
    String expanded = host.equalsIgnoreCase(target.serviceFqdn()) || target.srvPrefix() != null
        ? "" : " (" + String.join(" or ", target.candidates()) + ")";
    return new BootstrapException(reason, target.input() + expanded, dns.description(), trace.attempts, detail, cause);
  }

  private static String fqdn(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
  }

  private static List<InetSocketAddress> sorted(List<InetSocketAddress> servers) {
    List<InetSocketAddress> copy = new ArrayList<>(servers);
    copy.sort(Comparator.comparing(InetSocketAddress::getHostString).thenComparingInt(InetSocketAddress::getPort));
    return copy;
  }
}
