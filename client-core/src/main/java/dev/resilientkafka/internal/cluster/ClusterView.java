package dev.resilientkafka.internal.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the clients of one cluster in this JVM know about it beyond their own metadata, kept once per
 * cluster and shared: each topic's {@code min.insync.replicas} (read with {@code describeConfigs} when a
 * topic is first used and then at most every {@link #MIN_ISR_REFRESH_NANOS}), and, only while some
 * client has records that are not being acknowledged, each such topic's leaders and in-sync replicas and
 * whether any broker answers at all (read every {@link #PROBE_INTERVAL_MS} ms through the cluster's
 * {@linkplain SharedAdmins shared Admin client}). While records are acknowledged, it sends nothing but
 * the {@code describeConfigs}.
 *
 * <p>A topic that cannot be described marks only itself. Failures of the Admin client are logged at
 * WARN once per kind, then at DEBUG. Thread-safe; its work runs on one daemon thread per JVM.
 */
public final class ClusterView {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterView.class);
  static final long PROBE_INTERVAL_MS = 1_000;
  /** A probe waits this long for an answer before it counts the cluster as unreachable. */
  private static final int PROBE_TIMEOUT_MS = 2_000;
  static final long MIN_ISR_REFRESH_NANOS = TimeUnit.MINUTES.toNanos(5);
  /** A probe older than this no longer describes the cluster. */
  static final long FRESH_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final Map<Object, ClusterView> VIEWS = new HashMap<>();
  private static final ScheduledExecutorService SCHEDULER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "resilient-kafka-cluster-view");
    thread.setDaemon(true);
    return thread;
  });

  /** What a client tells the view: the topics it writes, and those whose records are not acknowledged. */
  public interface Member {
    /** Topics the client uses now. */
    Collection<String> topics();

    /** Topics with a record waiting or in flight for longer than a healthy cluster takes. */
    Collection<String> stalledTopics();
  }

  /** A partition as the last probe saw it. */
  public record PartitionState(boolean hasLeader, int inSyncReplicas, int replicas) {}

  /** Whether any broker answered the last probe, and if not, why. */
  public enum Reachability { REACHABLE, UNREACHABLE, NAMES_UNRESOLVED, AUTHENTICATION_FAILED }

  private record Probe<T>(T value, long readNanos) {}

  private final SharedAdmins.@Nullable Lease lease;
  private final Object key;
  private final List<String> bootstrapHosts;
  private final List<Member> members = new CopyOnWriteArrayList<>();
  private final Map<String, Probe<Integer>> minIsr = new ConcurrentHashMap<>();
  private final Map<String, Probe<Map<Integer, PartitionState>>> partitions = new ConcurrentHashMap<>();
  private final AtomicBoolean probing = new AtomicBoolean();
  private final AtomicBoolean readingConfigs = new AtomicBoolean();
  private final AtomicLong requests = new AtomicLong();
  private final @Nullable ScheduledFuture<?> task;
  private final Map<String, Boolean> warned = new ConcurrentHashMap<>();
  private volatile @Nullable Probe<Reachability> reachability;
  private volatile @Nullable AuthenticationException authentication;
  private int refs;

  private ClusterView(SharedAdmins.Lease lease, Map<String, ?> config) {
    this.lease = lease;
    this.key = lease.clusterKey();
    this.bootstrapHosts = hosts(config.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
    this.task = SCHEDULER.scheduleWithFixedDelay(this::tick, PROBE_INTERVAL_MS, PROBE_INTERVAL_MS, TimeUnit.MILLISECONDS);
  }

  private ClusterView() {
    this.lease = null;
    this.key = new Object();
    this.bootstrapHosts = List.of();
    this.task = null;
  }

  /**
   * A view of no cluster that never asks anything: every answer is "not known". For exercising a client's
   * machinery without a cluster (the deterministic concurrency tests).
   */
  public static ClusterView detached() {
    return new ClusterView();
  }

  /**
   * Joins the view of the cluster {@code clientConfig} connects to (created on first use). Close the
   * returned membership when the client closes.
   */
  public static Membership join(Map<String, ?> clientConfig, Member member) {
    SharedAdmins.Lease lease = SharedAdmins.acquire(clientConfig);
    ClusterView view;
    synchronized (VIEWS) {
      view = VIEWS.get(lease.clusterKey());
      if (view == null) {
        view = new ClusterView(lease, clientConfig);
        VIEWS.put(view.key, view);
      } else {
        lease.close();
      }
      view.refs++;
    }
    view.members.add(member);
    return new Membership(view, member);
  }

  /** A client's place in a view; closing it leaves the view, and the last one out stops it. */
  public static final class Membership implements AutoCloseable {
    private final ClusterView view;
    private final Member member;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Membership(ClusterView view, Member member) {
      this.view = view;
      this.member = member;
    }

    public ClusterView view() {
      return view;
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        view.leave(member);
      }
    }
  }

  private void leave(Member member) {
    members.remove(member);
    boolean last;
    synchronized (VIEWS) {
      last = --refs == 0;
      if (last) {
        VIEWS.remove(key, this);
      }
    }
    if (last && task != null && lease != null) {
      task.cancel(false);
      lease.close();
    }
  }

  /** Reads the topic's {@code min.insync.replicas} soon if it is not known yet. Cheap when it is. */
  public void track(String topic) {
    if (lease != null && !minIsr.containsKey(topic)) {
      SCHEDULER.execute(this::readMinIsr);
    }
  }

  /** The topic's {@code min.insync.replicas} as last read, or null before the first answer. */
  public @Nullable Integer minInsyncReplicas(String topic) {
    Probe<Integer> known = minIsr.get(topic);
    return known == null ? null : known.value();
  }

  /** The topic's partitions as a probe saw them in the last few seconds, or null. */
  public @Nullable Map<Integer, PartitionState> recentPartitions(String topic) {
    Probe<Map<Integer, PartitionState>> known = partitions.get(topic);
    return known == null || System.nanoTime() - known.readNanos() > FRESH_NANOS ? null : known.value();
  }

  /** Whether brokers answered the last probe of the last few seconds; null without a recent probe. */
  public @Nullable Reachability recentReachability() {
    Probe<Reachability> known = reachability;
    return known == null || System.nanoTime() - known.readNanos() > FRESH_NANOS ? null : known.value();
  }

  /** The TLS/SASL failure of the last recent probe, or null. */
  public @Nullable AuthenticationException authenticationFailure() {
    return recentReachability() == Reachability.AUTHENTICATION_FAILED ? authentication : null;
  }

  /** Requests this view sent to the cluster since it was created; for tests and benchmarks. */
  public long requestsSent() {
    return requests.get();
  }

  /** Whether a probe or a config read is under way; for tests. */
  boolean busy() {
    return probing.get() || readingConfigs.get();
  }

  /** The cluster, as its sorted bootstrap servers. */
  public String cluster() {
    return lease == null ? "(no cluster)" : lease.cluster();
  }

  // ------------------------------------------------------------------ background work

  private void tick() {
    try {
      readMinIsr();
      Set<String> stalled = new TreeSet<>();
      for (Member member : members) {
        stalled.addAll(member.stalledTopics());
      }
      if (!stalled.isEmpty()) {
        probe(stalled);
      }
    } catch (RuntimeException e) {
      warnOnce("tick", "cluster view of " + cluster() + " failed", e);
    }
  }

  private void readMinIsr() {
    long now = System.nanoTime();
    Set<String> due = new TreeSet<>();
    for (Member member : members) {
      for (String topic : member.topics()) {
        Probe<Integer> known = minIsr.get(topic);
        if (known == null || now - known.readNanos() > MIN_ISR_REFRESH_NANOS) {
          due.add(topic);
        }
      }
    }
    if (due.isEmpty() || !readingConfigs.compareAndSet(false, true)) {
      return;
    }
    List<ConfigResource> resources = due.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
    Map<ConfigResource, KafkaFuture<org.apache.kafka.clients.admin.Config>> futures;
    try {
      Admin admin = java.util.Objects.requireNonNull(lease).admin();
      requests.incrementAndGet();
      futures = admin.describeConfigs(resources).values();
    } catch (RuntimeException e) {
      readingConfigs.set(false);
      adminFailed(e);
      return;
    }
    AtomicInteger left = new AtomicInteger(futures.size());
    futures.forEach((resource, future) -> future.whenComplete((config, error) -> {
      try {
        if (error == null) {
          ConfigEntry entry = config.get("min.insync.replicas");
          if (entry != null && entry.value() != null) {
            minIsr.put(resource.name(), new Probe<>(Integer.parseInt(entry.value()), System.nanoTime()));
          }
        } else {
          noteFailure(error);
          LOG.debug("could not read min.insync.replicas of {}: {}", resource.name(), error.toString());
        }
      } catch (RuntimeException e) {
        warnOnce("config", "cluster view of " + cluster() + " could not read min.insync.replicas of " + resource.name(), e);
      } finally {
        if (left.decrementAndGet() == 0) {
          readingConfigs.set(false);
        }
      }
    }));
  }

  private void probe(Set<String> topics) {
    if (!probing.compareAndSet(false, true)) {
      return;
    }
    Admin admin;
    KafkaFuture<Collection<org.apache.kafka.common.Node>> nodes;
    try {
      admin = java.util.Objects.requireNonNull(lease).admin();
      requests.incrementAndGet();
      nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(PROBE_TIMEOUT_MS)).nodes();
    } catch (RuntimeException e) {
      probing.set(false);
      adminFailed(e);
      return;
    }
    nodes.whenComplete((answered, error) -> {
      if (error != null) {
        noteFailure(error);
        probing.set(false);
        return;
      }
      reachability = new Probe<>(Reachability.REACHABLE, System.nanoTime());
      Map<String, KafkaFuture<TopicDescription>> futures;
      try {
        requests.incrementAndGet();
        futures = admin.describeTopics(topics, new DescribeTopicsOptions().timeoutMs(PROBE_TIMEOUT_MS)).topicNameValues();
      } catch (RuntimeException e) {
        probing.set(false);
        adminFailed(e);
        return;
      }
      if (futures.isEmpty()) {
        probing.set(false);
        return;
      }
      AtomicInteger left = new AtomicInteger(futures.size());
      futures.forEach((topic, future) -> future.whenComplete((description, failure) -> {
        if (failure == null) {
          Map<Integer, PartitionState> states = new HashMap<>();
          for (TopicPartitionInfo info : description.partitions()) {
            states.put(info.partition(), new PartitionState(info.leader() != null && info.leader().id() >= 0,
                info.isr().size(), info.replicas().size()));
          }
          partitions.put(topic, new Probe<>(Map.copyOf(states), System.nanoTime()));
        } else {
          LOG.debug("could not describe topic {}: {}", topic, failure.toString());
        }
        if (left.decrementAndGet() == 0) {
          probing.set(false);
        }
      }));
    });
  }

  private void noteFailure(Throwable error) {
    Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
        ? error.getCause() : error;
    AuthenticationException auth = authenticationCause(cause);
    Reachability state;
    if (auth != null) {
      authentication = auth;
      state = Reachability.AUTHENTICATION_FAILED;
      warnOnce("auth", "the brokers of " + cluster() + " refuse this client's TLS/SASL handshake", auth);
    } else if (namesUnresolved(cause)) {
      state = Reachability.NAMES_UNRESOLVED;
      warnOnce("names", "no bootstrap name of " + cluster() + " resolves", cause);
    } else if (cause instanceof TimeoutException) {
      reachability = new Probe<>(Reachability.UNREACHABLE, System.nanoTime());
      // name lookups block: not on the Admin client's I/O thread, which completes this future; written
      // after UNREACHABLE so that the more precise answer is the one that stays
      SCHEDULER.execute(() -> {
        if (noneResolves()) {
          reachability = new Probe<>(Reachability.NAMES_UNRESOLVED, System.nanoTime());
        }
      });
      return;
    } else {
      LOG.debug("cluster view of {}: {}", cluster(), cause.toString());
      return;
    }
    reachability = new Probe<>(state, System.nanoTime());
  }

  /** Kafka refuses to create a client when no bootstrap name resolves ("No resolvable bootstrap urls"). */
  private static boolean namesUnresolved(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof org.apache.kafka.common.config.ConfigException && String.valueOf(t.getMessage())
          .contains("No resolvable bootstrap urls")) {
        return true;
      }
    }
    return false;
  }

  /** The Admin client could not be made or refused a request outright; the next tick tries again. */
  private void adminFailed(RuntimeException error) {
    noteFailure(error);
    if (!namesUnresolved(error)) {
      warnOnce("admin", "cluster view of " + cluster() + " failed", error);
    }
  }

  private void warnOnce(String kind, String message, Throwable error) {
    if (warned.putIfAbsent(kind, Boolean.TRUE) == null) {
      LOG.warn("{}: {} (repeats are logged at DEBUG)", message, error.toString());
    } else {
      LOG.debug("{}: {}", message, error.toString());
    }
  }

  private static @Nullable AuthenticationException authenticationCause(@Nullable Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof AuthenticationException authentication) {
        return authentication;
      }
    }
    return null;
  }

  /** Whether no bootstrap name resolves; asked only when no broker answers. */
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

  private static List<String> hosts(@Nullable Object servers) {
    String text = servers instanceof List<?> list
        ? String.join(",", list.stream().map(String::valueOf).toList())
        : String.valueOf(servers == null ? "" : servers);
    List<String> hosts = new ArrayList<>();
    for (String entry : text.split(",")) {
      String s = entry.trim();
      if (s.isEmpty()) {
        continue;
      }
      int colon = s.lastIndexOf(':');
      s = colon > 0 ? s.substring(0, colon) : s;
      hosts.add(s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s);
    }
    return List.copyOf(hosts);
  }
}
