package dev.resilientkafka.testkit;

import dev.resilientkafka.testkit.internal.dns.DnsLabels;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A ready pod behind a headless Service, as {@link KubeDnsServer} publishes it: {@code
 * <hostname>.<service>.<namespace>.svc.<domain>} resolves to the pod's addresses (A for IPv4, AAAA for
 * IPv6), and each named port gets an SRV record {@code _<port-name>._tcp.<service>.<namespace>.svc.<domain>}.
 *
 * <p>Names are lower-case RFC 1123 labels, as Kubernetes requires of object and port names. A pod has one
 * address (IPv4 or IPv6, as in a single-stack cluster) or one of each family (a dual-stack cluster), the
 * first being its primary address ({@link #address()}). {@code ports} maps a port name (e.g. {@code
 * "tcp-kafka"}) to its TCP port number. Everything is copied, so the record is immutable and thread-safe.
 *
 * @param namespace the pod's namespace, e.g. {@code "kafka"}
 * @param service the headless Service selecting the pod, e.g. {@code "kafka-brokers"}
 * @param hostname the pod's {@code hostname} (its name, for a StatefulSet pod), e.g. {@code "kafka-0"}
 * @param addresses the pod's addresses: one, or one IPv4 and one IPv6
 * @param ports the pod's named TCP ports, possibly empty
 * @throws IllegalArgumentException if a name is not a DNS label, there is no address, two addresses of
 *     one family or an address with a scope, or a port number is outside 1..65535
 * @throws NullPointerException if any argument is null
 */
public record PodRecord(
    String namespace, String service, String hostname, List<InetAddress> addresses, Map<String, Integer> ports) {

  public PodRecord {
    DnsLabels.requireLabel(namespace, "namespace");
    DnsLabels.requireLabel(service, "service");
    DnsLabels.requireLabel(hostname, "hostname");
    Objects.requireNonNull(addresses, "addresses");
    addresses = List.copyOf(addresses);
    if (addresses.isEmpty() || addresses.size() > 2) {
      throw new IllegalArgumentException(
          "Invalid value " + addresses + " for addresses: must be one address, or one IPv4 and one IPv6 address");
    }
    List<Class<?>> families = new ArrayList<>();
    for (InetAddress address : addresses) {
      Class<?> family = address instanceof Inet4Address ? Inet4Address.class : Inet6Address.class;
      if (families.contains(family)) {
        throw new IllegalArgumentException("Invalid value " + addresses
            + " for addresses: at most one IPv4 and one IPv6 address, as a dual-stack pod has");
      }
      if (address instanceof Inet6Address v6 && v6.getScopeId() != 0) {
        throw new IllegalArgumentException(
            "Invalid value " + address.getHostAddress() + " for address: an IPv6 address with a scope is not a pod address");
      }
      families.add(family);
    }
    Objects.requireNonNull(ports, "ports");
    TreeMap<String, Integer> copy = new TreeMap<>();
    ports.forEach(
        (name, number) -> {
          DnsLabels.requireLabel(name, "port name");
          Objects.requireNonNull(number, () -> "number of port " + name);
          if (number < 1 || number > 65_535) {
            throw new IllegalArgumentException(
                "Invalid value " + number + " for port " + name + ": must be between 1 and 65535");
          }
          copy.put(name, number);
        });
    ports = Collections.unmodifiableMap(copy);
  }

  /** A single-stack pod: one address, IPv4 or IPv6. */
  public PodRecord(
      String namespace, String service, String hostname, InetAddress address, Map<String, Integer> ports) {
    this(namespace, service, hostname, List.of(Objects.requireNonNull(address, "address")), ports);
  }

  /** A pod with no named ports: it gets address and PTR records but no SRV records. */
  public PodRecord(String namespace, String service, String hostname, InetAddress address) {
    this(namespace, service, hostname, address, Map.of());
  }

  /** The primary address: the first of {@link #addresses()}. */
  public InetAddress address() {
    return addresses.get(0);
  }

  /** This pod moved to {@code newAddress} (a re-IP) and has only that address; everything else unchanged. */
  public PodRecord withAddress(InetAddress newAddress) {
    return new PodRecord(namespace, service, hostname, newAddress, ports);
  }
}
