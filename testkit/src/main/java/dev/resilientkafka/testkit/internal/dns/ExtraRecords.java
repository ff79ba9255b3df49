package dev.resilientkafka.testkit.internal.dns;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Records served beside the pods' own, for what a real cluster's DNS also answers: names outside the
 * Kubernetes schema (what CoreDNS would get from its upstream) and SRV records whose targets are not
 * the Service's pods (a hand-made zone, a stub domain, multi-cluster DNS). Immutable; names are kept
 * lower-case without the trailing dot.
 *
 * @param hosts addresses of each external name
 * @param srv the added SRV records of each SRV name, in the order added
 */
public record ExtraRecords(Map<String, List<InetAddress>> hosts, Map<String, List<Srv>> srv) {
  static final ExtraRecords NONE = new ExtraRecords(Map.of(), Map.of());

  /** One SRV record's data. */
  public record Srv(String target, int port) {}

  public ExtraRecords {
    hosts = Collections.unmodifiableMap(new TreeMap<>(hosts));
    srv = Collections.unmodifiableMap(new TreeMap<>(srv));
  }

  boolean isEmpty() {
    return hosts.isEmpty() && srv.isEmpty();
  }

  /** Whether {@code name} has any added record. */
  boolean has(String name) {
    String key = key(name);
    return hosts.containsKey(key) || srv.containsKey(key);
  }

  List<InetAddress> hostAddresses(String name) {
    return hosts.getOrDefault(key(name), List.of());
  }

  List<Srv> srvRecords(String name) {
    return srv.getOrDefault(key(name), List.of());
  }

  ExtraRecords withHost(String fqdn, List<InetAddress> addresses) {
    Map<String, List<InetAddress>> next = new TreeMap<>(hosts);
    next.put(key(fqdn), List.copyOf(addresses));
    return new ExtraRecords(next, srv);
  }

  ExtraRecords withSrv(String srvName, String target, int port) {
    Srv record = new Srv(key(target), port);
    List<Srv> existing = srvRecords(srvName);
    if (existing.contains(record)) {
      return this;
    }
    Map<String, List<Srv>> next = new TreeMap<>(srv);
    List<Srv> list = new ArrayList<>(existing);
    list.add(record);
    next.put(key(srvName), List.copyOf(list));
    return new ExtraRecords(hosts, next);
  }

  static String key(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
  }
}
