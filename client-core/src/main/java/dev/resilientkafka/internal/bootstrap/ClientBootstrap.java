package dev.resilientkafka.internal.bootstrap;

import dev.resilientkafka.BootstrapException;
import dev.resilientkafka.BootstrapListener;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.ConfigException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bootstrap of one Kafka client built by resilient-kafka (producer, consumer, admin).
 *
 * <p>Contract: {@link #configure} reads and REMOVES every {@code resilient.bootstrap.*} key from {@code
 * config}. If a headless service is configured ({@code resilient.bootstrap.service}), it resolves it
 * (waiting up to the configured start-up timeout), puts {@code bootstrap.servers} = the per-pod FQDN
 * list and the client DNS/reconnect/rebootstrap settings into {@code config} (explicit user values win
 * where safe; unsafe ones fail with a {@code ConfigException} naming the key), and keeps re-resolving in
 * the background until {@link #close()}. Without a service key it leaves {@code bootstrap.servers} as
 * given (or sets {@code resilient.bootstrap.fallback.servers} when there is none) and returns a handle
 * whose {@code close()} does nothing.
 *
 * <p>Keys: {@link dev.resilientkafka.ResilientBootstrapConfig} defines each one (type, default, accepted
 * values, meaning); all are optional but the service.
 *
 * <p>What the background re-resolution does not do: Kafka keeps {@code bootstrap.servers} fixed after a
 * client is built. A running client finds moved and new brokers itself through cluster metadata (brokers
 * advertise pod FQDNs) and, when every known broker is gone, rebootstraps from the FQDN list set here,
 * which names every pod. The watch reports (listener, metrics, logs: pods missing, DNS failing, stale JVM
 * cache) and gives {@link #servers()} for clients built later. Thread-safe.
 */
public final class ClientBootstrap implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClientBootstrap.class);
  private final @Nullable ServiceWatch watch;

  private ClientBootstrap(@Nullable ServiceWatch watch) {
    this.watch = watch;
  }

  /** See the class comment. {@code config} must be mutable. */
  public static ClientBootstrap configure(Map<String, Object> config) {
    return configure(config, BootstrapListener.NONE);
  }

  /**
   * See the class comment; {@code listener} receives this client's bootstrap events (e.g. {@code
   * MicrometerBootstrapMetrics}).
   *
   * @throws ConfigException naming the key, for a malformed {@code resilient.bootstrap.*} value or an
   *     unsafe Kafka setting
   * @throws BootstrapException when no service resolved within {@code resilient.bootstrap.timeout.ms} and
   *     there is no fallback list
   */
  public static ClientBootstrap configure(Map<String, Object> config, BootstrapListener listener) {
    BootstrapConfig settings = BootstrapConfig.extract(config);
    if (settings.services().isEmpty()) {
      if (!settings.fallbackServers().isEmpty()) {
        config.putIfAbsent(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, String.join(",", settings.fallbackServers()));
      }
      return new ClientBootstrap(null);
    }
    Object given = config.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    if (given != null && !String.valueOf(given).isBlank() && !String.valueOf(given).equals("[]")) {
      throw new ConfigException(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, given,
          "set either bootstrap.servers or " + BootstrapConfig.SERVICE + ", not both; for a list used only when DNS"
              + " fails use " + BootstrapConfig.FALLBACK);
    }
    KafkaClientSettings.validate(config);
    ServiceLookup lookup = lookup(settings);
    List<ServiceTarget> targets = new ArrayList<>();
    for (String service : settings.services()) {
      try {
        targets.add(lookup.parse(service));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(BootstrapConfig.SERVICE, service, e.getMessage());
      }
    }
    ServiceWatch watch = new ServiceWatch(lookup, targets, settings.refreshMax(), listener);
    List<String> servers;
    try {
      servers = watch.awaitFirst(settings.startupTimeout(), settings.checkListener()).stream()
          .map(HostPort::format)
          .toList();
    } catch (BootstrapException e) {
      if (settings.fallbackServers().isEmpty()) {
        watch.close();
        throw e;
      }
      LOG.warn("{}; using {} = {} and re-resolving in the background", e.getMessage(), BootstrapConfig.FALLBACK, settings.fallbackServers());
      servers = settings.fallbackServers();
    }
    config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, String.join(",", servers));
    KafkaClientSettings.apply(config);
    LOG.info("bootstrap from {} via DNS {}: {}", settings.services(), lookup.dnsServer(), servers);
    Runnable check = null;
    if (settings.checkAdvertisedHosts()) {
      Map<String, Object> snapshot = new HashMap<>(config);
      Set<String> fqdns = targets.stream().flatMap(t -> t.candidates().stream()).collect(Collectors.toSet());
      SafeListener safe = new SafeListener(listener);
      check = () -> AdvertisedHostCheck.run(snapshot, fqdns, safe);
    }
    watch.start(check);
    return new ClientBootstrap(watch);
  }

  /**
   * Checks the {@code resilient.bootstrap.*} keys of {@code config} without resolving anything.
   *
   * @throws ConfigException naming the key and the accepted values, also for an unknown key of the prefix
   */
  public static void check(Map<String, ?> config) {
    BootstrapConfig.extract(new HashMap<>(config));
  }

  /** The pods of the latest good answers ({@code fqdn:port}); empty without a service. */
  public List<InetSocketAddress> servers() {
    return watch == null ? List.of() : watch.servers();
  }

  /** Re-resolves now (on the calling thread) and returns the pods; empty without a service. */
  public List<InetSocketAddress> refreshNow() {
    return watch == null ? List.of() : watch.refreshNow();
  }

  /** Pods seen earlier that DNS no longer serves, by FQDN. */
  public Set<String> missingPods() {
    return watch == null ? Set.of() : watch.missingPods();
  }

  /** Whether DNS is failing now and the last good answer is in use. */
  public boolean usingLastGoodAnswer() {
    return watch != null && watch.failing();
  }

  /** Stops re-resolving. Idempotent. */
  @Override
  public void close() {
    if (watch != null) {
      watch.close();
    }
  }

  static ServiceLookup lookup(BootstrapConfig settings) {
    ResolvConf conf;
    try {
      conf = ResolvConf.read(settings.resolvConf());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(BootstrapConfig.RESOLV_CONF, settings.resolvConf().toString(), e.getMessage());
    }
    List<InetSocketAddress> servers = settings.dnsServers().isEmpty() ? conf.nameservers() : settings.dnsServers();
    if (servers.isEmpty()) {
      throw new ConfigException(BootstrapConfig.DNS_SERVER, null,
          "no DNS server: " + settings.resolvConf() + " has no nameserver line; set host:port, e.g. 10.96.0.10:53");
    }
    String namespace = settings.namespace() != null ? settings.namespace() : conf.namespace().orElse("default");
    String domain = settings.clusterDomain() != null ? settings.clusterDomain() : conf.clusterDomain().orElse("cluster.local");
    return new ServiceLookup(servers, settings.queryTimeout(), namespace, domain, settings.defaultPort(),
        settings.portName(), settings.allowForeignTargets());
  }
}
