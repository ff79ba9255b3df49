package dev.resilientkafka.testkit;

import dev.resilientkafka.testkit.internal.NodeConfigs;
import dev.resilientkafka.testkit.internal.NodeProcess;
import java.net.InetAddress;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * One broker pod of a {@link LocalKafkaCluster}: a stable identity ({@code kafka-<id>}, its FQDN, its
 * rack) and what changes when the pod moves (its address, its process).
 *
 * <p>Thread-safe to read; change it through the cluster's operations.
 */
public final class LocalBroker {
  private final int id;
  private final String podName;
  private final String fqdn;
  private final int port;
  private final String rack;
  private final Path directory;
  private volatile @Nullable InetAddress address;
  private volatile BrokerState state = BrokerState.PENDING;
  private volatile @Nullable NodeProcess process;

  LocalBroker(int id, String podName, String fqdn, int port, String rack, Path directory) {
    this.id = id;
    this.podName = podName;
    this.fqdn = fqdn;
    this.port = port;
    this.rack = rack;
    this.directory = directory;
  }

  /** The Kafka node id, equal to the pod's ordinal. */
  public int id() {
    return id;
  }

  /** The pod name, {@code kafka-<id>}. */
  public String podName() {
    return podName;
  }

  /** The pod's FQDN, {@code kafka-<id>.<service>.<namespace>.svc.<domain>}: what the broker advertises. */
  public String fqdn() {
    return fqdn;
  }

  /** {@code fqdn:port}, a bootstrap entry that survives the pod moving. */
  public String hostPort() {
    return fqdn + ":" + port;
  }

  /** {@code ip:port} ({@code [ip]:port} for IPv6) of the current address: a pinned entry that breaks when the pod moves. */
  public String ipPort() {
    InetAddress current = address;
    if (current == null) {
      throw new IllegalStateException(podName + " has no address (state " + state + ")");
    }
    return NodeConfigs.hostPort(current.getHostAddress(), port);
  }

  /** The port the broker listens on: the cluster's broker port, or its own port on {@code ::1} in IPv6 mode. */
  public int port() {
    return port;
  }

  /** {@code broker.rack}, the zone of the pod's node. */
  public String rack() {
    return rack;
  }

  /** The pod's current loopback address, or null while it has none (pending). */
  public @Nullable InetAddress address() {
    return address;
  }

  public BrokerState state() {
    return state;
  }

  /** PID of the current broker JVM, or -1. */
  public long pid() {
    NodeProcess current = process;
    return current == null ? -1 : current.pid();
  }

  /** The broker's log (all incarnations), kept after the cluster closes. */
  public Path logFile() {
    return directory.resolve(podName + ".log");
  }

  Path directory() {
    return directory;
  }

  Path dataDirectory() {
    return directory.resolve("data");
  }

  void address(@Nullable InetAddress value) {
    address = value;
  }

  void state(BrokerState value) {
    state = value;
  }

  @Nullable NodeProcess process() {
    return process;
  }

  void process(NodeProcess value) {
    process = value;
  }

  @Override
  public String toString() {
    return podName + "{id=" + id + ", rack=" + rack + ", address=" + address + ", state=" + state + "}";
  }
}
