package dev.resilientkafka.internal.bootstrap;

import dev.resilientkafka.BootstrapException;
import dev.resilientkafka.BootstrapListener;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the answer for a set of services current: resolves each again when its records' TTL runs out
 * (at least 1 s, at most the refresh maximum apart), backs off exponentially (1 s, 2 s, ... up to the
 * refresh maximum) while DNS fails and keeps the last good answer meanwhile, reports pods that appear
 * and disappear, and checks the JVM's DNS cache against the fresh answers.
 *
 * <p>What it does not do: a running Kafka client keeps the {@code bootstrap.servers} it was built with
 * and learns brokers from cluster metadata (brokers advertise pod FQDNs), so this watch does not steer
 * running clients; it reports (listener, metrics, logs), serves clients created later and is what a
 * rebootstrap would find. Thread-safe: rounds and {@link #refreshNow()} are serialized.
 */
public final class ServiceWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceWatch.class);
  private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

  private final ServiceLookup lookup;
  private final Duration refreshMax;
  private final BootstrapListener listener;
  private final JvmDnsCacheCheck jvmCheck;
  private final ServiceReports ignoredRecords = new ServiceReports();
  private final Map<ServiceTarget, TargetState> states = new LinkedHashMap<>();
  private final Set<String> missing = new TreeSet<>();
  private @Nullable ScheduledExecutorService executor;
  private @Nullable ScheduledFuture<?> next;
  private @Nullable Runnable afterFirstRound;
  private boolean closed;

  private static final class TargetState {
    @Nullable Resolution lastGood;
    final Set<String> everSeen = new TreeSet<>();
    int failures;
    long dueNanos;
  }

  public ServiceWatch(ServiceLookup lookup, List<ServiceTarget> targets, Duration refreshMax, BootstrapListener listener) {
    this.lookup = lookup;
    this.refreshMax = refreshMax;
    this.listener = new SafeListener(listener);
    this.jvmCheck = new JvmDnsCacheCheck(this.listener);
    targets.forEach(t -> states.put(t, new TargetState()));
  }

  /**
   * Resolves every service until at least one answers (and, with {@code checkListener}, has a pod that
   * accepts connections), retrying with backoff until {@code timeout} has passed.
   *
   * @return the pods of every service that answered
   * @throws BootstrapException the last failure, when nothing answered in time
   */
  public synchronized List<InetSocketAddress> awaitFirst(Duration timeout, boolean checkListener) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long backoffMs = 200;
    int rounds = 0;
    while (true) {
      rounds++;
      BootstrapException last = null;
      Map<ServiceTarget, Resolution> unheard = new LinkedHashMap<>();
      for (Map.Entry<ServiceTarget, TargetState> entry : states.entrySet()) {
        Resolution resolution = null;
        try {
          resolution = lookup.resolve(entry.getKey());
          if (checkListener) {
            ListenerProbe.requireListener(lookup, resolution, Duration.ofMillis(Math.min(2_000, Math.max(200, timeout.toMillis()))));
          }
          accept(entry.getKey(), entry.getValue(), resolution);
        } catch (BootstrapException e) {
          last = e;
          listener.onResolutionFailed(entry.getKey().input(), e, false);
          if (e.reason() == BootstrapException.Reason.NO_LISTENER && resolution != null) {
            unheard.put(entry.getKey(), resolution);
          }
        }
      }
      List<InetSocketAddress> servers = servers();
      if (servers.isEmpty() && !unheard.isEmpty()) {
        // the pods are in DNS but none listens: brokers down or restarting (their pods keep their names), or
        // the wrong port. Starting now lets records wait in the producer instead of failing the application.
        LOG.warn("{}; starting with these pods anyway: clients connect once a broker listens, and records wait "
            + "until then. If the port is wrong, fix the Service's port (or {})", last.getMessage(),
            BootstrapConfig.PORT_NAME);
        unheard.forEach((target, resolution) -> accept(target, states.get(target), resolution));
        return servers();
      }
      if (!servers.isEmpty()) {
        return servers;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0 || last == null) {
        if (last == null) {
          throw new IllegalStateException("no service configured");
        }
        LOG.debug("bootstrap gave up after {} rounds in {}", rounds, timeout);
        throw last;
      }
      try {
        // start-up may wait; the caller asked for up to `timeout`
        Thread.sleep(Math.min(backoffMs, TimeUnit.NANOSECONDS.toMillis(left) + 1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw last;
      }
      backoffMs = Math.min(backoffMs * 2, 2_000);
    }
  }

  /** Starts re-resolving in the background; {@code afterFirstRound} runs once on that thread after the first round. */
  public synchronized void start(@Nullable Runnable afterFirstRound) {
    if (closed || executor != null) {
      return;
    }
    this.afterFirstRound = afterFirstRound;
    executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "resilient-kafka-bootstrap-watch");
      t.setDaemon(true);
      return t;
    });
    scheduleNext();
  }

  /** Re-resolves every service now, on the calling thread, and returns the current pods. */
  public synchronized List<InetSocketAddress> refreshNow() {
    long now = System.nanoTime();
    states.values().forEach(s -> s.dueNanos = now);
    round();
    return servers();
  }

  /** The pods of every service's last good answer, sorted, no duplicates. */
  public synchronized List<InetSocketAddress> servers() {
    Set<InetSocketAddress> all = new TreeSet<>(Comparator.comparing(InetSocketAddress::getHostString).thenComparingInt(InetSocketAddress::getPort));
    for (TargetState state : states.values()) {
      if (state.lastGood != null) {
        all.addAll(state.lastGood.servers());
      }
    }
    return List.copyOf(all);
  }

  /** Pods seen earlier that DNS no longer serves (Pending, not Ready or deleted), by FQDN. */
  public synchronized Set<String> missingPods() {
    return Set.copyOf(missing);
  }

  /** Whether the last attempt for any service failed (its last good answer is in use). */
  public synchronized boolean failing() {
    return states.values().stream().anyMatch(s -> s.failures > 0);
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (executor != null) {
      executor.shutdownNow();
    }
  }

  private synchronized void tick() {
    if (closed) {
      return;
    }
    try {
      round();
      Runnable once = afterFirstRound;
      afterFirstRound = null;
      if (once != null) {
        once.run();
      }
    } catch (RuntimeException e) {
      LOG.warn("bootstrap watch round failed unexpectedly; continuing", e);
    } finally {
      scheduleNext();
    }
  }

  private void round() {
    long now = System.nanoTime();
    for (Map.Entry<ServiceTarget, TargetState> entry : states.entrySet()) {
      TargetState state = entry.getValue();
      if (state.dueNanos - now > 0) {
        continue;
      }
      try {
        accept(entry.getKey(), state, lookup.resolve(entry.getKey()));
      } catch (BootstrapException e) {
        fail(entry.getKey(), state, e);
      }
    }
  }

  private void accept(ServiceTarget target, TargetState state, Resolution resolution) {
    Resolution previous = state.lastGood;
    state.lastGood = resolution;
    if (state.failures > 0 && previous != null) {
      LOG.info("DNS answers again for {}: {}", target, resolution.servers());
    }
    state.failures = 0;
    long interval = clamp(resolution.ttl()).toNanos();
    state.dueNanos = System.nanoTime() + interval;
    listener.onResolved(target.input(), resolution.servers(), resolution.ttl());
    if (previous != null && !previous.servers().equals(resolution.servers())) {
      List<InetSocketAddress> added = new ArrayList<>(resolution.servers());
      added.removeAll(previous.servers());
      List<InetSocketAddress> removed = new ArrayList<>(previous.servers());
      removed.removeAll(resolution.servers());
      LOG.info("broker pods of {} changed: added {}, removed {}, now {}", target, added, removed, resolution.servers());
      listener.onBrokerSetChanged(target.input(), List.copyOf(added), List.copyOf(removed), resolution.servers());
    }
    for (InetSocketAddress server : resolution.servers()) {
      String host = server.getHostString();
      state.everSeen.add(host);
      if (missing.remove(host)) {
        LOG.info("pod {} is back in DNS", host);
      }
    }
    for (String host : state.everSeen) {
      boolean present = resolution.servers().stream().anyMatch(s -> s.getHostString().equals(host));
      if (!present && missing.add(host)) {
        LOG.warn("pod {} is no longer in DNS (Pending, not Ready or deleted); clients use the {} other pod(s) of {}."
            + " Reported once; re-resolving every {} s", host, resolution.servers().size(), target, clamp(resolution.ttl()).getSeconds());
      }
    }
    ignoredRecords.report(resolution, listener);
    jvmCheck.checkConfiguredTtl(resolution.ttl());
    jvmCheck.checkPods(resolution.addresses(), resolution.ttl(), System.nanoTime());
  }

  private void fail(ServiceTarget target, TargetState state, BootstrapException e) {
    state.failures++;
    long backoffMs = Math.min(refreshMax.toMillis(), MIN_INTERVAL.toMillis() << Math.min(state.failures - 1, 20));
    state.dueNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs);
    boolean kept = state.lastGood != null;
    String keeping = kept ? "keeping the last good answer " + state.lastGood.servers() : "no good answer yet";
    if (state.failures == 1) {
      LOG.warn("{}; {}; retrying with backoff (further failures log at DEBUG)", e.getMessage(), keeping);
    } else {
      LOG.debug("{}; {}; failure {} in a row, next try in {} ms", e.getMessage(), keeping, state.failures, backoffMs);
    }
    listener.onResolutionFailed(target.input(), e, kept);
  }

  private Duration clamp(Duration ttl) {
    if (ttl.compareTo(MIN_INTERVAL) < 0) {
      return MIN_INTERVAL;
    }
    return ttl.compareTo(refreshMax) > 0 ? refreshMax : ttl;
  }

  private void scheduleNext() {
    if (closed || executor == null) {
      return;
    }
    long now = System.nanoTime();
    long delay = states.values().stream().mapToLong(s -> s.dueNanos - now).min().orElse(refreshMax.toNanos());
    next = executor.schedule(this::tick, Math.max(0, delay), TimeUnit.NANOSECONDS);
  }
}
