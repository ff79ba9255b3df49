package dev.resilientkafka;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * Events of a bootstrap resolver: resolutions, changes of the set of broker pods, failures, SRV records
 * left out, and the DNS set-up mistakes it detects. Every method has a no-op default, so implement only what you need;
 * {@link #NONE} ignores everything. Metrics are one listener ({@code
 * dev.resilientkafka.metrics.MicrometerBootstrapMetrics}).
 *
 * <p>Addresses are unresolved {@code InetSocketAddress}es holding a pod FQDN and port, never an IP.
 * Methods are called from the resolver's background thread (or the thread that configures a client at
 * start-up), one at a time per client; they must be fast and thread-safe. Exceptions they throw are
 * caught and logged, and do not affect the resolver.
 */
public interface BootstrapListener {
  /** A listener that ignores every event. */
  BootstrapListener NONE = new BootstrapListener() {};

  /**
   * {@code service} resolved to {@code servers}; the answer may be reused for {@code ttl}.
   *
   * @param service the service as the user gave it
   */
  default void onResolved(String service, List<InetSocketAddress> servers, Duration ttl) {}

  /**
   * The pods behind {@code service} changed since the previous good answer (a scale-out, a pod that
   * became Pending or not Ready, a replacement coming back).
   */
  default void onBrokerSetChanged(
      String service,
      List<InetSocketAddress> added,
      List<InetSocketAddress> removed,
      List<InetSocketAddress> current) {}

  /**
   * A resolution failed. When {@code keptLastGood} is true the previous good answer stays in use; at
   * start-up it is false and the client is not configured until a resolution succeeds or the start-up
   * timeout ends.
   */
  default void onResolutionFailed(String service, BootstrapException error, boolean keptLastGood) {}

  /**
   * The JVM's own DNS cache may pin a broker to an address DNS no longer serves: either its TTL is
   * longer than the records' TTL, or it returned such an address for {@code host}.
   *
   * @param host the broker FQDN concerned, or {@code "*"} for the configured TTL
   * @param detail what was seen and the fix
   */
  default void onStaleJvmDnsCache(String host, String detail) {}

  /**
   * SRV records of {@code service} that the bootstrap leaves out, reported once per client for each
   * distinct set: {@code reason} {@code other_port} for the pods' other named ports (controller, JMX,
   * metrics: CoreDNS lists one record per pod and named port), {@code foreign_target} for targets outside
   * the Service's domain, which are not its pods (allowed by {@code
   * resilient.bootstrap.allow.foreign.targets=true}).
   *
   * @param service the service as the user gave it
   * @param reason {@code other_port} or {@code foreign_target}
   * @param ignored the records left out, each an unresolved target FQDN and port
   * @param detail what was seen and the fix
   */
  default void onSrvRecordsIgnored(String service, String reason, List<InetSocketAddress> ignored, String detail) {}

  /**
   * A broker advertises {@code advertisedHost}, an IP literal or a name outside the Service: clients
   * that reach it through this name break when the pod moves.
   */
  default void onAdvertisedHostMismatch(String advertisedHost, String detail) {}
}
