package dev.resilientkafka.metrics;

import dev.resilientkafka.BootstrapException;
import dev.resilientkafka.BootstrapListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bootstrap resolver meters, as a {@link BootstrapListener}:
 *
 * <ul>
 *   <li>{@code resilientkafka.bootstrap.resolutions} (counter, tag {@code service}): good answers;
 *   <li>{@code resilientkafka.bootstrap.broker.set.changes} (counter, {@code service}): pods added or removed;
 *   <li>{@code resilientkafka.bootstrap.failures} (counter, {@code service}, {@code reason}): failed
 *       resolutions by {@link BootstrapException.Reason};
 *   <li>{@code resilientkafka.bootstrap.pods} (gauge, {@code service}): pods in the latest good answer;
 *   <li>{@code resilientkafka.bootstrap.srv.records.ignored} (counter, {@code service}, {@code reason} {@code
 *       other_port} or {@code foreign_target}): SRV records left out of the bootstrap, counted when reported
 *       (once per client for each distinct set);
 *   <li>{@code resilientkafka.bootstrap.jvm.dns.cache.stale} (counter): JVM DNS cache pinning warnings;
 *   <li>{@code resilientkafka.bootstrap.advertised.host.mismatches} (counter): brokers advertising IPs or
 *       names outside the service.
 * </ul>
 *
 * <p>Extra {@code tags} go on every meter. Thread-safe. {@link #close()} removes every meter it registered.
 */
public final class MicrometerBootstrapMetrics implements BootstrapListener, AutoCloseable {
  private static final String PREFIX = "resilientkafka.bootstrap.";
  private final MeterRegistry registry;
  private final Tags tags;
  private final Map<String, AtomicInteger> pods = new ConcurrentHashMap<>();
  private final List<Meter> registered = new CopyOnWriteArrayList<>();

  /** Meters in {@code registry} with no extra tags. */
  public MicrometerBootstrapMetrics(MeterRegistry registry) {
    this(registry, Tags.empty());
  }

  /** Meters in {@code registry}, each with {@code tags} added (e.g. {@code client.id}). */
  public MicrometerBootstrapMetrics(MeterRegistry registry, Iterable<io.micrometer.core.instrument.Tag> tags) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
  }

  @Override
  public void onResolved(String service, List<InetSocketAddress> servers, Duration ttl) {
    counter("resolutions", "Good answers for the bootstrap service", Tags.of("service", service)).increment();
    pods.computeIfAbsent(service, s -> {
      AtomicInteger value = new AtomicInteger();
      registered.add(Gauge.builder(PREFIX + "pods", value, AtomicInteger::get)
          .description("Broker pods in the latest good answer for the service")
          .baseUnit("pods")
          .tags(tags.and("service", s))
          .register(registry));
      return value;
    }).set(servers.size());
  }

  @Override
  public void onBrokerSetChanged(
      String service, List<InetSocketAddress> added, List<InetSocketAddress> removed, List<InetSocketAddress> current) {
    counter("broker.set.changes", "Changes of the set of broker pods behind the service", Tags.of("service", service)).increment();
  }

  @Override
  public void onResolutionFailed(String service, BootstrapException error, boolean keptLastGood) {
    counter("failures", "Failed resolutions of the bootstrap service, by reason",
        Tags.of("service", service, "reason", error.reason().name().toLowerCase(java.util.Locale.ROOT))).increment();
  }

  @Override
  public void onSrvRecordsIgnored(String service, String reason, List<InetSocketAddress> ignored, String detail) {
    Counter counter = Counter.builder(PREFIX + "srv.records.ignored")
        .description("SRV records left out of the bootstrap: other ports of the pods, or targets outside the Service")
        .baseUnit("records")
        .tags(tags.and("service", service, "reason", reason))
        .register(registry);
    if (!registered.contains(counter)) {
      registered.add(counter);
    }
    counter.increment(ignored.size());
  }

  @Override
  public void onStaleJvmDnsCache(String host, String detail) {
    counter("jvm.dns.cache.stale", "Times the JVM DNS cache was found to pin (or able to pin) a stale broker address", Tags.empty()).increment();
  }

  @Override
  public void onAdvertisedHostMismatch(String advertisedHost, String detail) {
    counter("advertised.host.mismatches", "Brokers advertising IP literals or names outside the service", Tags.empty()).increment();
  }

  /** Removes every meter this listener registered. */
  @Override
  public void close() {
    registered.forEach(registry::remove);
    registered.clear();
  }

  private Counter counter(String name, String description, Tags extra) {
    Counter counter = Counter.builder(PREFIX + name)
        .description(description)
        .baseUnit("events")
        .tags(tags.and(extra))
        .register(registry);
    if (!registered.contains(counter)) {
      registered.add(counter);
    }
    return counter;
  }
}
