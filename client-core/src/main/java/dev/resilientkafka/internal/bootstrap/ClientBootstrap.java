package dev.resilientkafka.internal.bootstrap;

import java.util.Map;

/**
 * The bootstrap of one Kafka client built by resilient-kafka (producer, consumer, admin).
 *
 * <p>STUB written by the lead so that client code can compile against it; the resolver work replaces the
 * body (keep the signatures). Contract: {@link #configure} reads and REMOVES every {@code
 * resilient.bootstrap.*} key from {@code config}. If a headless service is configured, it resolves it
 * (waiting up to the configured start-up timeout), puts {@code bootstrap.servers} = the per-pod FQDN list
 * and the client DNS/reconnect/rebootstrap settings into {@code config} (explicit user values win where
 * safe; unsafe ones fail with a {@code ConfigException} naming the key), and keeps re-resolving in the
 * background until {@link #close()}. Without a service key it leaves {@code bootstrap.servers} as given
 * and returns a handle whose {@code close()} does nothing.
 */
public final class ClientBootstrap implements AutoCloseable {
  private ClientBootstrap() {}

  /** See the class comment. {@code config} must be mutable. */
  public static ClientBootstrap configure(Map<String, Object> config) {
    config.keySet().removeIf(key -> key.startsWith("resilient.bootstrap."));
    return new ClientBootstrap();
  }

  @Override
  public void close() {}
}
