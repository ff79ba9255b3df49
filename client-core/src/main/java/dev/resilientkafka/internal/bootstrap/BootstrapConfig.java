package dev.resilientkafka.internal.bootstrap;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.jspecify.annotations.Nullable;

/**
 * The {@code resilient.bootstrap.*} keys, read (and removed) from a Kafka client's configuration. Every
 * value may be a String or a Number; every error names the key and what is accepted.
 */
record BootstrapConfig(
    List<String> services,
    List<InetSocketAddress> dnsServers,
    Path resolvConf,
    @Nullable String namespace,
    @Nullable String clusterDomain,
    int defaultPort,
    @Nullable String portName,
    boolean allowForeignTargets,
    Duration startupTimeout,
    Duration refreshMax,
    Duration queryTimeout,
    List<String> fallbackServers,
    boolean checkListener,
    boolean checkAdvertisedHosts) {

  static final String PREFIX = "resilient.bootstrap.";
  /**
   * List of services (comma-separated), no default; setting it activates the resolver. Each is a Service
   * FQDN{@code [:port]}, {@code service[:port]}, {@code service.namespace[:port]} (tried as the Service
   * first, then as the name itself, so a short external name works), any other DNS name (a trailing dot
   * takes it as written), or an SRV name {@code _<port-name>._tcp.<service>}. A port here wins over
   * {@link #PORT_NAME} and {@link #PORT}.
   */
  static final String SERVICE = PREFIX + "service";
  /**
   * List of DNS servers (comma-separated), default the nameservers of {@link #RESOLV_CONF}. Each is
   * {@code host[:port]}, a bare IPv6 address ({@code fd00::10}) or {@code [IPv6]:port}; port 53 when absent.
   */
  static final String DNS_SERVER = PREFIX + "dns.server";
  /** Path of the resolv.conf for the default nameservers and the search list; default /etc/resolv.conf. */
  static final String RESOLV_CONF = PREFIX + "resolv.conf";
  /** Namespace (DNS label) for short service names; default from the search list, else {@code default}. */
  static final String NAMESPACE = PREFIX + "namespace";
  /** Cluster domain; default from the search list, else {@code cluster.local}. */
  static final String CLUSTER_DOMAIN = PREFIX + "cluster.domain";
  /**
   * Int 1..65535, default 9092: the Kafka port when neither the service name nor {@link #PORT_NAME} gives
   * one. It picks the Kafka port's SRV records out of the Service's SRV answer, which lists every named
   * port of every pod; the records of other ports are left out and reported once.
   */
  static final String PORT = PREFIX + "port";
  /**
   * String, default none: the name the Service gives its Kafka port ({@code kafka}, {@code tcp-kafka},
   * {@code 9092}; a leading underscore is allowed), so that the pods are read from {@code
   * _<name>._tcp.<service>}. A port in the service name wins over it.
   */
  static final String PORT_NAME = PREFIX + "port.name";
  /**
   * Boolean, default false: whether SRV targets outside the Service's domain (not {@code
   * <pod>.<service FQDN>}) are used. Left out, they are reported once with the fix.
   */
  static final String ALLOW_FOREIGN_TARGETS = PREFIX + "allow.foreign.targets";
  /** Long ms 0..2^31-1, default 30000: how long the client's construction waits for a first good answer. */
  static final String TIMEOUT_MS = PREFIX + "timeout.ms";
  /** Long ms 1000..2^31-1, default 30000: the longest interval between re-resolutions (the TTL sets the usual one). */
  static final String REFRESH_MS = PREFIX + "refresh.ms";
  /** Long ms 100..60000, default 2000: the wait for each DNS answer. */
  static final String DNS_TIMEOUT_MS = PREFIX + "dns.timeout.ms";
  /**
   * List of {@code host:port} or {@code [IPv6]:port} (comma-separated), default none: used only when no
   * service resolves in time.
   */
  static final String FALLBACK = PREFIX + "fallback.servers";
  /** Boolean, default true: start-up needs a pod accepting TCP on the port. */
  static final String CHECK_LISTENER = PREFIX + "check.listener";
  /** Boolean, default true: warn when brokers advertise IPs or names outside the service. */
  static final String CHECK_ADVERTISED = PREFIX + "check.advertised.hosts";

  private static final List<String> KNOWN =
      List.of(SERVICE, DNS_SERVER, RESOLV_CONF, NAMESPACE, CLUSTER_DOMAIN, PORT, PORT_NAME, ALLOW_FOREIGN_TARGETS,
          TIMEOUT_MS, REFRESH_MS, DNS_TIMEOUT_MS, FALLBACK, CHECK_LISTENER, CHECK_ADVERTISED);

  /** Reads and removes every {@code resilient.bootstrap.*} key of {@code config}. */
  static BootstrapConfig extract(Map<String, Object> config) {
    Map<String, Object> mine = new java.util.HashMap<>();
    config.entrySet().removeIf(e -> {
      if (e.getKey().startsWith(PREFIX)) {
        mine.put(e.getKey(), e.getValue());
        return true;
      }
      return false;
    });
    for (String key : mine.keySet()) {
      if (!KNOWN.contains(key)) {
        throw new ConfigException(key, mine.get(key), "unknown resilient.bootstrap key; known keys: " + KNOWN);
      }
    }
    return new BootstrapConfig(
        list(mine, SERVICE),
        list(mine, DNS_SERVER).stream().map(s -> hostPort(DNS_SERVER, s)).toList(),
        Path.of(string(mine, RESOLV_CONF, ResolvConf.SYSTEM.toString())),
        nullableString(mine, NAMESPACE),
        nullableString(mine, CLUSTER_DOMAIN),
        (int) number(mine, PORT, 9092, 1, 65_535),
        portName(mine),
        bool(mine, ALLOW_FOREIGN_TARGETS, false),
        Duration.ofMillis(number(mine, TIMEOUT_MS, 30_000, 0, Integer.MAX_VALUE)),
        Duration.ofMillis(number(mine, REFRESH_MS, 30_000, 1_000, Integer.MAX_VALUE)),
        Duration.ofMillis(number(mine, DNS_TIMEOUT_MS, 2_000, 100, 60_000)),
        list(mine, FALLBACK).stream().map(s -> server(FALLBACK, s)).toList(),
        bool(mine, CHECK_LISTENER, true),
        bool(mine, CHECK_ADVERTISED, true));
  }

  static InetSocketAddress hostPort(String key, String value) {
    try {
      return HostPort.parseDnsServer(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, value, e.getMessage() + "; must be host[:port], an IPv6 address or"
          + " [IPv6 address]:port, with a port between 1 and 65535 (53 when absent), e.g. 10.96.0.10:53,"
          + " fd00::10 or [fd00::10]:53");
    }
  }

  private static String server(String key, String value) {
    try {
      return HostPort.checkServer(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, value, e.getMessage() + "; must be host:port or [IPv6 address]:port");
    }
  }

  /** The SRV port name without a leading underscore, checked as Kubernetes names ports. */
  static @Nullable String portName(String key, @Nullable String value) {
    if (value == null) {
      return null;
    }
    String name = value.startsWith("_") ? value.substring(1) : value;
    if (!name.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
      throw new ConfigException(key, value,
          "must be the Service's name of the Kafka port: lower-case letters, digits and '-', e.g. kafka or tcp-kafka");
    }
    return name;
  }

  private static @Nullable String portName(Map<String, Object> config) {
    return portName(PORT_NAME, nullableString(config, PORT_NAME));
  }

  private static List<String> list(Map<String, Object> config, String key) {
    Object value = config.get(key);
    List<String> result = new ArrayList<>();
    if (value instanceof List<?> list) {
      list.forEach(v -> result.add(String.valueOf(v).strip()));
    } else if (value != null) {
      for (String part : String.valueOf(value).split(",")) {
        if (!part.isBlank()) {
          result.add(part.strip());
        }
      }
    }
    return List.copyOf(result);
  }

  private static String string(Map<String, Object> config, String key, String defaultValue) {
    String value = nullableString(config, key);
    return value == null ? defaultValue : value;
  }

  private static @Nullable String nullableString(Map<String, Object> config, String key) {
    Object value = config.get(key);
    return value == null || String.valueOf(value).isBlank() ? null : String.valueOf(value).strip();
  }

  private static long number(Map<String, Object> config, String key, long defaultValue, long min, long max) {
    Object value = config.get(key);
    if (value == null) {
      return defaultValue;
    }
    long parsed;
    try {
      parsed = value instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(value).strip());
    } catch (NumberFormatException e) {
      throw new ConfigException(key, value, "must be a whole number between " + min + " and " + max);
    }
    if (parsed < min || parsed > max) {
      throw new ConfigException(key, value, "must be between " + min + " and " + max);
    }
    return parsed;
  }

  private static boolean bool(Map<String, Object> config, String key, boolean defaultValue) {
    Object value = config.get(key);
    if (value == null) {
      return defaultValue;
    }
    String text = String.valueOf(value).strip();
    if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
      throw new ConfigException(key, value, "must be true or false");
    }
    return Boolean.parseBoolean(text);
  }
}
