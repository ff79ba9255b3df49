package dev.resilientkafka;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * Turns what a user configures (a Kubernetes headless Service) into Kafka bootstrap addresses: one
 * unresolved {@code pod-fqdn:port} per broker pod, never an IP literal, so that a Kafka client keeps
 * finding pods that move.
 *
 * <p>{@link #system()} asks the DNS servers and search list of {@code /etc/resolv.conf}; build another
 * with {@link HeadlessServiceResolver#builder()}. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface BootstrapResolver {

  /**
   * Resolves one service once, without caching.
   *
   * @param service {@code kafka-svc.default.svc.cluster.local:9092}, the short form {@code kafka-svc}
   *     or {@code kafka-svc:9092} (namespace and cluster domain from the search list), {@code
   *     kafka-svc.namespace} (that Service, else the name itself), another DNS name, or an SRV name such
   *     as {@code _9092._tcp.kafka-svc.default.svc.cluster.local}
   * @return the broker pods, each an unresolved address {@code <pod>.<service FQDN>:<port>}, sorted,
   *     never empty
   * @throws BootstrapException if DNS has no usable answer; its message names the service, the DNS
   *     server and what was tried
   * @throws IllegalArgumentException if {@code service} is malformed (the message says which part)
   */
  List<InetSocketAddress> resolve(String service);

  /** The resolver using this machine's DNS configuration ({@code /etc/resolv.conf}). */
  static BootstrapResolver system() {
    return HeadlessServiceResolver.builder().build();
  }
}
