package dev.resilientkafka.testkit.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** Writes the server.properties of KRaft controllers and brokers as a durable Kubernetes deployment configures them. */
public final class NodeConfigs {
  private NodeConfigs() {}

  /** A controller-only node: losing brokers never loses the quorum. */
  public static Map<String, String> controller(
      int nodeId, String listenAddress, int port, String quorumVoters, Path dataDir, int brokerCount) {
    // in KRaft the controller applies topic defaults and judges min ISR: it needs the cluster defaults too
    Map<String, String> config = new TreeMap<>(clusterDefaults(brokerCount));
    config.put("process.roles", "controller");
    config.put("node.id", Integer.toString(nodeId));
    config.put("controller.quorum.voters", quorumVoters);
    config.put("controller.listener.names", "CONTROLLER");
    config.put("listeners", "CONTROLLER://" + hostPort(listenAddress, port));
    config.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT");
    config.put("log.dirs", dataDir.toString());
    config.put("num.io.threads", "2");
    config.put("num.network.threads", "2");
    return config;
  }

  /**
   * A broker-only node listening on its own loopback address and advertising its pod FQDN, with the
   * durability settings of a production cluster: RF 3, min ISR 2, internal topics RF 3, rack-aware replica
   * selection.
   */
  public static Map<String, String> broker(
      int nodeId,
      String listenAddress,
      int port,
      String advertisedHost,
      String rack,
      String quorumVoters,
      Path dataDir,
      int brokerCount) {
    Map<String, String> config = new TreeMap<>(clusterDefaults(brokerCount));
    config.put("process.roles", "broker");
    config.put("node.id", Integer.toString(nodeId));
    config.put("controller.quorum.voters", quorumVoters);
    config.put("controller.listener.names", "CONTROLLER");
    config.put("listeners", "PLAINTEXT://" + hostPort(listenAddress, port));
    config.put("advertised.listeners", "PLAINTEXT://" + hostPort(advertisedHost, port));
    config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    config.put("inter.broker.listener.name", "PLAINTEXT");
    config.put("broker.rack", rack);
    config.put("replica.selector.class", "org.apache.kafka.common.replica.RackAwareReplicaSelector");
    config.put("log.dirs", dataDir.toString());
    config.put("group.initial.rebalance.delay.ms", "0");
    config.put("num.io.threads", "4");
    config.put("num.network.threads", "2");
    config.put("num.replica.fetchers", "1");
    config.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
    return config;
  }

  /** {@code host:port}, with an IPv6 literal in brackets ({@code [::1]:9092}) as Kafka's listeners want it. */
  public static String hostPort(String host, int port) {
    return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
  }

  /** The durability settings, for brokers and controllers alike: RF 3, min ISR 2. */
  private static Map<String, String> clusterDefaults(int brokerCount) {
    String replication = Integer.toString(Math.min(3, brokerCount));
    String minIsr = Integer.toString(Math.max(1, Math.min(2, brokerCount - 1)));
    Map<String, String> config = new TreeMap<>();
    config.put("num.partitions", "3");
    config.put("default.replication.factor", replication);
    config.put("min.insync.replicas", minIsr);
    config.put("offsets.topic.replication.factor", replication);
    // 50 partitions x RF 3 is most of a cold start on 2 cores; 10 keep coordination spread out
    config.put("offsets.topic.num.partitions", "10");
    config.put("transaction.state.log.replication.factor", replication);
    config.put("transaction.state.log.min.isr", minIsr);
    config.put("transaction.state.log.num.partitions", "10");
    config.put("share.coordinator.state.topic.replication.factor", replication);
    config.put("share.coordinator.state.topic.min.isr", minIsr);
    config.put("unclean.leader.election.enable", "false");
    return config;
  }

  /** Writes the properties, user overrides last. */
  public static void write(Path file, Map<String, String> config, Map<String, String> overrides) {
    write(file, config, overrides, List.of());
  }

  /** Writes the properties, user overrides last, without the {@code removed} keys. */
  public static void write(
      Path file, Map<String, String> config, Map<String, String> overrides, List<String> removed) {
    Properties properties = new Properties();
    properties.putAll(config);
    properties.putAll(overrides);
    removed.forEach(properties::remove);
    try {
      Files.createDirectories(file.getParent());
      try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        properties.store(writer, "written by the resilient-kafka testkit");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
