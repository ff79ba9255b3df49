package dev.resilientkafka.testkit.internal.dns;

import dev.resilientkafka.testkit.PodRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/** The names of the Kubernetes DNS schema, as strings for hosts files and as dnsjava names. */
public final class ZoneNames {
  /** The reverse zone for IPv4 PTR records. */
  static final Name IN_ADDR_ARPA = Name.fromConstantString("in-addr.arpa.");

  /** The reverse zone for IPv6 PTR records. */
  static final Name IP6_ARPA = Name.fromConstantString("ip6.arpa.");

  private ZoneNames() {}

  /** {@code <hostname>.<service>.<namespace>.svc.<domain>}, without the trailing dot. */
  public static String podFqdn(PodRecord pod, String clusterDomain) {
    return pod.hostname() + "." + serviceFqdn(pod.namespace(), pod.service(), clusterDomain);
  }

  /** {@code <service>.<namespace>.svc.<domain>}, without the trailing dot. */
  public static String serviceFqdn(String namespace, String service, String clusterDomain) {
    return service + "." + namespace + ".svc." + clusterDomain;
  }

  /**
   * The absolute dnsjava name of {@code fqdn}, with or without its trailing dot.
   *
   * @throws IllegalArgumentException naming {@code argument} when it is not a valid DNS name
   */
  public static Name absolute(String fqdn, String argument) {
    try {
      return Name.fromString(fqdn.endsWith(".") ? fqdn : fqdn + ".");
    } catch (TextParseException e) {
      throw new IllegalArgumentException(
          "Invalid value '" + fqdn + "' for " + argument + ": " + e.getMessage(), e);
    }
  }
}
