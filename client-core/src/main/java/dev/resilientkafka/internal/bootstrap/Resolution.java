package dev.resilientkafka.internal.bootstrap;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A good answer for one service: the pods (FQDN and port, sorted) with the addresses DNS gave for them
 * (IPv4 and IPv6; possibly none, when an SRV answer came without additional records), the smallest TTL
 * seen, how it was found ({@code SRV} or {@code A/AAAA+PTR}), the name that answered (one of the target's
 * candidates) and the SRV records left out.
 */
public record Resolution(
    ServiceTarget target,
    String name,
    List<InetSocketAddress> servers,
    Map<String, List<InetAddress>> addresses,
    Duration ttl,
    String method,
    List<Ignored> ignored) {
  public Resolution {
    servers = List.copyOf(servers);
    addresses = Map.copyOf(addresses);
    ignored = List.copyOf(ignored);
  }

  /** Why an SRV record was left out of the bootstrap. */
  public enum Why {
    /** A port other than the Kafka port (a controller, JMX or metrics port of the same pods). */
    OTHER_PORT("other_port"),
    /** A target outside the Service's domain, not one of its pods. */
    FOREIGN_TARGET("foreign_target");

    private final String tag;

    Why(String tag) {
      this.tag = tag;
    }

    /** The stable lower-case name used in meters and listener events. */
    public String tag() {
      return tag;
    }
  }

  /** One SRV record left out: its target and port, and why. */
  public record Ignored(InetSocketAddress record, Why why) {}
}
