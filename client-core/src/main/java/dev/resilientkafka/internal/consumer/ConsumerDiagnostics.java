package dev.resilientkafka.internal.consumer;

import dev.resilientkafka.ConsumerListener;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer's view of the cluster, kept by one daemon thread with its own {@link Admin}: the brokers'
 * racks, the start-up rack-awareness check, and whether the group's coordinator is stalled on an
 * {@code __consumer_offsets} partition without enough in-sync replicas. Thread-safe.
 */
public final class ConsumerDiagnostics implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerDiagnostics.class);
  private static final String OFFSETS_TOPIC = "__consumer_offsets";
  private static final String RACK_AWARE_SELECTOR = "org.apache.kafka.common.replica.RackAwareReplicaSelector";
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(8);
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private final Admin admin;
  private final @Nullable String rack;
  private final @Nullable String groupId;
  private final ConsumerSettings settings;
  private final ConsumerListener listener;
  private final ScheduledExecutorService executor;

  private volatile Map<Integer, String> racks = Map.of();
  private volatile @Nullable String stallCause;
  private volatile long stalledSinceNanos;
  private boolean adminFailureLogged;
  private @Nullable Integer offsetsMinIsr;

  public ConsumerDiagnostics(Map<String, Object> consumerConfig, @Nullable String rack, @Nullable String groupId,
      ConsumerSettings settings, ConsumerListener listener) {
    this.rack = rack;
    this.groupId = groupId;
    this.settings = settings;
    this.listener = listener;
    Map<String, Object> adminConfig = new HashMap<>();
    consumerConfig.forEach((key, value) -> {
      if (AdminClientConfig.configNames().contains(key)) {
        adminConfig.put(key, value);
      }
    });
    Object clientId = consumerConfig.get("client.id");
    String id = (clientId == null ? "resilient-consumer-" + SEQUENCE.incrementAndGet() : clientId) + "-diagnostics";
    adminConfig.put(AdminClientConfig.CLIENT_ID_CONFIG, id);
    adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
    this.admin = Admin.create(adminConfig);
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, id);
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Starts the checks in the background: racks and verification at once, then every interval. */
  public void start() {
    executor.execute(() -> {
      refreshRacks();
      if (settings.verifyRack() && rack != null) {
        verifyRackAwareness();
      }
      checkCoordinator();
    });
    long interval = settings.diagnosticsInterval().toMillis();
    if (interval > 0) {
      executor.scheduleWithFixedDelay(() -> {
        refreshRacks();
        checkCoordinator();
      }, interval, interval, TimeUnit.MILLISECONDS);
    }
  }

  /** Broker id to rack ({@code ""} without one), as last seen; empty until the first answer. */
  public Map<Integer, String> brokerRacks() {
    return racks;
  }

  /** The stable name of the current coordinator stall, or null when there is none. */
  public @Nullable String coordinatorStallCause() {
    return stallCause;
  }

  /** Runs the checks now (the next periodic run is not moved); for a poll that has just failed. */
  public void checkSoon() {
    if (!executor.isShutdown()) {
      executor.execute(this::checkCoordinator);
    }
  }

  private void refreshRacks() {
    try {
      Collection<Node> nodes = admin.describeCluster().nodes().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      Map<Integer, String> fresh = new TreeMap<>();
      for (Node node : nodes) {
        fresh.put(node.id(), node.rack() == null ? "" : node.rack());
      }
      // a broker that is down drops out of describeCluster; keep what we knew of it
      Map<Integer, String> merged = new TreeMap<>(racks);
      merged.putAll(fresh);
      if (!merged.equals(racks)) {
        racks = Map.copyOf(merged);
        listener.onBrokerRacks(racks);
      }
      adminFailureLogged = false;
    } catch (Exception e) {
      adminFailed("describe the cluster", e);
    }
  }

  private void verifyRackAwareness() {
    Map<Integer, String> known = racks;
    if (known.isEmpty()) {
      LOG.warn("could not verify rack awareness for client.rack='{}': the cluster did not answer", rack);
      return;
    }
    List<Integer> sameRack = known.entrySet().stream().filter(e -> e.getValue().equals(rack)).map(Map.Entry::getKey).toList();
    if (known.values().stream().allMatch(String::isEmpty)) {
      warn("client.rack='" + rack + "' has no effect: no broker has broker.rack set. Fix: set broker.rack on "
          + "every broker (e.g. from its node's topology.kubernetes.io/zone label)");
    } else if (sameRack.isEmpty()) {
      warn("no broker is in rack '" + rack + "' (brokers' racks: " + known + "), so this consumer fetches across "
          + "zones. Fix: set client.rack to the zone name the brokers use, or run a broker in '" + rack + "'");
    }
    int broker = sameRack.isEmpty() ? known.keySet().iterator().next() : sameRack.get(0);
    try {
      ConfigResource resource = new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(broker));
      Config config = admin.describeConfigs(List.of(resource)).all()
          .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(resource);
      ConfigEntry selector = config.get("replica.selector.class");
      String value = selector == null ? null : selector.value();
      if (value == null || value.isBlank() || value.endsWith(".LeaderSelector")) {
        warn("broker " + broker + " uses replica.selector.class=" + (value == null || value.isBlank()
            ? "(unset: LeaderSelector)" : value) + ", so every consumer reads from partition leaders and "
            + "client.rack='" + rack + "' has no effect. Fix: set replica.selector.class=" + RACK_AWARE_SELECTOR
            + " on every broker");
      } else if (!sameRack.isEmpty()) {
        LOG.info("rack awareness verified: client.rack='{}', brokers in that rack {}, replica.selector.class={}",
            rack, sameRack, value);
      }
    } catch (Exception e) {
      LOG.warn("could not read replica.selector.class of broker {} to verify rack awareness: {}", broker, e.toString());
    }
  }

  private void warn(String message) {
    LOG.warn(message);
    listener.onRackWarning(message);
  }

  private void checkCoordinator() {
    if (groupId == null) {
      return;
    }
    try {
      Optional<String[]> stall = offsetsPartitionShortfall(groupId);
      String previous = stallCause;
      if (stall.isPresent() && previous == null) {
        stallCause = stall.get()[0];
        stalledSinceNanos = System.nanoTime();
        LOG.warn(stall.get()[1]);
        listener.onCoordinatorStalled(groupId, stall.get()[0], stall.get()[1]);
      } else if (stall.isPresent()) {
        LOG.debug(stall.get()[1]);
      } else if (previous != null) {
        stallCause = null;
        Duration stalledFor = Duration.ofNanos(System.nanoTime() - stalledSinceNanos);
        LOG.info("consumer group '{}': group coordinator available again after {} ms (was {})",
            groupId, stalledFor.toMillis(), previous);
        listener.onCoordinatorRecovered(groupId, stalledFor);
      }
      adminFailureLogged = false;
    } catch (Exception e) {
      adminFailed("check the group coordinator's __consumer_offsets partition", e);
    }
  }

  /** [cause, message] when the group's __consumer_offsets partition cannot take the coordinator's writes. */
  private Optional<String[]> offsetsPartitionShortfall(String group) throws Exception {
    TopicDescription description;
    try {
      description = admin.describeTopics(List.of(OFFSETS_TOPIC)).allTopicNames()
          .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(OFFSETS_TOPIC);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return Optional.empty(); // created on the first group's first request
      }
      throw e;
    }
    int count = description.partitions().size();
    // the group coordinator's partition, as the brokers choose it (Utils.abs(hashCode) % partitions)
    int hash = group.hashCode();
    int partition = (hash == Integer.MIN_VALUE ? 0 : Math.abs(hash)) % count;
    TopicPartitionInfo info = description.partitions().stream().filter(p -> p.partition() == partition)
        .findFirst().orElseThrow();
    int minIsr = offsetsMinIsr();
    String where = "consumer group '" + group + "' is stalled: its group coordinator is unavailable because "
        + OFFSETS_TOPIC + " partition " + partition;
    String effect = "; the group cannot join, rebalance or commit offsets until brokers return (its partitions "
        + "stay readable). Fix: restore the brokers; keep " + OFFSETS_TOPIC + " at replication factor >= 3 "
        + "spread over zones";
    if (info.leader() == null || info.leader().isEmpty()) {
      return Optional.of(new String[] {"offsets_topic_no_leader", where + " has no leader (replicas "
          + ids(info.replicas()) + " down)" + effect});
    }
    if (info.isr().size() < minIsr) {
      return Optional.of(new String[] {"offsets_topic_isr_shortfall", where + " has " + info.isr().size()
          + " in-sync replica(s) " + ids(info.isr()) + ", below its min.insync.replicas=" + minIsr + effect});
    }
    return Optional.empty();
  }

  private int offsetsMinIsr() throws Exception {
    Integer cached = offsetsMinIsr;
    if (cached != null) {
      return cached;
    }
    ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, OFFSETS_TOPIC);
    ConfigEntry entry = admin.describeConfigs(List.of(topic)).all()
        .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic).get("min.insync.replicas");
    int value = entry == null || entry.value() == null ? 1 : Integer.parseInt(entry.value());
    offsetsMinIsr = value;
    return value;
  }

  private static List<Integer> ids(List<Node> nodes) {
    return nodes.stream().map(Node::id).toList();
  }

  private void adminFailed(String what, Exception e) {
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    if (!adminFailureLogged) {
      adminFailureLogged = true;
      LOG.warn("consumer diagnostics could not {}: {} (repeats logged at DEBUG)", what, e.toString());
    } else {
      LOG.debug("consumer diagnostics could not {}: {}", what, e.toString());
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    admin.close(Duration.ofSeconds(5));
  }
}
