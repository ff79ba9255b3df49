package dev.resilientkafka.internal.bootstrap;

import dev.resilientkafka.BootstrapListener;
import dev.resilientkafka.internal.bootstrap.Resolution.Ignored;
import dev.resilientkafka.internal.bootstrap.Resolution.Why;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports the SRV records a resolution left out: to the listener once per instance (one per client or
 * resolver) for each distinct set, in the log at WARN once per JVM for each service and set, then at
 * DEBUG, so that a fleet of clients or a re-resolution every TTL does not repeat it. Thread-safe.
 */
public final class ServiceReports {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceReports.class);
  /** Bounded: a JVM has few services; past this every report logs at DEBUG. */
  private static final int MAX_WARNED = 1_000;
  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

  private final Set<String> reported = ConcurrentHashMap.newKeySet();

  public void report(Resolution resolution, BootstrapListener listener) {
    if (resolution.ignored().isEmpty()) {
      return;
    }
    Map<Why, TreeSet<InetSocketAddress>> byWhy = new TreeMap<>();
    for (Ignored ignored : resolution.ignored()) {
      byWhy.computeIfAbsent(ignored.why(), w -> new TreeSet<>(
          Comparator.comparing(InetSocketAddress::getHostString).thenComparingInt(InetSocketAddress::getPort)))
          .add(ignored.record());
    }
    String service = resolution.target().input();
    byWhy.forEach((why, records) -> {
      // by port for other ports: pods coming and going must not make the same finding new
      String key = service + "|" + why + "|" + (why == Why.OTHER_PORT
          ? records.stream().map(InetSocketAddress::getPort).collect(java.util.stream.Collectors.toCollection(TreeSet::new))
          : records);
      if (!reported.add(key)) {
        return;
      }
      List<InetSocketAddress> list = List.copyOf(records);
      String detail = detail(resolution, why, list);
      if (WARNED.size() < MAX_WARNED && WARNED.add(key)) {
        LOG.warn("{} (reported once; repeats log at DEBUG)", detail);
      } else {
        LOG.debug(detail);
      }
      listener.onSrvRecordsIgnored(service, why.tag(), list, detail);
    });
  }

  private static String detail(Resolution resolution, Why why, List<InetSocketAddress> records) {
    String name = resolution.name();
    if (why == Why.OTHER_PORT) {
      TreeSet<Integer> ports = new TreeSet<>();
      records.forEach(r -> ports.add(r.getPort()));
      TreeSet<Integer> used = new TreeSet<>();
      resolution.servers().forEach(s -> used.add(s.getPort()));
      return "The SRV answer for " + name + " also lists port(s) " + ports + " of the pods (the Service's other named"
          + " ports: controller, JMX, metrics); left out: the bootstrap uses " + (used.isEmpty() ? "no SRV record" : "port(s) " + used)
          + ". If the Kafka port is another one, put it in the service name (" + resolution.target().serviceFqdn() + ":<port>)"
          + " or set " + BootstrapConfig.PORT_NAME + " to the Service's name for it";
    }
    List<String> targets = new ArrayList<>();
    records.forEach(r -> targets.add(HostPort.format(r)));
    return "The SRV answer for " + name + " has target(s) " + targets + " outside the Service: they are not its pods and"
        + " need not follow them, so they are left out. Fix: point the records at <pod>." + name + ", or set "
        + BootstrapConfig.ALLOW_FOREIGN_TARGETS + "=true if these targets are meant to be bootstrap servers";
  }
}
