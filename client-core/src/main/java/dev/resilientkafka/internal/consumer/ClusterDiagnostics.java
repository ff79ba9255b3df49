package dev.resilientkafka.internal.consumer;

import dev.resilientkafka.internal.cluster.SharedAdmins;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The questions consumer diagnostics ask a cluster, asked once for every consumer of that cluster in
 * this JVM: the brokers and their racks, the state of {@code __consumer_offsets} (its partitions' leaders
 * and ISRs, and its {@code min.insync.replicas}), and each broker's {@code replica.selector.class}. One
 * daemon thread per cluster asks them through the cluster's shared {@link Admin} ({@link SharedAdmins}) at
 * the shortest interval any consumer wants, and hands each answer ({@link Snapshot}) to every consumer,
 * which draws its own conclusions (its group's coordinator partition, its rack). A consumer that joins
 * gets the last answer if it is younger than its interval, else a new round; rounds asked for while one
 * is due are merged. The selector and the offsets topic's minimum ISR are asked once per cluster.
 *
 * <p>Thread-safe. Subscribers are called on the cluster's thread, one at a time.
 */
final class ClusterDiagnostics {
  static final String OFFSETS_TOPIC = "__consumer_offsets";
  private static final Logger LOG = LoggerFactory.getLogger(ClusterDiagnostics.class);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(8);
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final Map<Object, ClusterDiagnostics> SHARED = new HashMap<>();

  /** What a consumer's diagnostics need from the shared answers. */
  interface Subscriber {
    /** How often it wants an answer; zero: once, at start. */
    Duration interval();

    /** Whether it needs the state of {@code __consumer_offsets} (it is in a group). */
    boolean needsOffsetsTopic();

    /** A new answer; called on the cluster's thread. */
    void onSnapshot(Snapshot snapshot, ClusterDiagnostics cluster);
  }

  /**
   * One round's answers. A null part failed ({@code racksError}/{@code offsetsError} say why) or was not
   * asked; {@code offsetsTopicMissing} when the topic does not exist yet (it is created on a group's first
   * request).
   */
  record Snapshot(
      @Nullable Map<Integer, String> racks,
      @Nullable Exception racksError,
      @Nullable TopicDescription offsets,
      int offsetsMinIsr,
      boolean offsetsTopicMissing,
      @Nullable Exception offsetsError,
      long takenNanos) {}

  private final Object key;
  private final SharedAdmins.Lease lease;
  private final ScheduledExecutorService executor;
  private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
  private final Map<Integer, Optional<String>> selectors = new HashMap<>();
  private @Nullable Integer offsetsMinIsr;
  private volatile @Nullable Snapshot last;
  private @Nullable ScheduledFuture<?> next;
  private boolean roundQueued;

  private ClusterDiagnostics(Object key, SharedAdmins.Lease lease) {
    this.key = key;
    this.lease = lease;
    String name = "resilient-kafka-consumer-diagnostics-" + THREADS.incrementAndGet();
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, name);
      thread.setDaemon(true);
      return thread;
    });
  }

  /** A consumer's hold on its cluster's shared diagnostics; close it when the consumer closes. */
  static final class Registration implements AutoCloseable {
    private final ClusterDiagnostics cluster;
    private final Subscriber subscriber;
    private boolean closed;

    private Registration(ClusterDiagnostics cluster, Subscriber subscriber) {
      this.cluster = cluster;
      this.subscriber = subscriber;
    }

    /** Asks for a fresh answer soon, merged with any round already due. */
    void refreshSoon() {
      cluster.queueRound();
    }

    @Override
    public void close() {
      synchronized (SHARED) {
        if (closed) {
          return;
        }
        closed = true;
      }
      cluster.remove(subscriber);
    }
  }

  /** Registers {@code subscriber} with the diagnostics of the cluster {@code clientConfig} connects to. */
  static Registration register(Map<String, ?> clientConfig, Subscriber subscriber) {
    SharedAdmins.Lease lease = SharedAdmins.acquire(clientConfig);
    ClusterDiagnostics cluster;
    synchronized (SHARED) {
      ClusterDiagnostics existing = SHARED.get(lease.clusterKey());
      if (existing == null) {
        cluster = new ClusterDiagnostics(lease.clusterKey(), lease);
        SHARED.put(lease.clusterKey(), cluster);
      } else {
        cluster = existing;
      }
      cluster.subscribers.add(subscriber);
    }
    if (cluster.lease != lease) {
      lease.close(); // the cluster's diagnostics hold their own lease
    }
    cluster.welcome(subscriber);
    return new Registration(cluster, subscriber);
  }

  /**
   * The broker's {@code replica.selector.class} (empty when unset), asked once per cluster; only on the
   * cluster's thread (from {@link Subscriber#onSnapshot}).
   *
   * @throws Exception when the cluster does not answer
   */
  Optional<String> replicaSelector(int broker) throws Exception {
    Optional<String> known = selectors.get(broker);
    if (known != null) {
      return known;
    }
    ConfigResource resource = new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(broker));
    Config config = admin().describeConfigs(List.of(resource)).all()
        .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(resource);
    ConfigEntry selector = config.get("replica.selector.class");
    Optional<String> value = Optional.ofNullable(selector == null ? null : selector.value()).filter(v -> !v.isBlank());
    selectors.put(broker, value);
    return value;
  }

  private Admin admin() {
    return lease.admin();
  }

  private void welcome(Subscriber subscriber) {
    Snapshot snapshot = last;
    boolean fresh = snapshot != null && (!subscriber.needsOffsetsTopic() || snapshot.offsets() != null
        || snapshot.offsetsTopicMissing() || snapshot.offsetsError() != null)
        && System.nanoTime() - snapshot.takenNanos() < Math.max(1, subscriber.interval().toNanos());
    if (fresh) {
      submit(() -> deliver(subscriber, snapshot));
    } else {
      queueRound();
    }
  }

  private void queueRound() {
    synchronized (this) {
      if (roundQueued) {
        return;
      }
      roundQueued = true;
    }
    submit(this::round);
  }

  private void submit(Runnable task) {
    try {
      executor.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed meanwhile: the last consumer left
    }
  }

  private void deliver(Subscriber subscriber, Snapshot snapshot) {
    if (subscribers.contains(subscriber)) {
      subscriber.onSnapshot(snapshot, this);
    }
  }

  private void round() {
    synchronized (this) {
      roundQueued = false;
      if (next != null) {
        next.cancel(false);
        next = null;
      }
    }
    Map<Integer, String> racks = null;
    Exception racksError = null;
    try {
      Collection<Node> nodes = admin().describeCluster().nodes().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      racks = new TreeMap<>();
      for (Node node : nodes) {
        racks.put(node.id(), node.rack() == null ? "" : node.rack());
      }
    } catch (Exception e) {
      racksError = interrupted(e);
    }
    TopicDescription offsets = null;
    boolean missing = false;
    Exception offsetsError = null;
    int minIsr = 0;
    if (subscribers.stream().anyMatch(Subscriber::needsOffsetsTopic)) {
      try {
        offsets = admin().describeTopics(List.of(OFFSETS_TOPIC)).allTopicNames()
            .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(OFFSETS_TOPIC);
        minIsr = offsetsMinIsr();
      } catch (ExecutionException e) {
        if (e.getCause() instanceof UnknownTopicOrPartitionException) {
          missing = true;
        } else {
          offsets = null;
          offsetsError = e;
        }
      } catch (Exception e) {
        offsets = null;
        offsetsError = interrupted(e);
      }
    }
    Snapshot snapshot = new Snapshot(racks == null ? null : Map.copyOf(racks), racksError, offsets, minIsr, missing,
        offsetsError, System.nanoTime());
    last = snapshot;
    for (Subscriber subscriber : subscribers) {
      try {
        deliver(subscriber, snapshot);
      } catch (RuntimeException e) {
        // one consumer's failure must not starve the others
        LOG.warn("consumer diagnostics failed on one consumer; the others go on", e);
      }
    }
    scheduleNext();
  }

  private int offsetsMinIsr() throws Exception {
    Integer cached = offsetsMinIsr;
    if (cached != null) {
      return cached;
    }
    ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, OFFSETS_TOPIC);
    ConfigEntry entry = admin().describeConfigs(List.of(topic)).all()
        .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic).get("min.insync.replicas");
    int value = entry == null || entry.value() == null ? 1 : Integer.parseInt(entry.value());
    offsetsMinIsr = value;
    return value;
  }

  private synchronized void scheduleNext() {
    long interval = subscribers.stream().mapToLong(s -> s.interval().toMillis()).filter(ms -> ms > 0).min().orElse(0);
    if (interval > 0 && !executor.isShutdown()) {
      next = executor.schedule(this::queueRound, interval, TimeUnit.MILLISECONDS);
    }
  }

  private void remove(Subscriber subscriber) {
    boolean lastOne;
    synchronized (SHARED) {
      subscribers.remove(subscriber);
      lastOne = subscribers.isEmpty();
      if (lastOne) {
        SHARED.remove(key, this);
      }
    }
    if (lastOne) {
      executor.shutdownNow();
      try {
        executor.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      lease.close();
    }
  }

  private static Exception interrupted(Exception e) {
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    return e;
  }
}
