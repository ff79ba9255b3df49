package dev.resilientkafka.internal.bootstrap;

import dev.resilientkafka.ResilientBootstrapConfig;
import dev.resilientkafka.internal.config.ParsedConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.jspecify.annotations.Nullable;

/**
 * The {@code resilient.bootstrap.*} keys ({@link ResilientBootstrapConfig}: meaning, default and accepted
 * values of each), read (and removed) from a Kafka client's configuration.
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

  static final String PREFIX = ResilientBootstrapConfig.PREFIX;
  static final String SERVICE = ResilientBootstrapConfig.SERVICE;
  static final String DNS_SERVER = ResilientBootstrapConfig.DNS_SERVER;
  static final String RESOLV_CONF = ResilientBootstrapConfig.RESOLV_CONF;
  static final String PORT_NAME = ResilientBootstrapConfig.PORT_NAME;
  static final String ALLOW_FOREIGN_TARGETS = ResilientBootstrapConfig.ALLOW_FOREIGN_TARGETS;
  static final String FALLBACK = ResilientBootstrapConfig.FALLBACK_SERVERS;

  /**
   * Reads and removes every {@code resilient.bootstrap.*} key of {@code config}.
   *
   * @throws ConfigException naming the key and the accepted values, also for an unknown key of the prefix
   */
  static BootstrapConfig extract(Map<String, Object> config) {
    Map<String, Object> mine = new java.util.HashMap<>();
    config.entrySet().removeIf(e -> {
      if (e.getKey().startsWith(PREFIX)) {
        mine.put(e.getKey(), e.getValue());
        return true;
      }
      return false;
    });
    var definition = ResilientBootstrapConfig.configDef();
    for (String key : mine.keySet()) {
      if (!definition.names().contains(key)) {
        throw new ConfigException(key, mine.get(key), "unknown resilient.bootstrap key; known keys: "
            + new java.util.TreeSet<>(definition.names()));
      }
    }
    ParsedConfig values = ParsedConfig.parse(definition, mine);
    String resolvConf = values.getNonBlankString(RESOLV_CONF);
    return new BootstrapConfig(
        values.getList(SERVICE),
        values.getList(DNS_SERVER).stream().map(HostPort::parseDnsServer).toList(),
        Path.of(resolvConf == null ? ResolvConf.SYSTEM.toString() : resolvConf),
        values.getNonBlankString(ResilientBootstrapConfig.NAMESPACE),
        values.getNonBlankString(ResilientBootstrapConfig.CLUSTER_DOMAIN),
        values.getInt(ResilientBootstrapConfig.PORT),
        BootstrapValidators.normalizedPortName(values.getString(PORT_NAME)),
        values.getBoolean(ALLOW_FOREIGN_TARGETS),
        Duration.ofMillis(values.getLong(ResilientBootstrapConfig.TIMEOUT_MS)),
        Duration.ofMillis(values.getLong(ResilientBootstrapConfig.REFRESH_MS)),
        Duration.ofMillis(values.getLong(ResilientBootstrapConfig.DNS_TIMEOUT_MS)),
        values.getList(FALLBACK).stream().map(HostPort::checkServer).toList(),
        values.getBoolean(ResilientBootstrapConfig.CHECK_LISTENER),
        values.getBoolean(ResilientBootstrapConfig.CHECK_ADVERTISED_HOSTS));
  }
}
