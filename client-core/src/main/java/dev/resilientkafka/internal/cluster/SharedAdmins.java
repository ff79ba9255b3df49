package dev.resilientkafka.internal.cluster;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.jspecify.annotations.Nullable;

/**
 * One {@link Admin} client per cluster per JVM, shared by every producer and consumer resilient-kafka
 * builds for that cluster: a fleet of clients in one JVM then costs the cluster one connection set and
 * one stream of diagnostic requests, not one per client. A cluster is identified by its bootstrap
 * servers (order ignored) and the settings that decide how to reach it (security, SASL, TLS).
 *
 * <p>The Admin client is created on first use of {@link Lease#admin()} and closed when the last lease is
 * closed. Its timeouts are short and its reconnects slow enough that an outage costs a few log lines,
 * not a stream of them. Thread-safe.
 */
public final class SharedAdmins {
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final Map<Key, Shared> SHARED = new HashMap<>();

  private SharedAdmins() {}

  /** What tells two clusters apart: the bootstrap names and how the client connects to them. */
  private record Key(TreeSet<String> servers, TreeMap<String, String> connection) {}

  private static final class Shared {
    final Key key;
    final Map<String, Object> config;
    int leases;
    @Nullable Admin admin;

    Shared(Key key, Map<String, Object> config) {
      this.key = key;
      this.config = config;
    }
  }

  /**
   * A lease on the Admin client of the cluster {@code clientConfig} (a producer's or consumer's Kafka
   * settings, {@code bootstrap.servers} resolved) connects to. Close it when the client closes.
   */
  public static Lease acquire(Map<String, ?> clientConfig) {
    Key key = keyOf(clientConfig);
    synchronized (SHARED) {
      Shared shared = SHARED.computeIfAbsent(key, k -> new Shared(k, adminConfig(clientConfig)));
      shared.leases++;
      return new Lease(shared);
    }
  }

  /** Number of clusters with an open lease; for tests. */
  static int clusters() {
    synchronized (SHARED) {
      return SHARED.size();
    }
  }

  private static Key keyOf(Map<String, ?> config) {
    Object servers = config.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    String text = servers instanceof List<?> list
        ? String.join(",", list.stream().map(String::valueOf).toList())
        : String.valueOf(servers == null ? "" : servers);
    TreeSet<String> names = new TreeSet<>();
    Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(names::add);
    TreeMap<String, String> connection = new TreeMap<>();
    config.forEach((name, value) -> {
      if (value != null && (name.equals(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG)
          || name.startsWith("ssl.") || name.startsWith("sasl."))) {
        connection.put(name, String.valueOf(value));
      }
    });
    return new Key(names, connection);
  }

  private static Map<String, Object> adminConfig(Map<String, ?> clientConfig) {
    Map<String, Object> config = new HashMap<>();
    for (String name : AdminClientConfig.configNames()) {
      Object value = clientConfig.get(name);
      if (value != null) {
        config.put(name, value);
      }
    }
    config.put(AdminClientConfig.CLIENT_ID_CONFIG, "resilient-kafka-admin-" + IDS.incrementAndGet());
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 8_000);
    config.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, 2_000);
    config.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, 5_000);
    // an outage must cost a few reconnect attempts (and their log lines) per second at most, not dozens
    config.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 500);
    config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 5_000);
    config.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 500);
    config.put(AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 5_000);
    return config;
  }

  /** One client's hold on the shared Admin client of its cluster. Thread-safe; close once. */
  public static final class Lease implements AutoCloseable {
    private final Shared shared;
    private boolean closed;

    private Lease(Shared shared) {
      this.shared = shared;
    }

    /**
     * The cluster's Admin client, created on first use. Never close it: close the lease.
     *
     * @throws IllegalStateException if the lease is closed
     * @throws org.apache.kafka.common.KafkaException if the Admin client cannot be created (for example
     *     when no bootstrap name resolves)
     */
    public Admin admin() {
      // created under the cluster's own monitor: creating one resolves names, which must not hold up
      // the other clusters' leases
      synchronized (shared) {
        synchronized (SHARED) {
          if (closed) {
            throw new IllegalStateException("the admin lease is closed");
          }
          if (shared.admin != null) {
            return shared.admin;
          }
        }
        Admin created = Admin.create(shared.config);
        synchronized (SHARED) {
          if (SHARED.get(shared.key) == shared) {
            shared.admin = created;
            return created;
          }
        }
        created.close(Duration.ZERO); // the last lease closed meanwhile
        throw new IllegalStateException("the admin lease is closed");
      }
    }

    /** The cluster's identity as text (sorted bootstrap servers); for logs and shared views. */
    public String cluster() {
      return String.join(",", shared.key.servers());
    }

    /** Identity of the cluster for maps of per-cluster state. */
    public Object clusterKey() {
      return shared.key;
    }

    @Override
    public void close() {
      Admin toClose = null;
      synchronized (SHARED) {
        if (closed) {
          return;
        }
        closed = true;
        if (--shared.leases == 0) {
          SHARED.remove(shared.key, shared);
          toClose = shared.admin;
          shared.admin = null;
        }
      }
      if (toClose != null) {
        // nothing it may still be doing (a probe, a config read) is worth waiting for
        toClose.close(Duration.ZERO);
      }
    }

    @Override
    public String toString() {
      return "admin lease on " + cluster();
    }
  }
}
