package dev.resilientkafka.internal.producer;

import dev.resilientkafka.FailureCause;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's state as an {@link Admin} sees it, refreshed in the background every couple of seconds
 * for the topics this producer writes: each partition's leader and ISR, each topic's {@code
 * min.insync.replicas}, and whether any broker answers. Failure causes are classified from it (Trap 3),
 * and keyless records are routed by it. Thread-safe; never blocks its callers.
 */
final class ClusterHealth implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterHealth.class);
  private static final long REFRESH_MS = 2_000;
  private static final long MIN_ISR_REFRESH_NANOS = TimeUnit.MINUTES.toNanos(5);

  private record PartitionHealth(boolean hasLeader, int isr) {}

  private final Admin admin;
  private final List<String> bootstrapHosts;
  private final ScheduledExecutorService scheduler;
  private final Set<String> topics = ConcurrentHashMap.newKeySet();
  private final Map<TopicPartition, PartitionHealth> partitions = new ConcurrentHashMap<>();
  private final Map<String, Integer> minIsr = new ConcurrentHashMap<>();
  private final Map<String, Long> minIsrFetchedNanos = new ConcurrentHashMap<>();
  private final AtomicBoolean refreshing = new AtomicBoolean();
  private volatile boolean unreachable;
  private volatile @Nullable AuthenticationException authenticationFailure;
  private volatile boolean namesUnresolvable;
  private volatile boolean warnedUnreachable;

  ClusterHealth(Map<String, Object> kafkaConfig, String clientId) {
    Map<String, Object> config = new HashMap<>();
    for (String name : AdminClientConfig.configNames()) {
      Object value = kafkaConfig.get(name);
      if (value != null) {
        config.put(name, value);
      }
    }
    config.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId + "-health");
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000);
    config.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, 1_000);
    config.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, 2_000);
    config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
    config.put(AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 1_000);
    this.admin = Admin.create(config);
    Object servers = kafkaConfig.getOrDefault(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "");
    this.bootstrapHosts = hosts(servers instanceof List<?> list
        ? String.join(",", list.stream().map(String::valueOf).toList())
        : String.valueOf(servers));
    this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, clientId + "-health");
      thread.setDaemon(true);
      return thread;
    });
    scheduler.scheduleWithFixedDelay(this::refresh, 0, REFRESH_MS, TimeUnit.MILLISECONDS);
  }

  /** Starts watching {@code topic}; cheap when already watched. */
  void track(String topic) {
    if (topics.add(topic)) {
      scheduler.execute(this::refresh);
    }
  }

  /** False only when the last snapshot showed no leader or an ISR below the topic's minimum. */
  boolean healthy(String topic, int partition) {
    PartitionHealth health = partitions.get(new TopicPartition(topic, partition));
    if (health == null) {
      return true;
    }
    Integer min = minIsr.get(topic);
    return health.hasLeader && (min == null || health.isr >= min);
  }

  /** Partitions of watched topics whose ISR is below their topic's {@code min.insync.replicas} now. */
  int partitionsBelowMinIsr() {
    int count = 0;
    for (Map.Entry<TopicPartition, PartitionHealth> e : partitions.entrySet()) {
      Integer min = minIsr.get(e.getKey().topic());
      if (min != null && e.getValue().isr < min) {
        count++;
      }
    }
    return count;
  }

  /** The TLS/SASL failure the last refresh met, or null: the real reason records cannot be handed over. */
  @Nullable AuthenticationException authenticationFailure() {
    return authenticationFailure;
  }

  private static @Nullable AuthenticationException authenticationCause(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof AuthenticationException authentication) {
        return authentication;
      }
    }
    return null;
  }

  /** Why a record for {@code partition} (-1 when unknown) failed with {@code error}, from state. */
  FailureCause classify(String topic, int partition, @Nullable Throwable error) {
    if (error instanceof AuthenticationException || authenticationFailure != null) {
      return FailureCause.AUTHENTICATION;
    }
    if (error != null && !(error instanceof RetriableException) && !(error instanceof TimeoutException)) {
      return FailureCause.REJECTED;
    }
    if (unreachable) {
      return namesUnresolvable ? FailureCause.DNS : FailureCause.BROKERS_UNREACHABLE;
    }
    if (partition >= 0) {
      PartitionHealth health = partitions.get(new TopicPartition(topic, partition));
      if (health != null) {
        if (!health.hasLeader) {
          return FailureCause.LEADER_UNAVAILABLE;
        }
        Integer min = minIsr.get(topic);
        if (min != null && health.isr < min) {
          return FailureCause.ISR_SHORTFALL;
        }
      }
    } else {
      for (Map.Entry<TopicPartition, PartitionHealth> e : partitions.entrySet()) {
        if (e.getKey().topic().equals(topic) && !healthy(topic, e.getKey().partition())) {
          return e.getValue().hasLeader ? FailureCause.ISR_SHORTFALL : FailureCause.LEADER_UNAVAILABLE;
        }
      }
    }
    return FailureCause.TIMEOUT;
  }

  private void refresh() {
    if (!refreshing.compareAndSet(false, true)) {
      return;
    }
    try {
      admin.describeCluster().nodes().get(4, TimeUnit.SECONDS);
      unreachable = false;
      authenticationFailure = null;
      namesUnresolvable = false;
      warnedUnreachable = false;
      if (topics.isEmpty()) {
        return;
      }
      Map<String, TopicDescription> described =
          admin.describeTopics(List.copyOf(topics)).allTopicNames().get(4, TimeUnit.SECONDS);
      for (TopicDescription description : described.values()) {
        for (TopicPartitionInfo info : description.partitions()) {
          partitions.put(new TopicPartition(description.name(), info.partition()),
              new PartitionHealth(info.leader() != null && info.leader().id() >= 0, info.isr().size()));
        }
      }
      refreshMinIsr();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      AuthenticationException authentication = authenticationCause(e);
      if (authentication != null) {
        if (authenticationFailure == null) {
          log.warn("the brokers refuse this client's TLS/SASL handshake: {}", authentication.toString());
        }
        authenticationFailure = authentication;
      } else if (e instanceof java.util.concurrent.TimeoutException || e.getCause() instanceof TimeoutException) {
        if (!unreachable) {
          unreachable = true;
          namesUnresolvable = noneResolves();
        }
        if (!warnedUnreachable) {
          warnedUnreachable = true;
          log.warn("no broker answers ({}); bootstrap names {}", e.toString(),
              namesUnresolvable ? "do not resolve" : "resolve");
        }
      } else {
        log.debug("cluster health refresh failed", e);
      }
    } finally {
      refreshing.set(false);
    }
  }

  private void refreshMinIsr() throws Exception {
    long now = System.nanoTime();
    List<ConfigResource> stale = topics.stream()
        .filter(t -> now - minIsrFetchedNanos.getOrDefault(t, now - MIN_ISR_REFRESH_NANOS - 1) > MIN_ISR_REFRESH_NANOS)
        .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t))
        .toList();
    if (stale.isEmpty()) {
      return;
    }
    Map<ConfigResource, Config> configs = admin.describeConfigs(stale).all().get(4, TimeUnit.SECONDS);
    for (Map.Entry<ConfigResource, Config> e : configs.entrySet()) {
      ConfigEntry entry = e.getValue().get("min.insync.replicas");
      if (entry != null && entry.value() != null) {
        minIsr.put(e.getKey().name(), Integer.parseInt(entry.value()));
        minIsrFetchedNanos.put(e.getKey().name(), now);
      }
    }
  }

  private boolean noneResolves() {
    if (bootstrapHosts.isEmpty()) {
      return false;
    }
    for (String host : bootstrapHosts) {
      try {
        InetAddress.getAllByName(host);
        return false;
      } catch (UnknownHostException e) {
        // keep looking
      }
    }
    return true;
  }

  private static List<String> hosts(String bootstrap) {
    return java.util.Arrays.stream(bootstrap.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .map(s -> s.lastIndexOf(':') > 0 ? s.substring(0, s.lastIndexOf(':')) : s)
        .map(s -> s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s)
        .toList();
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    admin.close(java.time.Duration.ofSeconds(2));
  }
}
