package dev.resilientkafka;

import dev.resilientkafka.internal.rack.RackDiscoveryChain;
import dev.resilientkafka.internal.rack.RackDiscoveryEnvironment;
import java.util.Optional;

/**
 * Finds the rack (zone) this client runs in, for {@code client.rack} and follower fetching.
 *
 * <p>{@link #DEFAULT} tries, first hit wins, logging each step: the environment variable {@code
 * KAFKA_CLIENT_RACK}; the file {@code /etc/resilient-kafka/rack} (the rack alone, or a Downward API labels
 * file); the Kubernetes API (the label {@code topology.kubernetes.io/zone} of the node named by {@code
 * NODE_NAME}, with the pod's service-account token and CA); AWS, GCP and Azure instance metadata (500 ms
 * timeouts); else none. The whole chain stops after 3 s ({@code resilient.rack.timeout.ms}) and logs one
 * INFO line naming the source that gave the rack, or every step's reason when none did; cloud probes that
 * find no cloud stay at DEBUG. An explicit {@code client.rack} setting is used before any of them. The
 * {@code resilient.rack.*} keys of a client's configuration ({@link ResilientRackConfig}) change these
 * locations.
 *
 * <p>Implementations must be thread-safe; {@link #discover()} may block for network calls and is called
 * once while a client is built.
 */
@FunctionalInterface
public interface RackDiscovery {
  /** The standard chain described above, over the real process environment, with the default locations. */
  RackDiscovery DEFAULT = () -> RackDiscoveryChain.standard(RackDiscoveryEnvironment.system()).discover();

  /** Never finds a rack: the client fetches from partition leaders. */
  RackDiscovery NONE = Optional::empty;

  /**
   * The rack, or empty when none could be found. Failures are reported through the return value and
   * logs, never thrown.
   */
  Optional<String> discover();

  /**
   * The standard chain described above, located by the {@code resilient.rack.*} keys of {@code config}
   * ({@link ResilientRackConfig}; other keys are ignored), over the real process environment. The keys are
   * checked now; the chain runs on each {@link #discover()}.
   *
   * @throws org.apache.kafka.common.config.ConfigException naming the key and the accepted values
   */
  static RackDiscovery standard(java.util.Map<String, ?> config) {
    RackDiscoveryChain chain = RackDiscoveryChain.standard(RackDiscoveryEnvironment.fromConfig(config, System.getenv()));
    return chain::discover;
  }

  /** Always {@code rack}, e.g. from your own configuration system. */
  static RackDiscovery fixed(String rack) {
    if (rack == null || rack.isBlank()) {
      throw new IllegalArgumentException("rack must not be blank");
    }
    Optional<String> value = Optional.of(rack.trim());
    return () -> value;
  }
}
