package dev.resilientkafka.testkit.internal.dns;

import dev.resilientkafka.testkit.PodRecord;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One immutable version of the cluster's names: the registered Services and their ready pods.
 *
 * <p>Every change makes a new instance (copy-on-write), so query threads read a consistent snapshot
 * without locks while another thread changes records. The indexes are built once per change, which is
 * cheap at testkit sizes (tens of pods) and keeps each query a couple of map look-ups.
 */
public final class ClusterRecords {
  /** Pods in a stable order, so that answers and the hosts file do not reshuffle between changes. */
  private static final Comparator<PodRecord> POD_ORDER =
      Comparator.comparing(PodRecord::namespace)
          .thenComparing(PodRecord::service)
          .thenComparing(PodRecord::hostname);

  private static final ClusterRecords EMPTY = new ClusterRecords(Set.of(), List.of(), ExtraRecords.NONE, 1);

  private final Set<ServiceKey> services;
  private final ExtraRecords extra;
  private final List<PodRecord> pods;
  private final Set<String> namespaces;
  private final Map<ServiceKey, List<PodRecord>> podsByService;
  private final Map<InetAddress, List<PodRecord>> podsByAddress;
  private final long serial;

  private ClusterRecords(Set<ServiceKey> services, List<PodRecord> pods, ExtraRecords extra, long serial) {
    this.services = Collections.unmodifiableSet(new TreeSet<>(services));
    this.extra = extra;
    List<PodRecord> sorted = new ArrayList<>(pods);
    sorted.sort(POD_ORDER);
    this.pods = List.copyOf(sorted);
    this.serial = serial;
    Set<String> spaces = new TreeSet<>();
    services.forEach(service -> spaces.add(service.namespace()));
    this.namespaces = Collections.unmodifiableSet(spaces);
    Map<ServiceKey, List<PodRecord>> byService = new HashMap<>();
    Map<InetAddress, List<PodRecord>> byAddress = new HashMap<>();
    for (PodRecord pod : this.pods) {
      byService.computeIfAbsent(ServiceKey.of(pod), key -> new ArrayList<>()).add(pod);
      for (InetAddress address : pod.addresses()) {
        byAddress.computeIfAbsent(address, key -> new ArrayList<>()).add(pod);
      }
    }
    byService.replaceAll((key, list) -> List.copyOf(list));
    byAddress.replaceAll((key, list) -> List.copyOf(list));
    this.podsByService = Map.copyOf(byService);
    this.podsByAddress = Map.copyOf(byAddress);
  }

  /** No services, no pods. */
  public static ClusterRecords empty() {
    return EMPTY;
  }

  /**
   * These records plus {@code pod} (and its Service), replacing the pod with the same name. Returns
   * this if the very same pod is already there, so that a repeated put is not a change.
   */
  public ClusterRecords withPod(PodRecord pod) {
    if (pods.contains(pod)) {
      return this;
    }
    List<PodRecord> next = new ArrayList<>(pods);
    next.removeIf(existing -> sameName(existing, pod.namespace(), pod.service(), pod.hostname()));
    next.add(pod);
    Set<ServiceKey> nextServices = new TreeSet<>(services);
    nextServices.add(ServiceKey.of(pod));
    return new ClusterRecords(nextServices, next, extra, serial + 1);
  }

  /** These records without the named pod; the Service stays registered. Returns this if absent. */
  public ClusterRecords withoutPod(String namespace, String service, String hostname) {
    List<PodRecord> next = new ArrayList<>(pods);
    if (!next.removeIf(existing -> sameName(existing, namespace, service, hostname))) {
      return this;
    }
    return new ClusterRecords(services, next, extra, serial + 1);
  }

  /** These records with the Service registered. Returns this if it already was. */
  public ClusterRecords withService(String namespace, String service) {
    ServiceKey key = new ServiceKey(namespace, service);
    if (services.contains(key)) {
      return this;
    }
    Set<ServiceKey> next = new TreeSet<>(services);
    next.add(key);
    return new ClusterRecords(next, pods, extra, serial + 1);
  }

  /** These records with {@code fqdn} resolving to {@code addresses} (replacing earlier ones of the name). */
  public ClusterRecords withExternalHost(String fqdn, List<InetAddress> addresses) {
    return new ClusterRecords(services, pods, extra.withHost(fqdn, addresses), serial + 1);
  }

  /** These records with one more SRV record for {@code srvName}. Returns this if it is already there. */
  public ClusterRecords withSrvRecord(String srvName, String target, int port) {
    ExtraRecords next = extra.withSrv(srvName, target, port);
    return next == extra ? this : new ClusterRecords(services, pods, next, serial + 1);
  }

  /** These records without any external host or added SRV record. Returns this if there were none. */
  public ClusterRecords withoutExtraRecords() {
    return extra.isEmpty() ? this : new ClusterRecords(services, pods, ExtraRecords.NONE, serial + 1);
  }

  /** Records added beside the pods' own: external hosts and extra SRV records. */
  public ExtraRecords extra() {
    return extra;
  }

  /** Every ready pod, ordered by namespace, service and hostname. */
  public List<PodRecord> pods() {
    return pods;
  }

  /** The ready pods of a Service, ordered by hostname; empty when it has none or does not exist. */
  public List<PodRecord> podsOf(String namespace, String service) {
    return podsByService.getOrDefault(new ServiceKey(namespace, service), List.of());
  }

  /** The named pod, if it is ready. */
  public Optional<PodRecord> pod(String namespace, String service, String hostname) {
    return podsOf(namespace, service).stream()
        .filter(pod -> pod.hostname().equals(hostname))
        .findFirst();
  }

  /** The pods that have {@code address}: more than one when a pod is behind several Services. */
  public List<PodRecord> podsAt(InetAddress address) {
    return podsByAddress.getOrDefault(address, List.of());
  }

  /** Whether a Service (registered or with pods) lives in the namespace. */
  public boolean hasNamespace(String namespace) {
    return namespaces.contains(namespace);
  }

  /** Changes with every change of the records: the zone's SOA serial. */
  public long serial() {
    return serial;
  }

  /**
   * Every name with addresses, without the trailing dot, for a hosts file: each pod's FQDN and each
   * Service's FQDN with all its ready pods. Services without ready pods have no entry, as they have no
   * A record.
   */
  public Map<String, List<InetAddress>> hostEntries(String clusterDomain) {
    Map<String, List<InetAddress>> entries = new TreeMap<>();
    for (PodRecord pod : pods) {
      entries.put(ZoneNames.podFqdn(pod, clusterDomain), pod.addresses());
    }
    Map<String, List<InetAddress>> serviceEntries = new LinkedHashMap<>();
    for (PodRecord pod : pods) {
      serviceEntries
          .computeIfAbsent(
              ZoneNames.serviceFqdn(pod.namespace(), pod.service(), clusterDomain),
              name -> new ArrayList<>())
          .addAll(pod.addresses());
    }
    // two pods may share an address (one re-IPed onto another's old one); a name lists it once
    serviceEntries.forEach(
        (name, addresses) -> entries.put(name, addresses.stream().distinct().toList()));
    extra.hosts().forEach(entries::putIfAbsent);
    return Collections.unmodifiableMap(entries);
  }

  private static boolean sameName(PodRecord pod, String namespace, String service, String hostname) {
    return pod.namespace().equals(namespace)
        && pod.service().equals(service)
        && pod.hostname().equals(hostname);
  }

  /** A Service's identity: namespace and name. */
  private record ServiceKey(String namespace, String service) implements Comparable<ServiceKey> {
    static ServiceKey of(PodRecord pod) {
      return new ServiceKey(pod.namespace(), pod.service());
    }

    @Override
    public int compareTo(ServiceKey other) {
      int byNamespace = namespace.compareTo(other.namespace);
      return byNamespace != 0 ? byNamespace : service.compareTo(other.service);
    }
  }
}
