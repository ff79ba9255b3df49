package dev.resilientkafka.testkit;

import dev.resilientkafka.testkit.internal.CertificateAuthority;
import dev.resilientkafka.testkit.internal.HostsFile;
import dev.resilientkafka.testkit.internal.LoopbackAddressPool;
import dev.resilientkafka.testkit.internal.NodeClassArchive;
import dev.resilientkafka.testkit.internal.NodeConfigs;
import dev.resilientkafka.testkit.internal.NodeProcess;
import dev.resilientkafka.testkit.internal.Waits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real KRaft cluster on this machine, laid out like a Kubernetes StatefulSet {@code kafka} behind the
 * headless Service {@code kafka-svc}: controllers and brokers in separate JVMs, each broker on its own
 * loopback address and rack, advertising its pod FQDN, with a {@link KubeDnsServer} answering for the
 * Service and a hosts file that gives this JVM and the broker JVMs the same answers.
 *
 * <p>The operations mirror what Kubernetes does to a broker pod: {@link #stop} (drain: SIGTERM and the
 * pod's DNS record goes), {@link #kill} (SIGKILL, the pod keeps its address), {@link #pause}/{@link
 * #resume} (SIGSTOP/SIGCONT), {@link #restartOnNewIp} (rescheduled, same disk), {@link #replace} (node
 * lost, successor with an empty disk), {@link #makePending} (node gone, pod Pending), {@link
 * #restartAllOnNewIps} and {@link #rollingRestartOnNewIps}. Operations return when the processes have
 * started or ended; use the {@code await*} methods to wait for Kafka to catch up.
 *
 * <p>The JVM using it must be started with {@code -Djdk.net.hosts.file=<file>} (the Maven build does
 * this) and should cache names briefly: {@code -Dsun.net.inetaddr.ttl=1}, and no negative caching
 * ({@code networkaddress.cache.negative.ttl=0} through {@code -Djava.security.properties}, since
 * java.security's 10 s wins over the system property). Every process started ends
 * on {@link #close()} and on JVM exit. Several clusters, in one JVM or many, never share addresses,
 * ports or directories. Broker logs are kept under {@link #directory()}.
 *
 * <p>Operations are serialised (thread-safe); defaults: 3 brokers, 1 controller, racks zone-a/b/c.
 */
public final class LocalKafkaCluster implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalKafkaCluster.class);
  private static final int CONTROLLER_ID_BASE = 3000;
  private static final String TLS_PASSWORD = "testkit-secret";
  /** Service FQDNs served by live clusters of this JVM: they share one hosts file, so names must differ. */
  private static final Set<String> SERVED_SERVICES = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private final Builder config;
  private final String clusterId = Uuid.randomUuid().toString();
  private final Path directory;
  private final KubeDnsServer dns;
  private final List<NodeProcess> controllers = new ArrayList<>();
  private final List<InetAddress> controllerAddresses = new ArrayList<>();
  private final List<LocalBroker> brokers = new ArrayList<>();
  private final String quorumVoters;
  private final @Nullable CertificateAuthority certificateAuthority;
  private @Nullable Admin admin;
  private boolean closed;

  private LocalKafkaCluster(Builder config) {
    this.config = config;
    this.directory = config.directory.resolve(config.name);
    createDirectories(directory);
    KubeDnsServer.Builder dnsBuilder = KubeDnsServer.builder().clusterDomain(config.clusterDomain).ttl(config.dnsTtl);
    if (config.ipv6) {
      dnsBuilder.bindAddress(LoopbackAddressPool.ipv6Loopback());
    }
    this.dns = dnsBuilder.start();
    dns.registerService(config.namespace, config.service);
    HostsFile.shared().register(this, dns::hostEntries);
    dns.addChangeListener(HostsFile.shared()::refresh);
    LoopbackAddressPool pool = LoopbackAddressPool.shared();
    List<String> voters = new ArrayList<>();
    for (int i = 0; i < config.controllers; i++) {
      InetAddress address = pool.acquire(config.controllerPort);
      controllerAddresses.add(address);
      voters.add((CONTROLLER_ID_BASE + i) + "@" + address.getHostAddress() + ":" + config.controllerPort);
    }
    this.quorumVoters = String.join(",", voters);
    this.certificateAuthority =
        config.tls ? CertificateAuthority.create(directory.resolve("tls"), "testkit-ca-" + config.name, TLS_PASSWORD) : null;
    for (int i = 0; i < config.brokers; i++) {
      brokers.add(newBroker(i));
    }
  }

  /** A builder with the defaults described on the class. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Checks that this JVM resolves names from a hosts file ({@code -Djdk.net.hosts.file}) and writes the
   * file's base content (a copy of {@code /etc/hosts}) if it is missing, before anything here resolves a
   * name: the JDK reads the property at the first lookup. JUnit runs get this from the testkit's launcher
   * listener; a main program that starts clusters (a benchmark, a demo) calls it first.
   *
   * @return the hosts file
   * @throws IllegalStateException naming the fix when the JVM was started without the property
   */
  public static Path prepareHostsFile() {
    Path path = HostsFile.requireConfiguredPath();
    HostsFile.shared().ensureExists();
    return path;
  }

  /** Starts the default cluster and waits until every broker is ready. */
  public static LocalKafkaCluster start() {
    return builder().start();
  }

  private void startAll() {
    for (int i = 0; i < controllerAddresses.size(); i++) {
      NodeProcess controller = controllerProcess(i);
      controllers.add(controller);
      controller.start();
    }
    for (LocalBroker broker : brokers) {
      launch(broker);
    }
    awaitAllReady(config.startupTimeout);
    NodeClassArchive.clusterReady();
    log.info("local Kafka cluster {} ready: {}", config.name, brokers);
  }

  // ---------------------------------------------------------------- names

  /** {@code <service>.<namespace>.svc.<domain>}: the headless Service, A record = every ready pod. */
  public String serviceFqdn() {
    return config.service + "." + config.namespace + ".svc." + config.clusterDomain;
  }

  /** {@code _<port-name>._tcp.<service FQDN>}: one SRV target per ready pod. */
  public String srvName() {
    return "_" + config.portName + "._tcp." + serviceFqdn();
  }

  /**
   * The Service with the broker port, the only thing a user should have to configure. In IPv6 mode the
   * pods listen on different ports of {@code ::1}, so it is the SRV name, whose records carry each pod's port.
   */
  public String serviceBootstrap() {
    return config.ipv6 ? srvName() : serviceFqdn() + ":" + config.brokerPort;
  }

  /** Every broker's {@code fqdn:port}, comma-separated: a bootstrap list that survives pods moving. */
  public synchronized String bootstrapFqdns() {
    return brokers.stream().map(LocalBroker::hostPort).collect(Collectors.joining(","));
  }

  /** The current {@code ip:port} of every broker that has an address: pinned, breaks when pods move. */
  public synchronized String bootstrapIps() {
    return brokers.stream()
        .filter(b -> b.address() != null)
        .map(LocalBroker::ipPort)
        .collect(Collectors.joining(","));
  }

  /** The DNS server answering for the cluster domain. */
  public KubeDnsServer dns() {
    return dns;
  }

  /** Where {@link #dns()} listens (UDP and TCP): on {@code ::1} in IPv6 mode. */
  public InetSocketAddress dnsAddress() {
    return dns.address();
  }

  public String namespace() {
    return config.namespace;
  }

  public String clusterDomain() {
    return config.clusterDomain;
  }

  /** The port every broker listens on; in IPv6 mode each broker has its own, see {@link LocalBroker#port()}. */
  public int brokerPort() {
    return config.brokerPort;
  }

  /** The cluster's directory: per-node logs and data. */
  public Path directory() {
    return directory;
  }

  /** PIDs of every live child JVM of this cluster (controllers and brokers). */
  public synchronized List<Long> processIds() {
    List<Long> pids = new ArrayList<>();
    for (NodeProcess controller : controllers) {
      if (controller.isAlive()) {
        pids.add(controller.pid());
      }
    }
    for (LocalBroker broker : brokers) {
      NodeProcess process = broker.process();
      if (process != null && process.isAlive()) {
        pids.add(process.pid());
      }
    }
    return pids;
  }

  public synchronized List<LocalBroker> brokers() {
    return List.copyOf(brokers);
  }

  public synchronized LocalBroker broker(int id) {
    if (id < 0 || id >= brokers.size()) {
      throw new IllegalArgumentException("no broker " + id + "; brokers are 0.." + (brokers.size() - 1));
    }
    return brokers.get(id);
  }

  // ---------------------------------------------------------------- operations on pods

  /** Drain: SIGTERM (controlled shutdown), wait for the process to end, delete the pod's DNS record. */
  public synchronized void stop(int id) {
    LocalBroker broker = broker(id);
    terminate(broker);
    dns.removePod(config.namespace, config.service, broker.podName());
    broker.state(BrokerState.STOPPED);
  }

  /** SIGKILL; the pod keeps its address and DNS record (the container died, the pod did not). */
  public synchronized void kill(int id) {
    LocalBroker broker = broker(id);
    NodeProcess process = broker.process();
    if (process != null) {
      process.kill();
    }
    broker.state(BrokerState.KILLED);
  }

  /** SIGSTOP: the broker hangs with its connections open. */
  public synchronized void pause(int id) {
    LocalBroker broker = requireState(id, BrokerState.RUNNING);
    Objects.requireNonNull(broker.process()).pause();
    broker.state(BrokerState.PAUSED);
  }

  /** SIGCONT. */
  public synchronized void resume(int id) {
    LocalBroker broker = requireState(id, BrokerState.PAUSED);
    Objects.requireNonNull(broker.process()).resume();
    broker.state(BrokerState.RUNNING);
  }

  /**
   * Starts a broker that is not running: on its current address if it still has one (container
   * restart), else on a new one (pod scheduled again). Its data stays.
   */
  public synchronized void start(int id) {
    LocalBroker broker = broker(id);
    if (broker.state() == BrokerState.RUNNING || broker.state() == BrokerState.PAUSED) {
      throw new IllegalStateException(broker.podName() + " is already " + broker.state());
    }
    launch(broker);
  }

  /** The pod is rescheduled: stopped cleanly if running, then started on a new address with its data. */
  public synchronized InetAddress restartOnNewIp(int id) {
    LocalBroker broker = broker(id);
    terminate(broker);
    releaseAddress(broker);
    launch(broker);
    return Objects.requireNonNull(broker.address());
  }

  /** The node is lost: the broker is killed, its disk is gone; a successor with the same name starts on a new address with an empty disk. */
  public synchronized InetAddress replace(int id) {
    LocalBroker broker = broker(id);
    NodeProcess process = broker.process();
    if (process != null) {
      process.kill();
    }
    releaseAddress(broker);
    deleteRecursively(broker.dataDirectory());
    launch(broker);
    return Objects.requireNonNull(broker.address());
  }

  /** The node is gone for good: the broker is killed, its pod is Pending with no address and no DNS record. */
  public synchronized void makePending(int id) {
    LocalBroker broker = broker(id);
    NodeProcess process = broker.process();
    if (process != null) {
      process.kill();
    }
    releaseAddress(broker);
    broker.state(BrokerState.PENDING);
  }

  /** Removes a pod's DNS records without touching its process (the endpoint went not-ready). */
  public synchronized void removeFromDns(int id) {
    dns.removePod(config.namespace, config.service, broker(id).podName());
  }

  /** Publishes a pod's DNS records again at its current address. */
  public synchronized void publishInDns(int id) {
    publish(broker(id));
  }

  /** Every broker killed at once, then every one started on a new address; waits until all are ready. */
  public synchronized void restartAllOnNewIps() {
    for (LocalBroker broker : brokers) {
      NodeProcess process = broker.process();
      if (process != null) {
        process.kill();
      }
      releaseAddress(broker);
    }
    for (LocalBroker broker : brokers) {
      launch(broker);
    }
    awaitAllReady(config.startupTimeout);
  }

  /**
   * One broker at a time moved to a new address, as a StatefulSet rolling update does, waiting after
   * each for the broker to be ready and every partition to be fully in sync again.
   */
  public synchronized void rollingRestartOnNewIps() {
    for (LocalBroker broker : brokers) {
      restartOnNewIp(broker.id());
      awaitReady(broker.id(), config.startupTimeout);
      awaitFullyReplicated(config.startupTimeout);
    }
  }

  /**
   * Every pod back, as after any test of a fault: paused brokers resumed, stopped, killed and pending
   * ones started; then waits until all are ready and every partition is fully in sync.
   */
  public synchronized void healAll(Duration timeout) {
    for (LocalBroker broker : brokers) {
      if (broker.state() == BrokerState.PAUSED) {
        resume(broker.id());
      } else if (broker.state() != BrokerState.RUNNING) {
        start(broker.id());
      }
    }
    awaitAllReady(timeout);
    awaitFullyReplicated(timeout);
  }

  /** Scale-out: starts {@code kafka-<n>} on the next rack and waits until it is ready. */
  public synchronized LocalBroker addBroker() {
    LocalBroker broker = newBroker(brokers.size());
    brokers.add(broker);
    launch(broker);
    awaitReady(broker.id(), config.startupTimeout);
    return broker;
  }

  // ---------------------------------------------------------------- waits

  /** Waits until the broker's current process is registered with the controller and unfenced (state RUNNING). */
  public void awaitReady(int id, Duration timeout) {
    LocalBroker broker = broker(id);
    Waits.untilTrue(
        broker.podName() + " to be registered and unfenced (log: " + broker.logFile() + ")",
        timeout,
        () -> {
          NodeProcess process = broker.process();
          if (process != null && !process.isAlive() && broker.state() == BrokerState.RUNNING) {
            throw new IllegalStateException(
                broker.podName() + " exited with code " + process.exitCode() + "; see " + broker.logFile());
          }
          return process != null && process.isRunning();
        });
  }

  /** Waits until every broker that should run is ready. */
  public void awaitAllReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (LocalBroker broker : brokers()) {
      if (broker.state() == BrokerState.RUNNING) {
        awaitReady(broker.id(), Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      }
    }
  }

  /** Waits until the partition's ISR has exactly {@code size} replicas. */
  public void awaitIsrSize(TopicPartition partition, int size, Duration timeout) {
    Waits.untilTrue(
        "ISR of " + partition + " to have " + size + " replicas",
        timeout,
        () -> partitionInfo(partition).isr().size() == size);
  }

  /** Waits until the partition has a leader other than {@code previousLeader}, and returns it. */
  public int awaitLeaderChange(TopicPartition partition, int previousLeader, Duration timeout) {
    return Waits.until(
        "a leader of " + partition + " other than " + previousLeader,
        timeout,
        () -> {
          Node leader = partitionInfo(partition).leader();
          return leader != null && !leader.isEmpty() && leader.id() != previousLeader ? leader.id() : null;
        });
  }

  /** Waits until every partition of every topic has its whole replica set in sync. */
  public void awaitFullyReplicated(Duration timeout) {
    Waits.untilTrue("every partition to be fully in sync", timeout, () -> underReplicated().isEmpty());
  }

  /** The partitions whose ISR is smaller than their replica set, now. */
  public List<TopicPartition> underReplicated() {
    List<TopicPartition> result = new ArrayList<>();
    for (TopicDescription topic : describeAllTopics().values()) {
      for (TopicPartitionInfo p : topic.partitions()) {
        if (p.isr().size() < p.replicas().size()) {
          result.add(new TopicPartition(topic.name(), p.partition()));
        }
      }
    }
    return result;
  }

  /** The partition's current leader id, or -1 when it has none. */
  public int leaderOf(TopicPartition partition) {
    Node leader = partitionInfo(partition).leader();
    return leader == null || leader.isEmpty() ? -1 : leader.id();
  }

  /** The partition's current in-sync replica ids. */
  public List<Integer> isrOf(TopicPartition partition) {
    return partitionInfo(partition).isr().stream().map(Node::id).toList();
  }

  /** The partition as the cluster describes it now. */
  public TopicPartitionInfo partitionInfo(TopicPartition partition) {
    TopicDescription topic = describeTopics(List.of(partition.topic())).get(partition.topic());
    return topic.partitions().get(partition.partition());
  }

  // ---------------------------------------------------------------- topics and clients

  /** Creates a topic with the cluster's defaults (min ISR 2) and waits until every partition has a leader. */
  public void createTopic(String name, int partitions, int replicationFactor) {
    createTopic(new NewTopic(name, partitions, (short) replicationFactor));
  }

  /** Creates a topic (an existing one is fine) and waits until every partition has a leader and a full ISR. */
  public void createTopic(NewTopic topic) {
    try {
      admin().createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot create topic " + topic.name(), e.getCause());
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot create topic " + topic.name(), e);
    }
    Waits.untilTrue(
        "every partition of " + topic.name() + " to have a leader and a full ISR",
        Duration.ofSeconds(30),
        () ->
            describeTopics(List.of(topic.name())).get(topic.name()).partitions().stream()
                .allMatch(p -> p.leader() != null && p.isr().size() == p.replicas().size()));
  }

  /**
   * What a client needs besides {@code bootstrap.servers} to talk to this cluster: empty for PLAINTEXT;
   * with {@link Builder#tls(boolean)}, {@code security.protocol=SSL} and a truststore holding the
   * cluster's CA (hostname verification stays on, Kafka's default).
   */
  public Map<String, Object> clientSecurityProperties() {
    if (certificateAuthority == null) {
      return Map.of();
    }
    return Map.of(
        "security.protocol", "SSL",
        "ssl.truststore.type", "PKCS12",
        "ssl.truststore.location", certificateAuthority.truststore().toString(),
        "ssl.truststore.password", certificateAuthority.password());
  }

  /**
   * A shared {@link Admin} owned by the cluster (do not close it), bootstrapped on the pod FQDNs with
   * short timeouts so that waits notice changes quickly.
   */
  public synchronized Admin admin() {
    if (admin == null) {
      Map<String, Object> props = new HashMap<>();
      props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapFqdns());
      props.put(AdminClientConfig.CLIENT_ID_CONFIG, "testkit-admin-" + config.name);
      props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
      props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
      props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
      props.put(AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 1_000);
      props.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, 2_000);
      props.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, 5_000);
      props.put(AdminClientConfig.METADATA_MAX_AGE_CONFIG, 2_000);
      props.putAll(clientSecurityProperties());
      admin = Admin.create(props);
    }
    return admin;
  }

  /**
   * Describes topics, retrying retriable errors for a while: brokers learn of a new topic at slightly
   * different times, so one that lags answers UNKNOWN_TOPIC_OR_PARTITION just after another confirmed it.
   */
  private Map<String, TopicDescription> describeTopics(List<String> names) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    try {
      while (true) {
        try {
          return admin().describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof RetriableException) || System.nanoTime() - deadline > 0) {
            throw new IllegalStateException("describeTopics " + names + " failed", e.getCause());
          }
        }
        Thread.sleep(100); // the lagging broker catches up within a metadata propagation round
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during describeTopics " + names, e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("describeTopics " + names + " got no answer within 10 s", e);
    }
  }


  private Map<String, TopicDescription> describeAllTopics() {
    try {
      Set<String> names = admin().listTopics().names().get(10, TimeUnit.SECONDS);
      return describeTopics(List.copyOf(names));
    } catch (ExecutionException e) {
      throw new IllegalStateException("listTopics failed", e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException("listTopics failed", e);
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /** Ends every process, the DNS server and the admin; deletes data, keeps logs. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (admin != null) {
      admin.close(Duration.ofSeconds(2));
    }
    for (LocalBroker broker : brokers) {
      NodeProcess process = broker.process();
      if (process != null) {
        process.kill();
      }
      releaseAddress(broker);
      deleteRecursively(broker.dataDirectory());
    }
    for (NodeProcess controller : controllers) {
      controller.kill();
    }
    if (config.ipv6) {
      brokers.forEach(broker -> LoopbackAddressPool.shared().releaseIpv6Port(broker.port()));
    }
    for (int i = 0; i < controllerAddresses.size(); i++) {
      LoopbackAddressPool.shared().release(controllerAddresses.get(i));
      deleteRecursively(directory.resolve("controller-" + i).resolve("data"));
    }
    HostsFile.shared().unregister(this);
    dns.close();
    SERVED_SERVICES.remove(serviceFqdn());
  }

  // ---------------------------------------------------------------- internals

  private LocalBroker newBroker(int id) {
    String pod = config.statefulSet + "-" + id;
    String fqdn = pod + "." + serviceFqdn();
    String rack = config.racks.get(id % config.racks.size());
    Path dir = directory.resolve(pod);
    createDirectories(dir);
    int port = config.ipv6 ? LoopbackAddressPool.shared().acquireIpv6Port() : config.brokerPort;
    return new LocalBroker(id, pod, fqdn, port, rack, dir);
  }

  private void launch(LocalBroker broker) {
    if (broker.address() == null) {
      broker.address(config.ipv6
          ? LoopbackAddressPool.ipv6Loopback()
          : LoopbackAddressPool.shared().acquire(config.brokerPort));
    }
    InetAddress address = Objects.requireNonNull(broker.address());
    Path properties = broker.directory().resolve("server.properties");
    NodeConfigs.write(
        properties,
        NodeConfigs.broker(
            broker.id(),
            address.getHostAddress(),
            broker.port(),
            config.advertisePodIps ? address.getHostAddress() : broker.fqdn(),
            broker.rack(),
            quorumVoters,
            broker.dataDirectory(),
            Math.max(config.brokers, brokers.size())),
        merge(tlsSettings(broker), config.brokerProperties),
        config.rackAwareSelector ? List.of() : List.of("replica.selector.class"));
    // published when the pod is scheduled, as Kafka charts do with publishNotReadyAddresses: brokers
    // must find each other while they start
    publish(broker);
    NodeProcess process = broker.process();
    if (process == null) {
      process =
          new NodeProcess(
              broker.podName(),
              properties,
              clusterId,
              broker.directory().resolve("state"),
              broker.logFile(),
              childJvmOptions(config.brokerHeap),
              true);
      broker.process(process);
    }
    process.start();
    broker.state(BrokerState.RUNNING);
  }

  /** With TLS the broker's one listener is SSL, with a certificate naming its pod FQDN. */
  private Map<String, String> tlsSettings(LocalBroker broker) {
    CertificateAuthority ca = certificateAuthority;
    if (ca == null) {
      return Map.of();
    }
    // the certificate belongs to the pod's name, so a moved or replaced pod keeps it
    Path keystore = ca.keystoreFor(broker.fqdn());
    InetAddress address = Objects.requireNonNull(broker.address());
    Map<String, String> tls = new LinkedHashMap<>();
    tls.put("listeners", "SSL://" + NodeConfigs.hostPort(address.getHostAddress(), broker.port()));
    tls.put("advertised.listeners", "SSL://" + NodeConfigs.hostPort(broker.fqdn(), broker.port()));
    tls.put("listener.security.protocol.map", "SSL:SSL,CONTROLLER:PLAINTEXT");
    tls.put("inter.broker.listener.name", "SSL");
    tls.put("ssl.keystore.type", "PKCS12");
    tls.put("ssl.keystore.location", keystore.toString());
    tls.put("ssl.keystore.password", ca.password());
    tls.put("ssl.key.password", ca.password());
    tls.put("ssl.truststore.type", "PKCS12");
    tls.put("ssl.truststore.location", ca.truststore().toString());
    tls.put("ssl.truststore.password", ca.password());
    return tls;
  }

  private static Map<String, String> merge(Map<String, String> first, Map<String, String> second) {
    Map<String, String> merged = new LinkedHashMap<>(first);
    merged.putAll(second);
    return merged;
  }

  private void publish(LocalBroker broker) {
    InetAddress address = broker.address();
    if (address == null) {
      throw new IllegalStateException(broker.podName() + " has no address to publish");
    }
    Map<String, Integer> ports = new LinkedHashMap<>(config.extraPorts);
    ports.put(config.portName, broker.port());
    dns.putPod(new PodRecord(config.namespace, config.service, broker.podName(), address, ports));
  }

  private void terminate(LocalBroker broker) {
    NodeProcess process = broker.process();
    if (process != null) {
      process.terminate(config.shutdownTimeout);
    }
  }

  private void releaseAddress(LocalBroker broker) {
    InetAddress address = broker.address();
    dns.removePod(config.namespace, config.service, broker.podName());
    if (address != null) {
      if (!config.ipv6) { // ::1 is not the pool's; the broker keeps its port until the cluster closes
        LoopbackAddressPool.shared().release(address);
      }
      broker.address(null);
    }
  }

  private NodeProcess controllerProcess(int index) {
    InetAddress address = controllerAddresses.get(index);
    Path dir = directory.resolve("controller-" + index);
    Path properties = dir.resolve("server.properties");
    NodeConfigs.write(
        properties,
        NodeConfigs.controller(
            CONTROLLER_ID_BASE + index,
            address.getHostAddress(),
            config.controllerPort,
            quorumVoters,
            dir.resolve("data"),
            config.brokers),
        config.controllerProperties);
    return new NodeProcess(
        "controller-" + index,
        properties,
        clusterId,
        dir.resolve("state"),
        dir.resolve("controller-" + index + ".log"),
        childJvmOptions(config.controllerHeap),
        false);
  }

  private List<String> childJvmOptions(String heap) {
    List<String> options = new ArrayList<>();
    options.add("-Xmx" + heap);
    options.add("-Xms64m");
    options.add("-XX:+UseSerialGC");
    options.add("-XX:TieredStopAtLevel=1");
    options.add("-Xss512k");
    options.add("-Djava.awt.headless=true");
    options.add("-D" + HostsFile.PROPERTY + "=" + HostsFile.requireConfiguredPath());
    options.add("-Dsun.net.inetaddr.ttl=1");
    // java.security's networkaddress.cache.negative.ttl=10 would win over -Dsun.net.inetaddr.negative.ttl
    options.add("-Djava.security.properties=" + dnsCacheSecurityFile());
    options.add("-Dlog4j2.configurationFile=" + logConfiguration());
    // used instead when the caller's classpath (fallback) carries slf4j-simple
    options.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
    options.add("-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS");
    options.addAll(config.jvmOptions);
    return options;
  }

  private Path dnsCacheSecurityFile() {
    Path file = directory.resolve("dns-cache.security");
    if (!Files.exists(file)) {
      try {
        Files.writeString(file, "networkaddress.cache.ttl=1\nnetworkaddress.cache.negative.ttl=0\n");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + file, e);
      }
    }
    return file;
  }

  private Path logConfiguration() {
    Path file = directory.resolve("log4j2.properties");
    if (!Files.exists(file)) {
      try (java.io.InputStream in =
          NodeProcess.class.getResourceAsStream("broker-log4j2.properties")) {
        Files.copy(Objects.requireNonNull(in, "broker-log4j2.properties missing from the testkit jar"), file);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + file, e);
      }
    }
    return file;
  }

  private LocalBroker requireState(int id, BrokerState expected) {
    LocalBroker broker = broker(id);
    if (broker.state() != expected) {
      throw new IllegalStateException(broker.podName() + " is " + broker.state() + ", not " + expected);
    }
    return broker;
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  /**
   * Settings of a {@link LocalKafkaCluster}; {@link #start()} validates them, starts the cluster and
   * waits until every broker is ready.
   */
  public static final class Builder {
    private int brokers = 3;
    private int controllers = 1;
    private List<String> racks = List.of("zone-a", "zone-b", "zone-c");
    private String statefulSet = "kafka";
    private String service = "kafka-svc";
    private String namespace = "default";
    private String clusterDomain = "cluster.local";
    private String portName = "9092";
    private int brokerPort = 9092;
    private int controllerPort = 9093;
    private Duration dnsTtl = Duration.ofSeconds(5);
    private Duration startupTimeout = Duration.ofSeconds(120);
    private Duration shutdownTimeout = Duration.ofSeconds(60);
    private String brokerHeap = "384m";
    private String controllerHeap = "256m";
    private boolean tls;
    private boolean advertisePodIps;
    private boolean rackAwareSelector = true;
    private boolean ipv6;
    private final Map<String, Integer> extraPorts = new LinkedHashMap<>();
    private final Map<String, String> brokerProperties = new LinkedHashMap<>();
    private final Map<String, String> controllerProperties = new LinkedHashMap<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private String name = defaultName();
    private Path directory = defaultDirectory();

    private Builder() {}

    /** Number of brokers, 1..20; default 3. */
    public Builder brokers(int count) {
      if (count < 1 || count > 20) {
        throw new IllegalArgumentException("brokers must be between 1 and 20, was " + count);
      }
      this.brokers = count;
      return this;
    }

    /** Number of controller-only nodes, 1, 3 or 5; default 1. */
    public Builder controllers(int count) {
      if (count != 1 && count != 3 && count != 5) {
        throw new IllegalArgumentException("controllers must be 1, 3 or 5, was " + count);
      }
      this.controllers = count;
      return this;
    }

    /** Racks (zones) assigned round-robin to brokers by id; default zone-a, zone-b, zone-c. */
    public Builder racks(String... racks) {
      if (racks.length == 0 || Stream.of(racks).anyMatch(r -> r == null || r.isBlank())) {
        throw new IllegalArgumentException("racks must be one or more non-blank names");
      }
      this.racks = List.of(racks);
      return this;
    }

    /** StatefulSet name, giving pod names {@code <name>-<id>}; default {@code kafka}. */
    public Builder statefulSet(String name) {
      this.statefulSet = dnsLabel("statefulSet", name);
      return this;
    }

    /** Headless Service name; default {@code kafka-svc}. */
    public Builder service(String name) {
      this.service = dnsLabel("service", name);
      return this;
    }

    /** Namespace; default {@code default}. */
    public Builder namespace(String name) {
      this.namespace = dnsLabel("namespace", name);
      return this;
    }

    /** Cluster domain; default {@code cluster.local}. */
    public Builder clusterDomain(String domain) {
      if (domain == null || !domain.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?")) {
        throw new IllegalArgumentException("clusterDomain must be a DNS name like cluster.local, was " + domain);
      }
      this.clusterDomain = domain;
      return this;
    }

    /** Name of the Service port, used in the SRV name {@code _<portName>._tcp...}; default {@code 9092}, a common Service definition. */
    public Builder portName(String name) {
      this.portName = dnsLabel("portName", name);
      return this;
    }

    /**
     * Brokers listen on the IPv6 loopback address {@code ::1}, each on its own port (free, below the
     * ephemeral range and locked against other clusters on the machine), and their pods have only that
     * address: the DNS server answers AAAA and no A for them, as in an IPv6-only cluster, and listens on
     * {@code ::1} too. The SRV records carry each pod's port ({@link LocalKafkaCluster#serviceBootstrap()}
     * is the SRV name). Controllers stay on IPv4 loopback addresses. Operations that move a pod to a new
     * address keep {@code ::1}: there is one IPv6 loopback address. Default false.
     */
    public Builder ipv6Loopback(boolean enabled) {
      this.ipv6 = enabled;
      return this;
    }

    /**
     * Another named port on every broker pod, published in DNS only (an SRV record per pod under
     * {@code _<name>._tcp.<service FQDN>}, and in the Service's own SRV answer), as a Service that also
     * declares JMX, metrics or controller ports has them. Nothing listens on it.
     *
     * @throws IllegalArgumentException if the name is not a DNS label, is the Kafka port's name, or the
     *     port is outside 1..65535
     */
    public Builder extraPort(String name, int port) {
      dnsLabel("extraPort name", name);
      if (name.equals(portName)) {
        throw new IllegalArgumentException("extraPort name must differ from the Kafka port's name " + portName);
      }
      extraPorts.put(name, port(port, "extraPort " + name));
      return this;
    }

    /** Port every broker listens on, on its own address; default 9092. Not used in IPv6 mode. */
    public Builder brokerPort(int port) {
      this.brokerPort = port(port, "brokerPort");
      return this;
    }

    /** TTL of every DNS answer; default 5 s as Kubernetes' cluster DNS. */
    public Builder dnsTtl(Duration ttl) {
      if (ttl.isNegative()) {
        throw new IllegalArgumentException("dnsTtl must be >= 0, was " + ttl);
      }
      this.dnsTtl = ttl;
      return this;
    }

    /** How long {@link #start()} and the re-starting operations wait for brokers; default 120 s. */
    public Builder startupTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("startupTimeout must be > 0, was " + timeout);
      }
      this.startupTimeout = timeout;
      return this;
    }

    /** Broker JVM heap ({@code -Xmx}); default {@code 384m}. */
    public Builder brokerHeap(String heap) {
      if (heap == null || !heap.matches("\\d+[kmgKMG]?")) {
        throw new IllegalArgumentException("brokerHeap must look like 384m, was " + heap);
      }
      this.brokerHeap = heap;
      return this;
    }

    /**
     * Brokers serve TLS only (listener {@code SSL}, inter-broker too), each with a certificate for its pod
     * FQDN signed by a CA generated for this cluster; clients need {@link
     * LocalKafkaCluster#clientSecurityProperties()}. Default false (PLAINTEXT).
     */
    public Builder tls(boolean enabled) {
      this.tls = enabled;
      return this;
    }

    /**
     * Brokers advertise their pod IP instead of their pod FQDN: a common set-up mistake (clients pin
     * addresses that change when pods move). Default false.
     */
    public Builder advertisePodIps(boolean enabled) {
      this.advertisePodIps = enabled;
      return this;
    }

    /**
     * Whether brokers set {@code replica.selector.class} to Kafka's {@code RackAwareReplicaSelector}
     * (follower fetching); false leaves Kafka's default (always the leader). Default true.
     */
    public Builder rackAwareReplicaSelector(boolean enabled) {
      this.rackAwareSelector = enabled;
      return this;
    }

    /**
     * How long the controller waits for a silent broker's heartbeat before fencing it and moving its
     * leaderships ({@code broker.session.timeout.ms}, Kafka's default 9 s), set on controllers and brokers
     * alike (brokers time their heartbeat requests and resends by it); brokers heartbeat five times per
     * timeout ({@code broker.heartbeat.interval.ms}). A SIGKILLed broker restarted at once is also refused
     * until its old session ends, so fault tests run shorter with a shorter timeout. Default: Kafka's.
     *
     * @throws IllegalArgumentException if {@code timeout} is under 1 s or over {@code Integer.MAX_VALUE} ms
     */
    public Builder brokerSessionTimeout(Duration timeout) {
      if (timeout.toMillis() < 1_000 || timeout.toMillis() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("brokerSessionTimeout must be between 1 s and " + Integer.MAX_VALUE
            + " ms, was " + timeout);
      }
      String millis = Long.toString(timeout.toMillis());
      controllerProperties.put("broker.session.timeout.ms", millis);
      brokerProperties.put("broker.session.timeout.ms", millis);
      brokerProperties.put("broker.heartbeat.interval.ms", Long.toString(timeout.toMillis() / 5));
      return this;
    }

    /** A broker setting applied after the testkit's own (so it wins). */
    public Builder brokerProperty(String key, String value) {
      this.brokerProperties.put(key, value);
      return this;
    }

    /** A controller setting applied after the testkit's own. */
    public Builder controllerProperty(String key, String value) {
      this.controllerProperties.put(key, value);
      return this;
    }

    /** An extra option for every child JVM. */
    public Builder jvmOption(String option) {
      this.jvmOptions.add(option);
      return this;
    }

    /** Name of the cluster's directory; default a timestamp with a random suffix. */
    public Builder name(String name) {
      if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
        throw new IllegalArgumentException("name must be a plain directory name, was " + name);
      }
      this.name = name;
      return this;
    }

    /**
     * Parent of the cluster's directory; default the system property {@code resilientkafka.testkit.dir},
     * else {@code target/testkit}.
     */
    public Builder directory(Path directory) {
      this.directory = directory.toAbsolutePath();
      return this;
    }

    /** Starts the cluster and waits until every broker is ready; on failure ends whatever it started. */
    public LocalKafkaCluster start() {
      HostsFile.requireConfiguredPath();
      String serviceFqdn = service + "." + namespace + ".svc." + clusterDomain;
      if (!SERVED_SERVICES.add(serviceFqdn)) {
        throw new IllegalStateException(
            "a LocalKafkaCluster serving " + serviceFqdn + " already runs in this JVM; give this one another"
                + " namespace(...) or service(...) so that their pod names differ");
      }
      LocalKafkaCluster cluster;
      try {
        cluster = new LocalKafkaCluster(this);
      } catch (RuntimeException e) {
        SERVED_SERVICES.remove(serviceFqdn);
        throw e;
      }
      try {
        cluster.startAll();
        return cluster;
      } catch (RuntimeException e) {
        cluster.close();
        throw e;
      }
    }

    private static String dnsLabel(String what, String value) {
      if (value == null || !value.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
        throw new IllegalArgumentException(
            what + " must be a DNS label (lower-case letters, digits, '-'), was " + value);
      }
      return value;
    }

    private static int port(int port, String what) {
      if (port < 1 || port > 65_535) {
        throw new IllegalArgumentException(what + " must be 1..65535, was " + port);
      }
      return port;
    }

    private static String defaultName() {
      return "cluster-"
          + DateTimeFormatter.ofPattern("HHmmss").withZone(ZoneOffset.UTC).format(Instant.now())
          + "-"
          + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
    }

    private static Path defaultDirectory() {
      String dir = System.getProperty("resilientkafka.testkit.dir");
      return (dir == null || dir.isBlank() ? Path.of("target", "testkit") : Path.of(dir)).toAbsolutePath();
    }
  }
}
