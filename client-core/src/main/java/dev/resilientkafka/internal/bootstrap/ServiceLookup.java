package dev.resilientkafka.internal.bootstrap;

import dev.resilientkafka.BootstrapException;
import dev.resilientkafka.BootstrapException.Reason;
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
import org.xbill.DNS.ARecord;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Type;

/**
 * One resolution of one service, the way the issue asks: SRV first (one target per pod), else the
 * Service's A records mapped back to pod names by PTR, else a {@link BootstrapException} that says what
 * was tried. Stateless apart from its settings; thread-safe.
 */
public final class ServiceLookup {
  private final DnsClient dns;
  private final String namespace;
  private final String clusterDomain;
  private final int defaultPort;

  public ServiceLookup(
      List<InetSocketAddress> dnsServers, Duration queryTimeout, String namespace, String clusterDomain, int defaultPort) {
    this.dns = new DnsClient(dnsServers, queryTimeout);
    this.namespace = namespace;
    this.clusterDomain = clusterDomain;
    this.defaultPort = defaultPort;
  }

  /** The DNS server(s) asked, for messages. */
  public String dnsServer() {
    return dns.description();
  }

  /** Parses {@code input} with this lookup's namespace and cluster domain; see {@link ServiceTarget#parse}. */
  public ServiceTarget parse(String input) {
    return ServiceTarget.parse(input, namespace, clusterDomain);
  }

  /**
   * Resolves {@code target} once.
   *
   * @throws BootstrapException when DNS gives no usable answer
   */
  public Resolution resolve(ServiceTarget target) {
    List<String> attempts = new ArrayList<>();
    String srvName = target.srvName() != null ? target.srvName() : target.serviceFqdn();
    DnsClient.Answer srv = query(target, srvName, Type.SRV, attempts);
    List<SRVRecord> srvRecords = new ArrayList<>();
    for (Record r : srv.answers()) {
      if (r instanceof SRVRecord s && (target.port() == null || s.getPort() == target.port())) {
        srvRecords.add(s);
      }
    }
    if (srv.rcode() == Rcode.NOERROR && !srvRecords.isEmpty()) {
      return fromSrv(target, srv, srvRecords);
    }
    if (srv.rcode() == Rcode.NOERROR && !srv.answers().isEmpty()) {
      attempts.set(attempts.size() - 1, attempts.get(attempts.size() - 1) + " (no record with port " + target.port() + ")");
    }
    if (srv.rcode() != Rcode.NOERROR && srv.rcode() != Rcode.NXDOMAIN) {
      throw failure(target, Reason.SERVER_FAILURE, attempts,
          "The DNS server answered " + srv.rcodeName() + "; check the server and the cluster DNS (CoreDNS) health.");
    }
    if (target.srvName() != null) {
      throw srv.rcode() == Rcode.NXDOMAIN
          ? failure(target, Reason.NXDOMAIN, attempts,
              "The SRV name does not exist; check the port name, Service name and namespace, and that pods are Ready.")
          : failure(target, Reason.NO_RECORDS, attempts, "The SRV name exists but has no records.");
    }
    return fromAddresses(target, attempts);
  }

  private Resolution fromSrv(ServiceTarget target, DnsClient.Answer srv, List<SRVRecord> records) {
    Map<String, List<InetAddress>> glue = new TreeMap<>();
    long ttl = Long.MAX_VALUE;
    for (Record r : srv.additional()) {
      if (r instanceof ARecord a) {
        glue.computeIfAbsent(fqdn(a.getName().toString()), k -> new ArrayList<>()).add(a.getAddress());
        ttl = Math.min(ttl, a.getTTL());
      }
    }
    List<InetSocketAddress> servers = new ArrayList<>();
    Map<String, List<InetAddress>> addresses = new LinkedHashMap<>();
    for (SRVRecord s : records) {
      String host = fqdn(s.getTarget().toString());
      servers.add(InetSocketAddress.createUnresolved(host, s.getPort()));
      addresses.put(host, List.copyOf(glue.getOrDefault(host, List.of())));
      ttl = Math.min(ttl, s.getTTL());
    }
    return new Resolution(target, sorted(servers), addresses, Duration.ofSeconds(ttl), "SRV");
  }

  private Resolution fromAddresses(ServiceTarget target, List<String> attempts) {
    DnsClient.Answer a = query(target, target.serviceFqdn(), Type.A, attempts);
    if (a.rcode() == Rcode.NXDOMAIN) {
      throw failure(target, Reason.NXDOMAIN, attempts,
          "The name does not exist; Kubernetes DNS also answers NXDOMAIN for a headless Service without Ready pods."
              + " Check the Service name, namespace and cluster domain, and that broker pods are Ready.");
    }
    if (a.rcode() != Rcode.NOERROR) {
      throw failure(target, Reason.SERVER_FAILURE, attempts,
          "The DNS server answered " + a.rcodeName() + "; check the server and the cluster DNS (CoreDNS) health.");
    }
    List<ARecord> records = a.answers().stream().filter(ARecord.class::isInstance).map(ARecord.class::cast).toList();
    if (records.isEmpty()) {
      throw failure(target, Reason.NO_RECORDS, attempts,
          "The name exists but has neither SRV nor A records; is it a headless Service (clusterIP: None) with Ready pods?");
    }
    long ttl = Long.MAX_VALUE;
    int port = target.port() != null ? target.port() : defaultPort;
    String suffix = "." + target.serviceFqdn();
    Map<String, List<InetAddress>> addresses = new TreeMap<>();
    List<String> unnamed = new ArrayList<>();
    for (ARecord record : records) {
      ttl = Math.min(ttl, record.getTTL());
      String reverse = ReverseMap.fromAddress(record.getAddress()).toString();
      DnsClient.Answer ptr = query(target, reverse, Type.PTR, attempts);
      String pod = null;
      for (Record r : ptr.answers()) {
        if (r instanceof PTRRecord p && fqdn(p.getTarget().toString()).endsWith(suffix)) {
          pod = fqdn(p.getTarget().toString());
          ttl = Math.min(ttl, p.getTTL());
        }
      }
      if (pod == null) {
        unnamed.add(record.getAddress().getHostAddress());
      } else {
        addresses.computeIfAbsent(pod, k -> new ArrayList<>()).add(record.getAddress());
      }
    }
    if (addresses.isEmpty()) {
      throw failure(target, Reason.NO_POD_NAMES, attempts,
          "Addresses " + unnamed + " have no PTR name under " + target.serviceFqdn()
              + "; without pod names the bootstrap would pin IPs. Is this a headless Service of a StatefulSet"
              + " (spec.serviceName set, so pods get <pod>." + target.serviceFqdn() + ")?");
    }
    List<InetSocketAddress> servers = new ArrayList<>();
    addresses.keySet().forEach(host -> servers.add(InetSocketAddress.createUnresolved(host, port)));
    return new Resolution(target, sorted(servers), addresses, Duration.ofSeconds(ttl), "A+PTR");
  }

  /**
   * The current A records of {@code host}, for pods whose addresses the SRV answer did not carry.
   *
   * @throws BootstrapException when DNS gives no answer
   */
  public List<InetAddress> addressesOf(ServiceTarget target, String host) {
    List<String> attempts = new ArrayList<>();
    DnsClient.Answer a = query(target, host, Type.A, attempts);
    return a.answers().stream().filter(ARecord.class::isInstance).map(r -> ((ARecord) r).getAddress()).toList();
  }

  private DnsClient.Answer query(ServiceTarget target, String name, int type, List<String> attempts) {
    String what = DnsClient.typeName(type) + " " + name;
    try {
      DnsClient.Answer answer = dns.query(name, type);
      attempts.add(what + " -> " + answer.rcodeName()
          + (answer.rcode() == Rcode.NOERROR ? " (" + answer.answers().size() + " records)" : ""));
      return answer;
    } catch (DnsClient.QueryFailed e) {
      attempts.add(what + " -> " + e.getMessage());
      throw e.timedOut
          ? failure(target, Reason.TIMEOUT, attempts, "The DNS server did not answer; check the address and port of the DNS server and the network.", e)
          : failure(target, Reason.IO_ERROR, attempts, "Talking to the DNS server failed.", e.getCause());
    }
  }

  private BootstrapException failure(ServiceTarget target, Reason reason, List<String> attempts, String detail) {
    return failure(target, reason, attempts, detail, null);
  }

  private BootstrapException failure(
      ServiceTarget target, Reason reason, List<String> attempts, String detail, @org.jspecify.annotations.Nullable Throwable cause) {
    String host = target.input().strip().replaceFirst(":\\d*$", "").replaceFirst("\\.$", "");
    String expanded = host.equalsIgnoreCase(target.serviceFqdn()) || target.srvName() != null ? "" : " (" + target.serviceFqdn() + ")";
    return new BootstrapException(reason, target.input() + expanded, dns.description(), attempts, detail, cause);
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
