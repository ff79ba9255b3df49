package dev.resilientkafka.spring;

import dev.resilientkafka.RackDiscovery;
import dev.resilientkafka.ResilientRackConfig;
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
    return new SettledRackDiscovery(RackDiscovery.standard(
        ClientKeys.keys(properties, ClientKeys.RACK, key -> key.startsWith(ResilientRackConfig.PREFIX))));
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
