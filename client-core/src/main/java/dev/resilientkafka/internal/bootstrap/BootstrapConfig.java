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
    Duration startupTimeout,
    Duration refreshMax,
    Duration queryTimeout,
    List<String> fallbackServers,
    boolean checkListener,
    boolean checkAdvertisedHosts) {

  static final String PREFIX = "resilient.bootstrap.";
  /** Comma-separated services: FQDN[:port], short name[:port] or SRV name. Activates the resolver. */
  static final String SERVICE = PREFIX + "service";
  /** {@code host:port} of the DNS server(s), comma-separated; default the nameservers of resolv.conf. */
  static final String DNS_SERVER = PREFIX + "dns.server";
  /** The resolv.conf for the search list and default nameservers; default /etc/resolv.conf. */
  static final String RESOLV_CONF = PREFIX + "resolv.conf";
  static final String NAMESPACE = PREFIX + "namespace";
  static final String CLUSTER_DOMAIN = PREFIX + "cluster.domain";
  static final String PORT = PREFIX + "port";
  static final String TIMEOUT_MS = PREFIX + "timeout.ms";
  static final String REFRESH_MS = PREFIX + "refresh.ms";
  static final String DNS_TIMEOUT_MS = PREFIX + "dns.timeout.ms";
  static final String FALLBACK = PREFIX + "fallback.servers";
  static final String CHECK_LISTENER = PREFIX + "check.listener";
  static final String CHECK_ADVERTISED = PREFIX + "check.advertised.hosts";

  private static final List<String> KNOWN =
      List.of(SERVICE, DNS_SERVER, RESOLV_CONF, NAMESPACE, CLUSTER_DOMAIN, PORT, TIMEOUT_MS, REFRESH_MS,
          DNS_TIMEOUT_MS, FALLBACK, CHECK_LISTENER, CHECK_ADVERTISED);

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
        Duration.ofMillis(number(mine, TIMEOUT_MS, 30_000, 0, Integer.MAX_VALUE)),
        Duration.ofMillis(number(mine, REFRESH_MS, 30_000, 1_000, Integer.MAX_VALUE)),
        Duration.ofMillis(number(mine, DNS_TIMEOUT_MS, 2_000, 100, 60_000)),
        list(mine, FALLBACK),
        bool(mine, CHECK_LISTENER, true),
        bool(mine, CHECK_ADVERTISED, true));
  }

  static InetSocketAddress hostPort(String key, String value) {
    int colon = value.lastIndexOf(':');
    String host = colon < 0 ? value : value.substring(0, colon);
    String port = colon < 0 ? "53" : value.substring(colon + 1);
    if (host.isBlank() || !port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65_535) {
      throw new ConfigException(key, value, "must be host[:port] with a port between 1 and 65535, e.g. 10.96.0.10:53");
    }
    return new InetSocketAddress(host, Integer.parseInt(port));
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
