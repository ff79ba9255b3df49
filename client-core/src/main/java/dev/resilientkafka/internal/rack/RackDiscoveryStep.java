package dev.resilientkafka.internal.rack;

import java.util.Optional;

/** One source of the client's rack, tried in order by {@link RackDiscoveryChain}. Thread-safe. */
public interface RackDiscoveryStep {
  /** A short description for logs, e.g. {@code environment variable KAFKA_CLIENT_RACK}. */
  String name();

  /**
   * The rack, or empty when this source does not apply here (variable unset, file absent, no node name).
   *
   * @throws RackLookupException when the source applies but failed (HTTP 401, timeout, bad JSON, ...)
   */
  Optional<String> lookup() throws RackLookupException;

  /**
   * True for a cloud metadata probe: when it fails, this is most likely just not that cloud, so the chain
   * logs it at DEBUG instead of WARN. A step the user set up (file, Kubernetes API) answers false.
   */
  default boolean probe() {
    return false;
  }

  /** The address this step asks, if it asks one; a later probe of an address that did not answer is skipped. */
  default Optional<java.net.URI> endpoint() {
    return Optional.empty();
  }
}
