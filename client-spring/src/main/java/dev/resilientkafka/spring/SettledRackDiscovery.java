package dev.resilientkafka.spring;

import dev.resilientkafka.RackDiscovery;
import dev.resilientkafka.internal.rack.RackDiscoveryChain;
import dev.resilientkafka.internal.rack.RackDiscoveryEnvironment;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The application's rack, settled once: {@code resilient.kafka.rack} when set, else the standard
 * discovery chain (located by the {@code resilient.rack.*} pass-through keys) run on first use, else
 * none. Every consumer then gets the same answer without repeating network look-ups. Thread-safe.
 */
final class SettledRackDiscovery implements RackDiscovery {
  private final RackDiscovery source;
  private volatile @org.jspecify.annotations.Nullable Optional<String> settled;

  private SettledRackDiscovery(RackDiscovery source) {
    this.source = source;
  }

  static RackDiscovery from(ResilientKafkaProperties properties) {
    String rack = properties.rack();
    if (rack != null) {
      return RackDiscovery.fixed(rack);
    }
    if (!properties.rackDiscovery()) {
      return RackDiscovery.NONE;
    }
    Map<String, Object> keys = new HashMap<>(properties.properties());
    RackDiscoveryEnvironment environment = RackDiscoveryEnvironment.fromConfig(keys, System.getenv());
    return new SettledRackDiscovery(RackDiscoveryChain.standard(environment));
  }

  @Override
  public Optional<String> discover() {
    Optional<String> result = settled;
    if (result == null) {
      synchronized (this) {
        result = settled;
        if (result == null) {
          result = source.discover();
          settled = result;
        }
      }
    }
    return result;
  }

  @Override
  public String toString() {
    Optional<String> result = settled;
    return "SettledRackDiscovery[" + (result == null ? "not yet run" : result.orElse("none")) + "]";
  }
}
