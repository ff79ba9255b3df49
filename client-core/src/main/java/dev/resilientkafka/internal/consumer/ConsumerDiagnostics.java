package dev.resilientkafka.internal.consumer;

import dev.resilientkafka.ConsumerListener;
import dev.resilientkafka.internal.consumer.ClusterDiagnostics.Snapshot;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer's view of the cluster: the brokers' racks, the start-up rack-awareness check, and whether
 * the group's coordinator is stalled on an {@code __consumer_offsets} partition without enough in-sync
 * replicas. The questions to the cluster are shared by every consumer of that cluster in this JVM ({@link
 * ClusterDiagnostics}: one Admin client, one thread, one answer per interval); this class draws this
 * consumer's conclusions from each answer and tells its listener. Thread-safe.
 */
public final class ConsumerDiagnostics implements AutoCloseable, ClusterDiagnostics.Subscriber {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerDiagnostics.class);
  private static final String OFFSETS_TOPIC = ClusterDiagnostics.OFFSETS_TOPIC;
  private static final String RACK_AWARE_SELECTOR = "org.apache.kafka.common.replica.RackAwareReplicaSelector";

  private final Map<String, Object> clusterConfig;
  private final @Nullable String rack;
  private final @Nullable String groupId;
  private final ConsumerSettings settings;
  private final ConsumerListener listener;

  private volatile Map<Integer, String> racks = Map.of();
  private volatile @Nullable String stallCause;
  private volatile long stalledSinceNanos;
  // the fields below are used on the cluster's thread only, under this object's lock
  private boolean adminFailureLogged;
  private boolean verified;
  private boolean answered;
  private boolean closed;
  private ClusterDiagnostics.@Nullable Registration registration;

  public ConsumerDiagnostics(Map<String, Object> consumerConfig, @Nullable String rack, @Nullable String groupId,
      ConsumerSettings settings, ConsumerListener listener) {
    this.clusterConfig = new HashMap<>(consumerConfig);
    this.rack = rack;
    this.groupId = groupId;
    this.settings = settings;
    this.listener = listener;
  }

  /** Starts the checks in the background: racks and verification at once, then every interval. */
  public void start() {
    ClusterDiagnostics.Registration joined = ClusterDiagnostics.register(clusterConfig, this);
    synchronized (this) {
      if (!closed) {
        registration = joined;
        return;
      }
    }
    joined.close();
  }

  /** Broker id to rack ({@code ""} without one), as last seen; empty until the first answer. */
  public Map<Integer, String> brokerRacks() {
    return racks;
  }

  /** The stable name of the current coordinator stall, or null when there is none. */
  public @Nullable String coordinatorStallCause() {
    return stallCause;
  }

  /** Asks the cluster again soon (merged with a round already due); for a poll that has just failed. */
  public void checkSoon() {
    ClusterDiagnostics.Registration current;
    synchronized (this) {
      current = registration;
    }
    if (current != null) {
      current.refreshSoon();
    }
  }

  @Override
  public Duration interval() {
    return settings.diagnosticsInterval();
  }

  @Override
  public boolean needsOffsetsTopic() {
    return groupId != null;
  }

  @Override
  public synchronized void onSnapshot(Snapshot snapshot, ClusterDiagnostics cluster) {
    if (closed || (answered && settings.diagnosticsInterval().isZero())) {
      return;
    }
    answered = true;
    if (snapshot.racks() != null) {
      mergeRacks(snapshot.racks());
    } else {
      adminFailed("describe the cluster", snapshot.racksError());
    }
    if (!verified && settings.verifyRack() && rack != null) {
      verified = true;
      verifyRackAwareness(cluster);
    }
    checkCoordinator(snapshot);
  }

  private void mergeRacks(Map<Integer, String> fresh) {
    // a broker that is down drops out of describeCluster; keep what we knew of it
    Map<Integer, String> merged = new TreeMap<>(racks);
    merged.putAll(fresh);
    if (!merged.equals(racks)) {
      racks = Map.copyOf(merged);
      listener.onBrokerRacks(racks);
    }
    adminFailureLogged = false;
  }

  private void verifyRackAwareness(ClusterDiagnostics cluster) {
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
      String value = cluster.replicaSelector(broker).orElse(null);
      if (value == null || value.endsWith(".LeaderSelector")) {
        warn("broker " + broker + " uses replica.selector.class=" + (value == null ? "(unset: LeaderSelector)" : value)
            + ", so every consumer reads from partition leaders and client.rack='" + rack + "' has no effect. Fix: set"
            + " replica.selector.class=" + RACK_AWARE_SELECTOR + " on every broker");
      } else if (!sameRack.isEmpty()) {
        LOG.info("rack awareness verified: client.rack='{}', brokers in that rack {}, replica.selector.class={}",
            rack, sameRack, value);
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.warn("could not read replica.selector.class of broker {} to verify rack awareness: {}", broker, e.toString());
    }
  }

  private void warn(String message) {
    LOG.warn(message);
    listener.onRackWarning(message);
  }

  private void checkCoordinator(Snapshot snapshot) {
    if (groupId == null) {
      return;
    }
    if (snapshot.offsetsError() != null) {
      adminFailed("check the group coordinator's " + OFFSETS_TOPIC + " partition", snapshot.offsetsError());
      return;
    }
    if (snapshot.offsets() == null && !snapshot.offsetsTopicMissing()) {
      return; // not asked in this round; the next one will
    }
    Optional<String[]> stall = snapshot.offsets() == null
        ? Optional.empty() // created on the first group's first request
        : offsetsPartitionShortfall(groupId, snapshot.offsets(), snapshot.offsetsMinIsr());
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
  }

  /** [cause, message] when the group's __consumer_offsets partition cannot take the coordinator's writes. */
  private static Optional<String[]> offsetsPartitionShortfall(String group, TopicDescription description, int minIsr) {
    int count = description.partitions().size();
    // the group coordinator's partition, as the brokers choose it (Utils.abs(hashCode) % partitions)
    int hash = group.hashCode();
    int partition = (hash == Integer.MIN_VALUE ? 0 : Math.abs(hash)) % count;
    TopicPartitionInfo info = description.partitions().stream().filter(p -> p.partition() == partition)
        .findFirst().orElseThrow();
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

  private static List<Integer> ids(List<Node> nodes) {
    return nodes.stream().map(Node::id).toList();
  }

  private void adminFailed(String what, @Nullable Exception e) {
    if (!adminFailureLogged) {
      adminFailureLogged = true;
      LOG.warn("consumer diagnostics could not {}: {} (repeats logged at DEBUG)", what, String.valueOf(e));
    } else {
      LOG.debug("consumer diagnostics could not {}: {}", what, String.valueOf(e));
    }
  }

  /** Leaves the cluster's shared diagnostics; no listener call follows. Idempotent. */
  @Override
  public void close() {
    ClusterDiagnostics.Registration current;
    synchronized (this) {
      closed = true;
      current = registration;
      registration = null;
    }
    if (current != null) {
      current.close();
    }
  }
}
