package dev.resilientkafka.internal.bootstrap;

import dev.resilientkafka.BootstrapListener;
import dev.resilientkafka.internal.cluster.SharedAdmins;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.common.Node;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A common set-up mistake: brokers advertising pod IPs (or names outside the Service) make every
 * client that learned them break when pods move, whatever the bootstrap. Asks the cluster once which
 * hosts its brokers advertise and warns with the fix.
 */
public final class AdvertisedHostCheck {
  private static final Logger LOG = LoggerFactory.getLogger(AdvertisedHostCheck.class);
  private static final Pattern IP_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}|.*:.*");

  private AdvertisedHostCheck() {}

  /** One broker's advertised host that breaks when pods move, and why. */
  public record Problem(String host, String detail) {}

  /** The problems with {@code nodes}' advertised hosts; empty when all are pod FQDNs under a service. */
  public static List<Problem> problems(Collection<Node> nodes, Collection<String> serviceFqdns) {
    List<Problem> problems = new ArrayList<>();
    for (Node node : nodes) {
      String host = node.host().toLowerCase(java.util.Locale.ROOT);
      if (IP_LITERAL.matcher(host).matches()) {
        problems.add(new Problem(node.host(), "broker " + node.id() + " advertises the IP literal " + node.host()
            + ": clients that learned it cannot follow the pod when it moves. Set advertised.listeners to the pod FQDN,"
            + " e.g. PLAINTEXT://$(POD_NAME)." + serviceFqdns.stream().findFirst().orElse("<service>.<namespace>.svc.cluster.local") + ":9092"));
      } else if (serviceFqdns.stream().noneMatch(s -> host.endsWith("." + s))) {
        problems.add(new Problem(node.host(), "broker " + node.id() + " advertises " + node.host() + ", a name outside the bootstrap Service(s) "
            + serviceFqdns + ": if it does not follow the pod, clients break when the pod moves. Advertise <pod>.<service FQDN>"));
      }
    }
    return problems;
  }

  /**
   * Asks the cluster (describeCluster through the cluster's shared Admin client, within 10 s) and reports
   * each problem; failures log at DEBUG.
   */
  static void run(Map<String, Object> clientConfig, Collection<String> serviceFqdns, BootstrapListener listener) {
    try (SharedAdmins.Lease lease = SharedAdmins.acquire(clientConfig)) {
      Collection<Node> nodes = lease.admin().describeCluster().nodes().get(10, TimeUnit.SECONDS);
      for (Problem problem : problems(nodes, serviceFqdns)) {
        LOG.warn("Advertised listeners: {}", problem.detail());
        listener.onAdvertisedHostMismatch(problem.host(), problem.detail());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.debug("could not check the brokers' advertised hosts", e);
    }
  }
}
