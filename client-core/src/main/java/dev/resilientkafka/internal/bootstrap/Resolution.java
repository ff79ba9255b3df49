package dev.resilientkafka.internal.bootstrap;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A good answer for one service: the pods (FQDN and port, sorted) with the addresses DNS gave for them
 * (possibly none, when an SRV answer came without additional records), the smallest TTL seen, and how
 * it was found ({@code SRV} or {@code A+PTR}).
 */
public record Resolution(
    ServiceTarget target,
    List<InetSocketAddress> servers,
    Map<String, List<InetAddress>> addresses,
    Duration ttl,
    String method) {
  public Resolution {
    servers = List.copyOf(servers);
    addresses = Map.copyOf(addresses);
  }
}
