package dev.resilientkafka.testkit;

import dev.resilientkafka.testkit.internal.dns.ClusterRecords;
import dev.resilientkafka.testkit.internal.dns.DnsLabels;
import dev.resilientkafka.testkit.internal.dns.DnsListeners;
import dev.resilientkafka.testkit.internal.dns.DnsQueryHandler;
import dev.resilientkafka.testkit.internal.dns.DnsServerState;
import dev.resilientkafka.testkit.internal.dns.InjectedFaults;
import dev.resilientkafka.testkit.internal.dns.ZoneNames;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real DNS server on loopback that answers like a Kubernetes cluster's CoreDNS for headless
 * Services: the single source of truth for the names of a local cluster.
 *
 * <p>It speaks DNS over UDP and TCP on the same port and is authoritative for the cluster domain,
 * {@code in-addr.arpa} and {@code ip6.arpa}:
 *
 * <ul>
 *   <li>{@code <hostname>.<service>.<namespace>.svc.<domain>}: A for the pod's IPv4 address, AAAA for
 *       its IPv6 address (a pod may have either or both, as in single- and dual-stack clusters);
 *   <li>{@code <service>.<namespace>.svc.<domain>}: A and AAAA, one per ready pod and family;
 *   <li>{@code _<port-name>._tcp.<service>.<namespace>.svc.<domain>}: SRV {@code 0 <weight> <port>
 *       <pod fqdn>.}, one per ready pod with that port, weights sharing 100 as CoreDNS does ({@code
 *       100 / records}, rounded down, at least 1), the pods' A and AAAA records in ADDITIONAL; SRV on a
 *       Service or pod name lists all its ports (one record per pod and named port);
 *   <li>{@code <d>.<c>.<b>.<a>.in-addr.arpa} and the 32-nibble {@code ip6.arpa} names: PTR, the FQDN of
 *       each pod with that address;
 *   <li>{@code dns-version.<domain>}: TXT {@code "1.1.0"}, the specification's schema version.
 * </ul>
 *
 * <p>Besides the pods' records it serves what a test adds with {@link #putExternalHost} (A/AAAA for a
 * name outside the schema, as CoreDNS would get from its upstream) and {@link #putSrvRecord} (an SRV
 * record whose target is not one of the Service's pods, as a hand-made zone, a stub domain or
 * multi-cluster DNS can answer).
 *
 * <p>As CoreDNS does: names compare case-insensitively; another type for an existing name (AAAA for an
 * IPv4-only pod) gets NODATA (NOERROR, no answer, the zone's SOA in AUTHORITY), an unknown name
 * NXDOMAIN with the SOA, whose minimum is the TTL so resolvers cache negative answers no longer than
 * positive ones; a registered Service without ready pods gets <b>NXDOMAIN</b>, not NODATA (CoreDNS and
 * kube-dns have always done this, and the specification was changed to match in kubernetes/dns#245),
 * for its A, SRV and every name below it; {@code <namespace>.svc.<domain>} gets NODATA while the
 * namespace has a Service; zone transfers get REFUSED. Pod-IP names under {@code pod.<domain>} are not
 * served (NXDOMAIN). There is no upstream: a name outside the cluster domain and the reverse zones gets
 * REFUSED, where CoreDNS would forward it, unless a test added records for it.
 *
 * <p>Zone answers have the AA flag and the {@linkplain #ttl() TTL} on every record, the SOA included;
 * every response echoes the id and question, copies RD and sets RA. Over UDP a response larger than
 * 512 bytes, or than the client's EDNS payload size (at most 4096), comes back with TC and no records,
 * so the client asks again over TCP. A malformed query gets FORMERR when its header is readable and is
 * ignored otherwise, as are packets shorter than a header.
 *
 * <p>Defaults: cluster domain {@code cluster.local}, TTL 5 seconds (CoreDNS's default), bind address
 * {@code 127.0.0.1}, an ephemeral port free for both UDP and TCP. Its threads are daemon threads.
 *
 * <p>Thread-safe: records, TTL and faults may change from any thread while queries are served; each
 * query sees one consistent version of the records.
 */
public final class KubeDnsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KubeDnsServer.class);

  private final String clusterDomain;
  private final DnsServerState state;
  private final DnsListeners listeners;
  private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();
  private final AtomicBoolean listenerFailureWarned = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Serializes changes, so that change listeners run one at a time and in the order of changes. */
  private final Object changeLock = new Object();
  private volatile Duration ttl;

  private KubeDnsServer(Builder builder) {
    this.clusterDomain = builder.clusterDomain;
    this.ttl = builder.ttl;
    this.state = new DnsServerState(builder.ttl.toSeconds());
    this.listeners =
        DnsListeners.start(
            builder.bindAddress, builder.port, new DnsQueryHandler(clusterDomain, state));
    LOG.debug("Kubernetes DNS server for {} listening on {} (UDP and TCP)", clusterDomain, address());
  }

  /** A builder with the defaults: {@code cluster.local}, 5 s TTL, {@code 127.0.0.1}, ephemeral port. */
  public static Builder builder() {
    return new Builder();
  }

  /** Where UDP and TCP listen: the bind address and the (resolved, never 0) port. */
  public InetSocketAddress address() {
    return listeners.address();
  }

  /** The cluster domain, lower-case and without a trailing dot, e.g. {@code cluster.local}. */
  public String clusterDomain() {
    return clusterDomain;
  }

  /** The TTL of every record served, the SOA's included. */
  public Duration ttl() {
    return ttl;
  }

  /**
   * Changes the TTL of every record served from the next query on. Does not notify change listeners:
   * names and addresses stay the same.
   *
   * @throws IllegalArgumentException if negative, not whole seconds, or above 2^31-1 seconds
   */
  public void ttl(Duration ttl) {
    Duration checked = checkTtl(ttl);
    synchronized (changeLock) {
      this.ttl = checked;
      state.ttlSeconds(checked.toSeconds());
    }
  }

  /**
   * Publishes a ready pod, or replaces the pod with the same namespace, service and hostname (a
   * re-IP or a change of ports). Registers its Service.
   *
   * @throws IllegalArgumentException if the pod's FQDN is longer than DNS allows
   */
  public void putPod(PodRecord pod) {
    Objects.requireNonNull(pod, "pod");
    ZoneNames.absolute(podFqdn(pod), "pod"); // fails on a name too long for DNS
    change(records -> records.withPod(pod));
  }

  /**
   * Withdraws a pod that is gone or no longer ready: its names vanish, and it leaves its Service's A and
   * SRV answers. The Service stays registered.
   *
   * @return whether the pod was there
   */
  public boolean removePod(String namespace, String service, String hostname) {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(hostname, "hostname");
    return change(records -> records.withoutPod(namespace, service, hostname));
  }

  /**
   * Registers a Service that exists before or without ready pods. Its name still gets NXDOMAIN until a
   * pod is ready (as with CoreDNS), but its namespace exists: {@code <namespace>.svc.<domain>} gets
   * NODATA.
   *
   * @throws IllegalArgumentException if a name is not a lower-case DNS label
   */
  public void registerService(String namespace, String service) {
    DnsLabels.requireLabel(namespace, "namespace");
    DnsLabels.requireLabel(service, "service");
    ZoneNames.absolute(serviceFqdn(namespace, service), "service");
    change(records -> records.withService(namespace, service));
  }

  /**
   * Serves {@code fqdn} with {@code addresses} (A for IPv4, AAAA for IPv6), replacing what was added for
   * it before: a name outside the Kubernetes schema, such as an external broker or a short company name,
   * as CoreDNS would answer it from its upstream. It also goes into {@link #hostEntries()} unless a pod or
   * Service has the name.
   *
   * @throws IllegalArgumentException if {@code fqdn} is not a DNS name or {@code addresses} is empty
   */
  public void putExternalHost(String fqdn, List<InetAddress> addresses) {
    ZoneNames.absolute(Objects.requireNonNull(fqdn, "fqdn"), "fqdn");
    Objects.requireNonNull(addresses, "addresses");
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("Invalid value [] for addresses: give at least one address");
    }
    change(records -> records.withExternalHost(fqdn, addresses));
  }

  /**
   * Adds the SRV record {@code srvName SRV 0 <weight> port target.}, served after the pods' own records
   * for that name (or alone, for a name with none): a target outside the Service, as a hand-made zone,
   * a stub domain or multi-cluster DNS can answer. The target's addresses, when added with {@link
   * #putExternalHost}, go into ADDITIONAL.
   *
   * @throws IllegalArgumentException if a name is not a DNS name or the port is outside 1..65535
   */
  public void putSrvRecord(String srvName, String target, int port) {
    ZoneNames.absolute(Objects.requireNonNull(srvName, "srvName"), "srvName");
    ZoneNames.absolute(Objects.requireNonNull(target, "target"), "target");
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("Invalid value " + port + " for port: must be between 1 and 65535");
    }
    change(records -> records.withSrvRecord(srvName, target, port));
  }

  /** Removes everything added with {@link #putExternalHost} and {@link #putSrvRecord}. */
  public void removeExtraRecords() {
    change(ClusterRecords::withoutExtraRecords);
  }

  /** The ready pods, ordered by namespace, service and hostname; an immutable snapshot. */
  public List<PodRecord> pods() {
    return state.records().pods();
  }

  /**
   * Every name with addresses, for a hosts file: each pod's FQDN to its addresses, each Service's FQDN
   * to its ready pods' addresses, each external host to its addresses. FQDNs are lower-case without the trailing dot; Services without ready
   * pods are absent. An immutable snapshot, sorted by name; never blocks on a change in progress, so a
   * change listener may call it. Injected faults do not affect it.
   */
  public Map<String, List<InetAddress>> hostEntries() {
    return state.records().hostEntries(clusterDomain);
  }

  /** {@code <hostname>.<service>.<namespace>.svc.<domain>} of {@code pod}, without the trailing dot. */
  public String podFqdn(PodRecord pod) {
    return ZoneNames.podFqdn(pod, clusterDomain);
  }

  /** {@code <service>.<namespace>.svc.<domain>}, without the trailing dot. */
  public String serviceFqdn(String namespace, String service) {
    return ZoneNames.serviceFqdn(namespace, service, clusterDomain);
  }

  /**
   * Adds a listener called after every change of pods or Services (not of TTL or faults), on the
   * thread that made the change, one change at a time and in order, before that change's method
   * returns. It must be fast and must not wait for another thread that changes this server; it may read
   * {@link #hostEntries()}. Exceptions it throws are logged and do not undo the change.
   */
  public void addChangeListener(Runnable listener) {
    changeListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Removes a listener added with {@link #addChangeListener}; returns whether it was there. */
  public boolean removeChangeListener(Runnable listener) {
    return changeListeners.remove(listener);
  }

  /**
   * Answers every query for {@code fqdn} (any type, case-insensitive, trailing dot optional, any zone)
   * with {@code rcode} and no records, e.g. {@code org.xbill.DNS.Rcode.SERVFAIL} (2). The hosts-file
   * projection is not affected.
   *
   * @throws IllegalArgumentException if {@code fqdn} is not a DNS name or {@code rcode} is outside 0..15
   *     (the rcodes that fit a DNS header)
   */
  public void failName(String fqdn, int rcode) {
    Objects.requireNonNull(fqdn, "fqdn");
    if (rcode < 0 || rcode > 15) {
      throw new IllegalArgumentException(
          "Invalid value " + rcode + " for rcode: must be between 0 and 15, e.g. 2 (SERVFAIL)");
    }
    synchronized (changeLock) {
      state.faults(state.faults().withFailedName(fqdn, rcode));
    }
  }

  /** While true, no query gets an answer: clients time out. Dropped queries still count. */
  public void dropQueries(boolean drop) {
    synchronized (changeLock) {
      state.faults(state.faults().withDropQueries(drop));
    }
  }

  /** Removes every injected fault: names answer normally and queries are answered again. */
  public void clearFaults() {
    synchronized (changeLock) {
      state.faults(InjectedFaults.none());
    }
  }

  /**
   * Queries answered or dropped so far, over UDP and TCP, FORMERR answers included; a UDP query
   * truncated and retried over TCP counts twice. For asserting that a client does not hammer DNS.
   */
  public long queries() {
    return state.queries();
  }

  /**
   * Closes both sockets and every TCP connection and waits for the server's threads to end; the port is
   * free when it returns. Idempotent. Records can still be changed and read afterwards.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      listeners.close();
      LOG.debug("Kubernetes DNS server on {} closed", address());
    }
  }

  @Override
  public String toString() {
    return "KubeDnsServer[" + clusterDomain + " on " + address() + ", " + pods().size() + " pods]";
  }

  /** Applies {@code update}; when it changed something, notifies the listeners. */
  private boolean change(UnaryOperator<ClusterRecords> update) {
    synchronized (changeLock) {
      ClusterRecords before = state.records();
      ClusterRecords after = update.apply(before);
      if (after == before) {
        return false;
      }
      state.records(after);
      notifyListeners();
      return true;
    }
  }

  private void notifyListeners() {
    for (Runnable listener : changeListeners) {
      try {
        listener.run();
      } catch (RuntimeException e) {
        // a failure that repeats on every change would flood the log: WARN once, then DEBUG
        if (listenerFailureWarned.compareAndSet(false, true)) {
          LOG.warn("A DNS change listener failed; the change stands (further failures log at DEBUG)", e);
        } else {
          LOG.debug("A DNS change listener failed; the change stands", e);
        }
      }
    }
  }

  private static Duration checkTtl(Duration ttl) {
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.getNano() != 0 || ttl.getSeconds() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "Invalid value " + ttl + " for ttl: must be whole seconds between 0 and 2147483647");
    }
    return ttl;
  }

  /**
   * Configures and starts a {@link KubeDnsServer}. Each setter checks its argument at once. Not
   * thread-safe; one builder may start several servers (with port 0).
   */
  public static final class Builder {
    private String clusterDomain = "cluster.local";
    private Duration ttl = Duration.ofSeconds(5);
    private InetAddress bindAddress = ipv4Loopback();
    private int port;

    private Builder() {}

    /**
     * The cluster domain the server is authoritative for; default {@code cluster.local}.
     *
     * @throws IllegalArgumentException if not dot-separated DNS labels
     */
    public Builder clusterDomain(String clusterDomain) {
      this.clusterDomain = DnsLabels.requireDomain(clusterDomain, "clusterDomain");
      return this;
    }

    /**
     * The TTL of every record; default 5 seconds, as CoreDNS. Changeable later with {@link
     * KubeDnsServer#ttl(Duration)}.
     *
     * @throws IllegalArgumentException if negative, not whole seconds, or above 2^31-1 seconds
     */
    public Builder ttl(Duration ttl) {
      this.ttl = checkTtl(ttl);
      return this;
    }

    /** The address UDP and TCP bind to; default {@code 127.0.0.1}. */
    public Builder bindAddress(InetAddress bindAddress) {
      this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
      return this;
    }

    /**
     * The port for both UDP and TCP; default 0, an ephemeral port free for both.
     *
     * @throws IllegalArgumentException if outside 0..65535
     */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException(
            "Invalid value " + port + " for port: must be between 0 and 65535 (0 for an ephemeral port)");
      }
      this.port = port;
      return this;
    }

    /**
     * Binds UDP and TCP and starts serving, with no records yet.
     *
     * @throws IllegalStateException if the address and port cannot be bound for both UDP and TCP
     */
    public KubeDnsServer start() {
      return new KubeDnsServer(this);
    }

    private static InetAddress ipv4Loopback() {
      try {
        // not InetAddress.getLoopbackAddress(): that is ::1 when the JVM prefers IPv6
        return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
      } catch (UnknownHostException e) {
        throw new IllegalStateException("four bytes are always a valid address", e);
      }
    }
  }
}
