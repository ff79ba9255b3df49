package dev.resilientkafka.producer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads counters of a real registry, including the final values of counters the producer removed on
 * close (captured by the registry's own removal hook).
 */
final class RemovedMeters {
  private final MeterRegistry registry;
  private final Map<String, Double> removed = new ConcurrentHashMap<>();

  RemovedMeters(MeterRegistry registry) {
    this.registry = registry;
    registry.config().onMeterRemoved(meter -> {
      if (meter instanceof Counter counter) {
        removed.merge(key(meter.getId().getName(), meter.getId().getTag("reason"), meter.getId().getTag("cause")),
            counter.count(), Double::sum);
      }
    });
  }

  /** Current plus removed value of {@code name} with the given reason or cause tag (either may be null). */
  double count(String name, String reason, String cause) {
    Search search = registry.find(name);
    if (reason != null) {
      search = search.tag("reason", reason);
    }
    if (cause != null) {
      search = search.tag("cause", cause);
    }
    double live = search.counters().stream().mapToDouble(Counter::count).sum();
    return live + removed.getOrDefault(key(name, reason, cause), 0.0);
  }

  private static String key(String name, String reason, String cause) {
    return name + "|" + reason + "|" + cause;
  }
}
