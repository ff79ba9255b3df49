package dev.resilientkafka.spring;

import dev.resilientkafka.BootstrapListener;
import dev.resilientkafka.ResilientBootstrapConfig;
import dev.resilientkafka.ServiceBootstrap;
import java.net.InetSocketAddress;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.beans.factory.DisposableBean;

/**
 * The application's bootstrap from the headless Service: resolved once at start-up (waiting up to {@code
 * resilient.kafka.bootstrap-timeout}), then re-resolved in the background until the context closes. It
 * feeds {@link ResilientKafkaConnectionDetails} (so every client built later gets the current pods) and
 * the client settings that let a client follow pods that move ({@code client.dns.lookup}, {@code
 * metadata.recovery.strategy=rebootstrap} and its trigger, short reconnect backoffs), which the
 * auto-configuration's factory customizers add to producers and consumers. Thread-safe.
 */
public final class ResilientKafkaBootstrap implements DisposableBean {
  private final ServiceBootstrap bootstrap;
  private final BootstrapListener listener;

  private ResilientKafkaBootstrap(ServiceBootstrap bootstrap, BootstrapListener listener) {
    this.bootstrap = bootstrap;
    this.listener = listener;
  }

  /**
   * Resolves the service of {@code properties} and starts watching it.
   *
   * @throws org.apache.kafka.common.config.ConfigException naming the key, for a malformed setting
   * @throws dev.resilientkafka.BootstrapException when the service did not resolve in time and there is
   *     no fallback list
   * @throws IllegalStateException when {@code properties} names no service
   */
  public static ResilientKafkaBootstrap start(ResilientKafkaProperties properties, BootstrapListener listener) {
    if (properties.services().isEmpty()) {
      throw new IllegalStateException(ResilientKafkaProperties.PREFIX + ".service is not set");
    }
    Map<String, Object> config = ClientKeys.keys(properties, ClientKeys.BOOTSTRAP,
        key -> key.startsWith(ResilientBootstrapConfig.PREFIX));
    return new ResilientKafkaBootstrap(ServiceBootstrap.start(config, listener), listener);
  }

  /** The broker pods as {@code fqdn:port}, from the latest good answer (the start-up answer until then). */
  public List<String> servers() {
    List<InetSocketAddress> current = bootstrap.servers();
    if (current.isEmpty()) {
      return bootstrap.bootstrapServers();
    }
    return current.stream().map(a -> a.getHostString() + ":" + a.getPort()).toList();
  }

  /** Pods seen earlier that DNS no longer serves (drained, Pending), by FQDN. */
  public Set<String> missingPods() {
    return bootstrap.missingPods();
  }

  /** How many broker pods the service has had: those served now plus those that went missing. */
  public int expectedBrokers() {
    Set<String> hosts = new LinkedHashSet<>();
    servers().forEach(s -> hosts.add(s.substring(0, s.lastIndexOf(':'))));
    hosts.addAll(missingPods());
    return hosts.size();
  }

  /** The services' FQDNs, taken from the pod names ({@code <pod>.<service fqdn>}). */
  public Set<String> serviceFqdns() {
    Set<String> fqdns = new LinkedHashSet<>();
    for (String server : servers()) {
      String host = server.substring(0, server.lastIndexOf(':'));
      int dot = host.indexOf('.');
      if (dot > 0) {
        fqdns.add(host.substring(dot + 1));
      }
    }
    return fqdns;
  }

  /** Whether DNS is failing now and the last good answer is in use. */
  public boolean usingLastGoodAnswer() {
    return bootstrap.usingLastGoodAnswer();
  }

  /**
   * The Kafka client settings a client bootstrapped from the service needs (DNS lookup, rebootstrap,
   * reconnect backoffs), without {@code bootstrap.servers}.
   */
  public Map<String, Object> clientSettings() {
    return bootstrap.clientSettings();
  }

  /** Stops re-resolving and removes the listener's meters (when it holds any). */
  @Override
  public void destroy() {
    bootstrap.close();
    if (listener instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        org.slf4j.LoggerFactory.getLogger(ResilientKafkaBootstrap.class).debug("closing {} failed", listener, e);
      }
    }
  }

  private static void putIfText(Map<String, Object> config, String key, @org.jspecify.annotations.Nullable String value) {
    if (value != null && !value.isBlank()) {
      config.put(key, value.strip());
    }
  }
}
