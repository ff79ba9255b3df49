package dev.resilientkafka;

import dev.resilientkafka.internal.bootstrap.AdvertisedHostCheck;
import dev.resilientkafka.internal.bootstrap.ClientBootstrap;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigException;

/**
 * The bootstrap from a Kubernetes headless Service for Kafka clients this library does not build (an
 * {@code Admin} client, a framework's own factories): resolves the service once, gives the bootstrap
 * servers (one pod FQDN each, never an IP) and the client settings a client bootstrapped this way needs,
 * then keeps re-resolving in the background, reporting to its {@link BootstrapListener}, until {@link
 * #close()}. {@link ResilientProducer} and {@link ResilientConsumer} do this themselves from the same keys.
 *
 * <p>Thread-safe.
 */
public final class ServiceBootstrap implements AutoCloseable {
  private final ClientBootstrap bootstrap;
  private final List<String> bootstrapServers;
  private final Map<String, Object> clientSettings;

  private ServiceBootstrap(ClientBootstrap bootstrap, List<String> bootstrapServers, Map<String, Object> clientSettings) {
    this.bootstrap = bootstrap;
    this.bootstrapServers = bootstrapServers;
    this.clientSettings = clientSettings;
  }

  /**
   * Resolves the service of {@code config} and starts watching it.
   *
   * @param config the {@code resilient.bootstrap.*} keys ({@link ResilientBootstrapConfig}, {@link
   *     ResilientBootstrapConfig#SERVICE} required), optionally with the Kafka client keys the client will
   *     get (checked: a setting that would keep a client from following moved pods fails)
   * @param listener receives the bootstrap's events, e.g. {@code MicrometerBootstrapMetrics}
   * @throws ConfigException naming the key and the accepted values
   * @throws BootstrapException when the service did not resolve within {@link ResilientBootstrapConfig#TIMEOUT_MS}
   *     and there is no fallback list
   */
  public static ServiceBootstrap start(Map<String, ?> config, BootstrapListener listener) {
    Objects.requireNonNull(listener, "listener");
    Object service = config.get(ResilientBootstrapConfig.SERVICE);
    if (service == null || service.toString().isBlank()) {
      throw new ConfigException(ResilientBootstrapConfig.SERVICE, service, "a headless Service is required, e.g."
          + " kafka-svc.kafka.svc.cluster.local:9092");
    }
    Map<String, Object> working = new HashMap<>(config);
    ClientBootstrap bootstrap = ClientBootstrap.configure(working, listener);
    Object servers = working.remove(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    List<String> initial = servers == null ? List.of()
        : Arrays.stream(String.valueOf(servers).split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    Map<String, Object> added = new HashMap<>();
    working.forEach((key, value) -> {
      if (!Objects.equals(config.get(key), value)) {
        added.put(key, value);
      }
    });
    return new ServiceBootstrap(bootstrap, initial, Map.copyOf(added));
  }

  /** As {@link #start(Map, BootstrapListener)} without a listener. */
  public static ServiceBootstrap start(Map<String, ?> config) {
    return start(config, BootstrapListener.NONE);
  }

  /** The bootstrap servers found at start, {@code fqdn:port}: {@code bootstrap.servers} for a client built now. */
  public List<String> bootstrapServers() {
    return bootstrapServers;
  }

  /**
   * The Kafka client settings this bootstrap adds ({@code client.dns.lookup}, {@code
   * metadata.recovery.strategy=rebootstrap} and its trigger, short reconnect backoffs), without {@code
   * bootstrap.servers}; values the caller gave are not repeated.
   */
  public Map<String, Object> clientSettings() {
    return clientSettings;
  }

  /** The pods of the latest good answer (unresolved {@code fqdn:port}). */
  public List<InetSocketAddress> servers() {
    return bootstrap.servers();
  }

  /** Pods seen earlier that DNS no longer serves (drained, Pending), by FQDN. */
  public Set<String> missingPods() {
    return bootstrap.missingPods();
  }

  /** Whether DNS is failing now and the last good answer is in use. */
  public boolean usingLastGoodAnswer() {
    return bootstrap.usingLastGoodAnswer();
  }

  /** Stops re-resolving. Idempotent. */
  @Override
  public void close() {
    bootstrap.close();
  }

  /**
   * What is wrong with the hosts {@code nodes} advertise, one sentence with the fix per broker: an IP
   * literal, or a name outside {@code serviceFqdns}, breaks the clients that learned it when the pod moves.
   * Empty when every broker advertises a pod FQDN under one of the services.
   */
  public static List<String> advertisedHostProblems(Collection<Node> nodes, Collection<String> serviceFqdns) {
    return AdvertisedHostCheck.problems(nodes, serviceFqdns).stream().map(AdvertisedHostCheck.Problem::detail).toList();
  }
}
