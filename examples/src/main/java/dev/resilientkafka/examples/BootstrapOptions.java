package dev.resilientkafka.examples;

import dev.resilientkafka.BootstrapException;
import dev.resilientkafka.HeadlessServiceResolver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.xbill.DNS.ResolverConfig;
import picocli.CommandLine.Option;

/**
 * Where the cluster is, the same three options on every subcommand that talks to one: {@code
 * --bootstrap-server} (Kafka's) or the brokers' headless Service with {@code --bootstrap-service} and
 * optionally {@code --dns-server}. Also turns a bootstrap name that does not resolve into an error that
 * names it and the resolver asked, before a Kafka client hides it behind "Failed to create new
 * KafkaAdminClient". A picocli mixin; one instance per parsed command line.
 */
public final class BootstrapOptions {
  /** The client key {@code --bootstrap-service} sets. */
  public static final String SERVICE_KEY = "resilient.bootstrap.service";
  /** The client key {@code --dns-server} sets. */
  public static final String DNS_SERVER_KEY = "resilient.bootstrap.dns.server";
  /** Kafka's key {@code --bootstrap-server} sets. */
  public static final String BOOTSTRAP_SERVERS_KEY = "bootstrap.servers";

  static final String BOOTSTRAP_SERVER = "--bootstrap-server";
  static final String BOOTSTRAP_SERVICE = "--bootstrap-service";
  static final String DNS_SERVER = "--dns-server";

  @Option(names = BOOTSTRAP_SERVER, paramLabel = "<host:port,...>",
      description = "brokers to bootstrap from (this or " + BOOTSTRAP_SERVICE + ")")
  @Nullable String bootstrapServer;

  @Option(names = BOOTSTRAP_SERVICE, paramLabel = "<service[:port]>",
      description = "the brokers' headless Service, resolved to one FQDN per pod (sets " + SERVICE_KEY + ")")
  @Nullable String bootstrapService;

  @Option(names = DNS_SERVER, paramLabel = "<host:port>",
      description = "DNS server for " + BOOTSTRAP_SERVICE + " (sets " + DNS_SERVER_KEY
          + "; default the nameservers of /etc/resolv.conf)")
  @Nullable String dnsServer;

  /**
   * Puts the bootstrap flags into {@code config} (over what a properties file gave) and checks that
   * exactly one of {@code bootstrap.servers} and {@code resilient.bootstrap.service} results.
   *
   * @throws UsageException for a missing or doubled bootstrap, or {@code --dns-server} without a Service
   * @throws ClusterUnreachableException when no name of {@code bootstrap.servers} resolves
   */
  public void applyTo(Map<String, Object> config) throws UsageException, ClusterUnreachableException {
    if (bootstrapServer != null) {
      config.put(BOOTSTRAP_SERVERS_KEY, bootstrapServer);
    }
    if (bootstrapService != null) {
      config.put(SERVICE_KEY, bootstrapService);
    }
    if (dnsServer != null) {
      config.put(DNS_SERVER_KEY, dnsServer);
    }
    boolean servers = isSet(config.get(BOOTSTRAP_SERVERS_KEY));
    boolean service = isSet(config.get(SERVICE_KEY));
    if (servers && service) {
      throw new UsageException("give either " + BOOTSTRAP_SERVER + " (" + BOOTSTRAP_SERVERS_KEY + ") or "
          + BOOTSTRAP_SERVICE + " (" + SERVICE_KEY + "), not both");
    }
    if (!servers && !service) {
      throw new UsageException("needs " + BOOTSTRAP_SERVER + " <host:port,...> or " + BOOTSTRAP_SERVICE
          + " <service[:port]> (or " + BOOTSTRAP_SERVERS_KEY + " / " + SERVICE_KEY + " in the client properties)");
    }
    if (isSet(config.get(DNS_SERVER_KEY)) && !service) {
      throw new UsageException(DNS_SERVER + " is only used with " + BOOTSTRAP_SERVICE);
    }
    if (servers) {
      checkResolvable(config.get(BOOTSTRAP_SERVERS_KEY).toString());
    }
  }

  /** Bootstrap servers for a plain Kafka client, and how many broker pods the Service listed, if one was asked. */
  public record Resolved(String servers, String source, int servicePods) {}

  /**
   * The bootstrap servers of a {@link #applyTo configured} {@code config} for a plain Kafka client (the
   * doctor's Admin): {@code bootstrap.servers} as given, or the Service's pods resolved once through DNS.
   *
   * @throws ClusterUnreachableException naming the Service and DNS server when DNS has no usable answer
   * @throws UsageException for a malformed Service name or DNS server
   */
  public static Resolved resolve(Map<String, Object> config) throws ClusterUnreachableException, UsageException {
    Object service = config.get(SERVICE_KEY);
    if (!isSet(service)) {
      return new Resolved(config.get(BOOTSTRAP_SERVERS_KEY).toString().trim(), BOOTSTRAP_SERVER, 0);
    }
    HeadlessServiceResolver.Builder builder = HeadlessServiceResolver.builder();
    Object dns = config.get(DNS_SERVER_KEY);
    if (isSet(dns)) {
      builder.dnsServer(dnsAddress(dns.toString().trim()));
    }
    List<InetSocketAddress> pods;
    HeadlessServiceResolver resolver;
    try {
      resolver = builder.build();
      pods = resolver.resolve(service.toString().trim());
    } catch (BootstrapException e) {
      throw new ClusterUnreachableException(e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new UsageException("invalid value " + service + " for " + BOOTSTRAP_SERVICE + ": " + e.getMessage());
    } catch (IllegalStateException e) {
      throw new UsageException("no DNS server for " + BOOTSTRAP_SERVICE + ": " + e.getMessage() + " (give "
          + DNS_SERVER + ")");
    }
    String servers = pods.stream().map(a -> a.getHostString() + ":" + a.getPort()).collect(Collectors.joining(","));
    return new Resolved(servers, BOOTSTRAP_SERVICE + " " + service + " via DNS server " + resolver.dnsServer(),
        pods.size());
  }

  /**
   * Fails when no host of {@code servers} resolves, as Kafka's clients would, but naming every name and
   * the resolver the JVM asked.
   */
  static void checkResolvable(String servers) throws ClusterUnreachableException {
    List<String> unresolved = new ArrayList<>();
    int total = 0;
    UnknownHostException last = null;
    for (String entry : servers.split(",")) {
      String server = entry.trim();
      if (server.isEmpty()) {
        continue;
      }
      total++;
      int colon = server.lastIndexOf(':');
      String host = colon > 0 ? server.substring(0, colon) : server;
      host = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
      try {
        InetAddress.getAllByName(host);
      } catch (UnknownHostException e) {
        unresolved.add(host);
        last = e;
      }
    }
    if (total > 0 && unresolved.size() == total) {
      throw new ClusterUnreachableException("cannot resolve " + (total == 1 ? "the bootstrap name " : "any bootstrap name: ")
          + String.join(", ", unresolved) + " (asked " + jvmResolver() + "); check " + BOOTSTRAP_SERVER
          + ", or give the brokers' headless Service with " + BOOTSTRAP_SERVICE + " and " + DNS_SERVER, last);
    }
  }

  /** Where this JVM looks names up, for messages. */
  static String jvmResolver() {
    String hostsFile = System.getProperty("jdk.net.hosts.file");
    if (hostsFile != null) {
      return "the hosts file " + hostsFile + " named by -Djdk.net.hosts.file; this JVM asks no DNS server";
    }
    List<String> servers = ResolverConfig.getCurrentConfig().servers().stream()
        .map(a -> a.getAddress().getHostAddress() + ":" + a.getPort()).toList();
    return "/etc/hosts and the DNS server(s) " + (servers.isEmpty() ? "(none configured)" : String.join(", ", servers))
        + " of /etc/resolv.conf";
  }

  private static InetSocketAddress dnsAddress(String value) throws UsageException {
    String host = value;
    int port = 53;
    int colon = value.lastIndexOf(':');
    if (colon > 0 && value.indexOf(':') == colon) {
      host = value.substring(0, colon);
      try {
        port = Integer.parseInt(value.substring(colon + 1));
      } catch (NumberFormatException e) {
        port = -1;
      }
    }
    if (port < 1 || port > 65_535 || host.isBlank()) {
      throw new UsageException("invalid value " + value + " for " + DNS_SERVER + ": expected host:port, e.g. 10.96.0.10:53");
    }
    InetSocketAddress address = new InetSocketAddress(host, port);
    if (address.isUnresolved()) {
      throw new UsageException("invalid value " + value + " for " + DNS_SERVER + ": cannot resolve " + host
          + " (asked " + jvmResolver() + "); give the DNS server's IP address");
    }
    return address;
  }

  private static boolean isSet(@Nullable Object value) {
    return value != null && !value.toString().isBlank();
  }
}
