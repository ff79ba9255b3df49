package dev.resilientkafka.testkit;

import dev.resilientkafka.testkit.internal.dns.DnsLabels;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A ready pod behind a headless Service, as {@link KubeDnsServer} publishes it: {@code
 * <hostname>.<service>.<namespace>.svc.<domain>} resolves to {@code address}, and each named port gets
 * an SRV record {@code _<port-name>._tcp.<service>.<namespace>.svc.<domain>}.
 *
 * <p>Names are lower-case RFC 1123 labels, as Kubernetes requires of object and port names; the address
 * is IPv4. {@code ports} maps a port name (e.g. {@code "tcp-kafka"}) to its TCP port number and is
 * copied, so the record is immutable and thread-safe.
 *
 * @param namespace the pod's namespace, e.g. {@code "kafka"}
 * @param service the headless Service selecting the pod, e.g. {@code "kafka-brokers"}
 * @param hostname the pod's {@code hostname} (its name, for a StatefulSet pod), e.g. {@code "kafka-0"}
 * @param address the pod's IPv4 address
 * @param ports the pod's named TCP ports, possibly empty
 * @throws IllegalArgumentException if a name is not a DNS label, the address is not IPv4 or a port
 *     number is outside 1..65535
 * @throws NullPointerException if any argument is null
 */
public record PodRecord(
    String namespace, String service, String hostname, InetAddress address, Map<String, Integer> ports) {

  public PodRecord {
    DnsLabels.requireLabel(namespace, "namespace");
    DnsLabels.requireLabel(service, "service");
    DnsLabels.requireLabel(hostname, "hostname");
    Objects.requireNonNull(address, "address");
    if (!(address instanceof Inet4Address)) {
      throw new IllegalArgumentException(
          "Invalid value " + address.getHostAddress() + " for address: must be an IPv4 address");
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

  /** A pod with no named ports: it gets A and PTR records but no SRV records. */
  public PodRecord(String namespace, String service, String hostname, InetAddress address) {
    this(namespace, service, hostname, address, Map.of());
  }

  /** This pod moved to {@code newAddress} (a re-IP), everything else unchanged. */
  public PodRecord withAddress(InetAddress newAddress) {
    return new PodRecord(namespace, service, hostname, newAddress, ports);
  }
}
