package dev.resilientkafka.examples.doctor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Every broker advertises its own stable DNS name (the per-pod FQDN through the headless Service,
 * {@code kafka-0.kafka-svc.default.svc.cluster.local}), not an IP literal and not a name shared with
 * other brokers. A pod IP changes when the pod is rescheduled or restarted elsewhere; a shared name (the
 * Service, a load balancer) cannot reach one given broker. Both the host seen in the metadata and every
 * listener of {@code advertised.listeners} are judged.
 */
public final class AdvertisedListenersCheck implements Check {
  static final String ID = "advertised-listeners";
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String rule() {
    return "every broker advertises its own per-pod FQDN, not an IP";
  }

  @Override
  public List<Finding> evaluate(ClusterSnapshot cluster) {
    Map<Integer, Set<String>> hosts = new HashMap<>();
    for (BrokerView broker : cluster.brokers()) {
      Set<String> own = new TreeSet<>();
      if (!broker.host().isEmpty()) {
        own.add(broker.host());
      }
      broker.configValue("advertised.listeners").ifPresent(value -> own.addAll(listenerHosts(value)));
      hosts.put(broker.id(), own);
    }
    return evaluateHosts(hosts);
  }

  /**
   * The rule on the advertised hosts of each broker, by broker id.
   *
   * @return one FAIL per broker advertising an IP literal or a host shared with another broker, one WARN
   *     per broker advertising a name without a domain, or one PASS
   */
  public static List<Finding> evaluateHosts(Map<Integer, Set<String>> hostsByBroker) {
    Map<String, Set<Integer>> owners = new HashMap<>();
    hostsByBroker.forEach((id, hosts) -> hosts.forEach(h -> owners.computeIfAbsent(h.toLowerCase(java.util.Locale.ROOT), k -> new TreeSet<>()).add(id)));
    String fix = "advertised.listeners=PLAINTEXT://$(POD_NAME).<headless-service>.$(POD_NAMESPACE).svc.cluster.local:9092 "
        + "(the StatefulSet's stable per-pod name; POD_NAME from the downward API)";
    List<Finding> findings = new ArrayList<>();
    for (Map.Entry<Integer, Set<String>> e : new java.util.TreeMap<>(hostsByBroker).entrySet()) {
      String subject = "broker " + e.getKey();
      for (String host : e.getValue()) {
        Set<Integer> sharing = owners.get(host.toLowerCase(java.util.Locale.ROOT));
        if (isIpLiteral(host)) {
          findings.add(Finding.fail(ID, subject, "advertises the IP " + host
              + ": clients keep connecting to it after the pod moves to a new IP", fix));
        } else if (sharing.size() > 1) {
          findings.add(Finding.fail(ID, subject, "advertises " + host + ", shared with brokers " + sharing
              + ": clients cannot reach one given broker through it", fix));
        } else if (!host.contains(".")) {
          findings.add(Finding.warn(ID, subject, "advertises the short name " + host
              + ": it resolves only through the client's DNS search domains", fix));
        }
      }
    }
    if (findings.isEmpty()) {
      List<String> all = new ArrayList<>();
      new java.util.TreeMap<>(hostsByBroker).forEach((id, hosts) -> all.add(id + "=" + String.join("|", hosts)));
      findings.add(Finding.pass(ID, "all brokers", "per-broker DNS names: " + String.join(", ", all)));
    }
    return findings;
  }

  /** The hosts of {@code NAME://host:port,...}; an empty host means "the default interface" and is skipped. */
  static List<String> listenerHosts(String advertisedListeners) {
    List<String> hosts = new ArrayList<>();
    for (String listener : advertisedListeners.split(",")) {
      String trimmed = listener.trim();
      int scheme = trimmed.indexOf("://");
      if (scheme < 0) {
        continue;
      }
      String hostPort = trimmed.substring(scheme + 3);
      String host;
      if (hostPort.startsWith("[")) {
        int close = hostPort.indexOf(']');
        host = close < 0 ? hostPort : hostPort.substring(1, close);
      } else {
        int colon = hostPort.lastIndexOf(':');
        host = colon < 0 ? hostPort : hostPort.substring(0, colon);
      }
      if (!host.isEmpty()) {
        hosts.add(host);
      }
    }
    return hosts;
  }

  static boolean isIpLiteral(String host) {
    return IPV4.matcher(host).matches() || host.contains(":");
  }
}
