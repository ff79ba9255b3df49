package dev.resilientkafka.internal.bootstrap;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One service as the user gave it, parsed and expanded to the absolute names it may stand for.
 *
 * <p>Relative names are completed as a pod's search list would: {@code service} to {@code
 * service.<namespace>.svc.<domain>}; {@code a.b} to the Service {@code a} in namespace {@code b} ({@code
 * a.b.svc.<domain>}) and, when that does not exist, to the name {@code a.b} itself (a short external
 * name); {@code a.b.svc} to {@code a.b.svc.<domain>}. Longer names, and any name written with a trailing
 * dot, are taken as they are.
 *
 * @param input the text as given, for messages
 * @param candidates the absolute names to try in order, lower-case and without the trailing dot; the
 *     first is the Service reading
 * @param srvPrefix {@code _<port-name>._tcp} when the input was an SRV name; else null
 * @param port the port given with the name; null when it comes from SRV or the default
 */
public record ServiceTarget(String input, List<String> candidates, @Nullable String srvPrefix, @Nullable Integer port) {
  private static final Pattern LABEL = Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?");
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  public ServiceTarget {
    candidates = List.copyOf(candidates);
  }

  /** The first reading: the Service's FQDN, e.g. {@code kafka-svc.default.svc.cluster.local}. */
  public String serviceFqdn() {
    return candidates.get(0);
  }

  /** The explicit SRV name of the first reading, or null. */
  public @Nullable String srvName() {
    return srvPrefix == null ? null : srvPrefix + "." + serviceFqdn();
  }

  /**
   * Parses {@code input}: {@code name[:port]} where name is a Service FQDN, {@code service}, {@code
   * service.namespace}, {@code service.namespace.svc} or any other DNS name, or an SRV name {@code
   * _port-name._tcp.<service>}.
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
    if (text.startsWith("[") || text.indexOf(':') != text.lastIndexOf(':')) {
      throw invalid(input, "an IPv6 address is not a Service and breaks when pods move; give the headless Service"
          + " name, or list [address]:port in resilient.bootstrap.fallback.servers");
    }
    int colon = text.indexOf(':');
    if (colon >= 0) {
      host = text.substring(0, colon);
      port = parsePort(input, text.substring(colon + 1));
    }
    host = host.toLowerCase(Locale.ROOT);
    boolean absolute = host.endsWith(".");
    if (absolute) {
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
      String service = host.substring(labels[0].length() + labels[1].length() + 2);
      requireNoUnderscore(input, service);
      return new ServiceTarget(input, complete(service, absolute, namespace, clusterDomain),
          labels[0] + "." + labels[1], null);
    }
    requireNoUnderscore(input, host);
    return new ServiceTarget(input, complete(host, absolute, namespace, clusterDomain), null, port);
  }

  private static void requireNoUnderscore(String input, String name) {
    if (name.contains("_")) {
      throw invalid(input, "'_' is only allowed in the first two labels of an SRV name");
    }
  }

  /** What a pod's search list would make of a relative name, most likely reading first. */
  private static List<String> complete(String host, boolean absolute, String namespace, String clusterDomain) {
    if (absolute) {
      return List.of(host);
    }
    String[] labels = host.split("\\.");
    if (labels.length == 1) {
      return List.of(host + "." + namespace + ".svc." + clusterDomain);
    }
    if (labels.length == 2) {
      return List.of(host + ".svc." + clusterDomain, host);
    }
    if (labels.length == 3 && labels[2].equals("svc")) {
      return List.of(host + "." + clusterDomain);
    }
    return List.of(host);
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
            + "<service>[:port], <service>.<namespace>[:port], another DNS name (a trailing dot takes it as it is)"
            + " or _<port-name>._tcp.<service>");
  }

  @Override
  public String toString() {
    return input;
  }
}
