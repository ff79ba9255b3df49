package dev.resilientkafka.internal.bootstrap;

import dev.resilientkafka.BootstrapListener;
import dev.resilientkafka.JvmDnsCache;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Detects when the JVM's DNS cache would pin a broker to a stale address,
 * either by configuration (its TTL longer than the records') or by observation (the JVM returns an
 * address DNS no longer serves for longer than the record TTL allows). Each kind is logged as a WARN
 * once per JVM, with the fix, then at DEBUG; every observation reaches the listener (and so a counter).
 * Not thread-safe: used from one watch thread.
 */
final class JvmDnsCacheCheck {
  private static final Logger LOG = LoggerFactory.getLogger(JvmDnsCacheCheck.class);
  private static final AtomicBoolean CONFIG_WARNED = new AtomicBoolean();
  private static final AtomicBoolean STALE_WARNED = new AtomicBoolean();
  /** Slack for the JVM's own cache tick and propagation. */
  private static final Duration GRACE = Duration.ofSeconds(2);

  private final BootstrapListener listener;
  private final Map<String, Long> staleSince = new HashMap<>();
  private final Map<String, List<InetAddress>> lastAnswers = new HashMap<>();
  private final Map<String, Boolean> reported = new HashMap<>();
  private boolean configChecked;

  JvmDnsCacheCheck(BootstrapListener listener) {
    this.listener = listener;
  }

  /** Compares the JVM cache TTL with the record TTL, once per watch. */
  void checkConfiguredTtl(Duration recordTtl) {
    if (configChecked) {
      return;
    }
    configChecked = true;
    Optional<Duration> jvm = JvmDnsCache.effectiveTtl();
    if (jvm.isPresent() && jvm.get().compareTo(recordTtl) <= 0) {
      return;
    }
    String detail = "the JVM caches resolved names for " + jvm.map(d -> d.getSeconds() + " s").orElse("ever")
        + ", longer than the brokers' DNS TTL of " + recordTtl.getSeconds() + " s, so a moved broker stays unreachable"
        + " until the JVM lets go; call JvmDnsCache.limitTo(Duration.ofSeconds(" + Math.max(1, recordTtl.getSeconds())
        + ")) first thing in main() or start the JVM with -Dsun.net.inetaddr.ttl=" + Math.max(1, recordTtl.getSeconds());
    warnOnce(CONFIG_WARNED, detail);
    listener.onStaleJvmDnsCache("*", detail);
  }

  /**
   * Compares what the JVM resolves for a pod with DNS's fresh answer, but only for pods whose DNS answer
   * changed (and while the JVM still returns the old one): a name lookup keeps a cache entry warm, and
   * periodic lookups of unchanged names would pin the old address for the JVM's whole TTL after the next
   * change, where an entry nobody touched would simply have expired.
   */
  void checkPods(Map<String, List<InetAddress>> dnsAnswers, Duration recordTtl, long nowNanos) {
    for (Map.Entry<String, List<InetAddress>> pod : dnsAnswers.entrySet()) {
      if (pod.getValue().isEmpty()) {
        continue;
      }
      String host = pod.getKey();
      List<InetAddress> previous = lastAnswers.put(host, pod.getValue());
      boolean changed = previous != null && !previous.equals(pod.getValue());
      if (!changed && !staleSince.containsKey(host)) {
        continue;
      }
      List<InetAddress> jvm;
      try {
        jvm = List.of(InetAddress.getAllByName(host));
      } catch (UnknownHostException e) {
        staleSince.remove(host);
        continue;
      }
      List<InetAddress> stale = jvm.stream().filter(a -> !pod.getValue().contains(a)).toList();
      if (stale.isEmpty()) {
        staleSince.remove(host);
        reported.remove(host);
        continue;
      }
      long since = staleSince.computeIfAbsent(host, h -> nowNanos);
      if (nowNanos - since > recordTtl.plus(GRACE).toNanos() && reported.putIfAbsent(host, true) == null) {
        String detail = "the JVM resolves " + host + " to " + addresses(stale) + " but DNS now serves "
            + addresses(pod.getValue()) + " (for more than the record TTL of " + recordTtl.getSeconds()
            + " s): its DNS cache pins a stale address. Start the JVM with -Dsun.net.inetaddr.ttl="
            + Math.max(1, recordTtl.getSeconds()) + " or call JvmDnsCache.limitTo(...) first thing in main()";
        warnOnce(STALE_WARNED, detail);
        listener.onStaleJvmDnsCache(host, detail);
      }
    }
  }

  private static String addresses(List<InetAddress> list) {
    return list.stream().map(InetAddress::getHostAddress).toList().toString();
  }

  private static void warnOnce(AtomicBoolean flag, String detail) {
    if (flag.compareAndSet(false, true)) {
      LOG.warn("JVM DNS cache: {} (further occurrences log at DEBUG)", detail);
    } else {
      LOG.debug("JVM DNS cache: {}", detail);
    }
  }
}
