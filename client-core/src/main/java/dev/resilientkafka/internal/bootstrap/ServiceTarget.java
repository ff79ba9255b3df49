package dev.resilientkafka.internal.bootstrap;

import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One service as the user gave it, parsed and expanded to absolute names.
 *
 * @param input the text as given, for messages
 * @param serviceFqdn the Service's FQDN without the trailing dot, e.g. {@code kafka-svc.default.svc.cluster.local}
 * @param srvName the explicit SRV name, when the input was one; else null
 * @param port the port given with the name; null when it comes from SRV or the default
 */
public record ServiceTarget(
    String input, String serviceFqdn, @Nullable String srvName, @Nullable Integer port) {
  private static final Pattern LABEL = Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?");
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  /**
   * Parses {@code input}: {@code name[:port]} where name is a Service FQDN, {@code service},
   * {@code service.namespace} or {@code service.namespace.svc} (completed with the cluster domain), or
   * an SRV name {@code _port._tcp.<service>}.
   *
   * @throws IllegalArgumentException naming what is wrong and what is accepted
   */
  public static ServiceTarget parse(String input, String namespace, String clusterDomain) {
    String text = input.strip();
    if (text.isEmpty()) {
      throw invalid(input, "it is empty");
    }
    String host = text;
    Integer port = null;
    int colon = text.lastIndexOf(':');
    if (colon >= 0) {
      if (text.indexOf(':') != colon || text.startsWith("[")) {
        throw invalid(input, "IPv6 literals are not services; list them in resilient.bootstrap.fallback.servers");
      }
      host = text.substring(0, colon);
      port = parsePort(input, text.substring(colon + 1));
    }
    host = host.toLowerCase(Locale.ROOT);
    if (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    if (IPV4.matcher(host).matches()) {
      throw invalid(input, "an IP literal is not a Service and breaks when pods move; "
          + "give the headless Service name, or list addresses in resilient.bootstrap.fallback.servers");
    }
    if (host.isEmpty() || host.length() > 253) {
      throw invalid(input, "the name must be 1 to 253 characters");
    }
    String[] labels = host.split("\\.", -1);
    for (String label : labels) {
      if (!LABEL.matcher(label).matches()) {
        throw invalid(input, "'" + label + "' is not a DNS label (letters, digits and '-', 1 to 63 characters)");
      }
    }
    if (labels[0].startsWith("_")) {
      if (labels.length < 3 || !(labels[1].equals("_tcp"))) {
        throw invalid(input, "an SRV name must look like _<port-name>._tcp.<service>");
      }
      if (port != null) {
        throw invalid(input, "an SRV name carries its port; remove ':" + port + "'");
      }
      String service = complete(host.substring(labels[0].length() + labels[1].length() + 2), namespace, clusterDomain);
      return new ServiceTarget(input, service, labels[0] + "." + labels[1] + "." + service, null);
    }
    for (String label : labels) {
      if (label.contains("_")) {
        throw invalid(input, "'_' is only allowed in the first two labels of an SRV name");
      }
    }
    return new ServiceTarget(input, complete(host, namespace, clusterDomain), null, port);
  }

  /** What Kubernetes' search list would make of a relative name. */
  private static String complete(String host, String namespace, String clusterDomain) {
    String[] labels = host.split("\\.");
    if (labels.length == 1) {
      return host + "." + namespace + ".svc." + clusterDomain;
    }
    if (labels.length == 2) {
      return host + ".svc." + clusterDomain;
    }
    if (labels.length == 3 && labels[2].equals("svc")) {
      return host + "." + clusterDomain;
    }
    return host;
  }

  private static int parsePort(String input, String text) {
    if (!text.matches("\\d{1,5}")) {
      throw invalid(input, "port '" + text + "' is not a number between 1 and 65535");
    }
    int port = Integer.parseInt(text);
    if (port < 1 || port > 65_535) {
      throw invalid(input, "port " + port + " is not between 1 and 65535");
    }
    return port;
  }

  private static IllegalArgumentException invalid(String input, String why) {
    return new IllegalArgumentException(
        "Invalid service '" + input + "': " + why + ". Accepted: <service>.<namespace>.svc.<domain>[:port], "
            + "<service>[:port], <service>.<namespace>[:port] or _<port-name>._tcp.<service FQDN>");
  }

  @Override
  public String toString() {
    return input;
  }
}
