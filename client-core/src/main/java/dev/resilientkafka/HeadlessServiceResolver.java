package dev.resilientkafka;

import dev.resilientkafka.internal.bootstrap.ResolvConf;
import dev.resilientkafka.internal.bootstrap.Resolution;
import dev.resilientkafka.internal.bootstrap.ServiceLookup;
import dev.resilientkafka.internal.bootstrap.ServiceReports;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A {@link BootstrapResolver} for Kubernetes headless Services, asking DNS directly (no JVM cache): SRV
 * first (one target per pod and Kafka port), else the Service's A and AAAA records mapped back to pod
 * names by PTR (IPv4 and IPv6 alike), else a {@link BootstrapException} naming the service, the DNS server
 * and every query tried.
 *
 * <p>The Kafka port: the one in the service name; else the records of the SRV port name given with
 * {@link Builder#portName}; else the records with the default port (9092) among the Service's SRV
 * answer, which lists every named port of every pod. Records of other ports, and targets outside the
 * Service's domain (unless {@link Builder#allowForeignTargets}), are left out and logged once (WARN).
 * {@code service.namespace} is read as that Service and, when it does not exist, as the name itself.
 *
 * <p>Defaults: the nameservers and search list of {@code /etc/resolv.conf} (read by dnsjava's parser);
 * namespace and cluster domain from the first {@code <namespace>.svc.<domain>} search entry, else {@code
 * default} and {@code cluster.local}; 2 s per query; port 9092; no port name; foreign targets left out. Immutable and
 * thread-safe; each {@link #resolve} asks DNS afresh. To keep a Kafka client's bootstrap current in the
 * background, configure the client with {@code resilient.bootstrap.service} instead.
 */
public final class HeadlessServiceResolver implements BootstrapResolver {
  private final ServiceLookup lookup;
  private final ServiceReports reports = new ServiceReports();

  private HeadlessServiceResolver(ServiceLookup lookup) {
    this.lookup = lookup;
  }

  /** A builder with the defaults described on the class. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public List<InetSocketAddress> resolve(String service) {
    Objects.requireNonNull(service, "service");
    Resolution resolution = lookup.resolve(lookup.parse(service));
    reports.report(resolution, BootstrapListener.NONE);
    return resolution.servers();
  }

  /** The DNS server(s) asked, {@code host:port}, comma-separated. */
  public String dnsServer() {
    return lookup.dnsServer();
  }

  @Override
  public String toString() {
    return "HeadlessServiceResolver[dns=" + lookup.dnsServer() + "]";
  }

  /** Settings of a {@link HeadlessServiceResolver}; each setter checks its argument. Not thread-safe. */
  public static final class Builder {
    private @Nullable List<InetSocketAddress> dnsServers;
    private Path resolvConf = ResolvConf.SYSTEM;
    private @Nullable String namespace;
    private @Nullable String clusterDomain;
    private Duration queryTimeout = Duration.ofSeconds(2);
    private int defaultPort = 9092;
    private @Nullable String portName;
    private boolean allowForeignTargets;

    private Builder() {}

    /** The DNS server to ask, e.g. {@code 10.96.0.10:53}; default resolv.conf's nameservers. */
    public Builder dnsServer(InetSocketAddress server) {
      this.dnsServers = List.of(Objects.requireNonNull(server, "server"));
      return this;
    }

    /** The resolv.conf to read nameservers and the search list from; default {@code /etc/resolv.conf}. */
    public Builder resolvConf(Path file) {
      this.resolvConf = Objects.requireNonNull(file, "file");
      return this;
    }

    /** Namespace for short service names; default from the search list, else {@code default}. */
    public Builder namespace(String namespace) {
      this.namespace = label(namespace, "namespace");
      return this;
    }

    /** Cluster domain; default from the search list, else {@code cluster.local}. */
    public Builder clusterDomain(String clusterDomain) {
      Objects.requireNonNull(clusterDomain, "clusterDomain");
      if (!clusterDomain.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?")) {
        throw new IllegalArgumentException("Invalid value " + clusterDomain + " for clusterDomain: must be a DNS name like cluster.local");
      }
      this.clusterDomain = clusterDomain;
      return this;
    }

    /**
     * How long to wait for each DNS answer; default 2 s.
     *
     * @throws IllegalArgumentException unless between 100 ms and 60 s
     */
    public Builder queryTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.toMillis() < 100 || timeout.toMillis() > 60_000) {
        throw new IllegalArgumentException("Invalid value " + timeout + " for queryTimeout: must be between 100 ms and 60 s");
      }
      this.queryTimeout = timeout;
      return this;
    }

    /**
     * The broker port when neither the name nor SRV gives one; default 9092.
     *
     * @throws IllegalArgumentException unless 1..65535
     */
    public Builder defaultPort(int port) {
      if (port < 1 || port > 65_535) {
        throw new IllegalArgumentException("Invalid value " + port + " for defaultPort: must be between 1 and 65535");
      }
      this.defaultPort = port;
      return this;
    }

    /**
     * The name the Service gives its Kafka port ({@code kafka}, {@code tcp-kafka}, {@code 9092}), read as
     * {@code _<name>._tcp.<service>}; default none (the port is picked by number). A port in the service
     * name wins.
     *
     * @throws IllegalArgumentException unless lower-case letters, digits and '-' (a leading '_' is allowed)
     */
    public Builder portName(String name) {
      Objects.requireNonNull(name, "name");
      String bare = name.startsWith("_") ? name.substring(1) : name;
      if (!bare.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
        throw new IllegalArgumentException("Invalid value " + name + " for portName: must be lower-case letters, digits"
            + " and '-', as Kubernetes names ports, e.g. kafka");
      }
      this.portName = bare;
      return this;
    }

    /** Whether SRV targets outside the Service's domain are used; default false (left out and logged once). */
    public Builder allowForeignTargets(boolean allow) {
      this.allowForeignTargets = allow;
      return this;
    }

    /**
     * Reads resolv.conf where needed and builds the resolver.
     *
     * @throws IllegalStateException if no DNS server is given and resolv.conf names none
     * @throws IllegalArgumentException if resolv.conf has a line that cannot be parsed
     */
    public HeadlessServiceResolver build() {
      ResolvConf conf = ResolvConf.read(resolvConf);
      List<InetSocketAddress> servers = dnsServers != null ? dnsServers : conf.nameservers();
      if (servers.isEmpty()) {
        throw new IllegalStateException(resolvConf + " names no nameserver; set dnsServer(host:port)");
      }
      return new HeadlessServiceResolver(
          new ServiceLookup(
              servers,
              queryTimeout,
              namespace != null ? namespace : conf.namespace().orElse("default"),
              clusterDomain != null ? clusterDomain : conf.clusterDomain().orElse("cluster.local"),
              defaultPort,
              portName,
              allowForeignTargets));
    }

    private static String label(String value, String what) {
      Objects.requireNonNull(value, what);
      if (!value.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
        throw new IllegalArgumentException("Invalid value " + value + " for " + what + ": must be a DNS label (a-z, 0-9, '-')");
      }
      return value;
    }
  }
}
