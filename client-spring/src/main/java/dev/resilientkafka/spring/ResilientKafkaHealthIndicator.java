package dev.resilientkafka.spring;

import dev.resilientkafka.RackDiscovery;
import dev.resilientkafka.ResilientConsumer;
import dev.resilientkafka.ResilientProducer;
import dev.resilientkafka.ServiceBootstrap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * Health of the application's Kafka clients and of the cluster as they need it:
 *
 * <ul>
 *   <li><b>DOWN</b>: no broker answers within {@code resilient.kafka.health.timeout}, or a producer's
 *       buffer is at least {@code down-buffer-fill} full (sends are about to block or fail);
 *   <li><b>DEGRADED</b> ({@link #DEGRADED}): fewer brokers answer than the service has had, partitions
 *       written to are below {@code min.insync.replicas}, a buffer is at least {@code degraded-buffer-fill}
 *       full or holds a record older than {@code degraded-oldest-record-age}, a consumer group coordinator
 *       is stalled, or DNS fails and the last good bootstrap answer is in use. Records are kept and
 *       delivered later; nothing is lost yet;
 *   <li><b>UP</b> otherwise.
 * </ul>
 *
 * Details: {@code brokers.reachable}, {@code brokers.expected}, {@code brokers}, {@code
 * partitionsBelowMinIsr}, {@code buffer.records}, {@code buffer.bytes}, {@code buffer.fill}, {@code
 * buffer.oldestRecordAge}, {@code rack}, {@code consumerRacks}, {@code coordinatorStalls}, {@code
 * advertisedListeners} ({@code ok} or each broker whose advertised host breaks when pods move; reported,
 * not a status change) and {@code reasons} for anything not UP.
 *
 * <p>DEGRADED is a custom status: add it to {@code management.endpoint.health.status.order} (e.g. {@code
 * DOWN,OUT_OF_SERVICE,DEGRADED,UP,UNKNOWN}) so that the aggregate shows it. One {@link Admin} client is
 * created on first use and closed with the context. Thread-safe.
 */
public final class ResilientKafkaHealthIndicator implements HealthIndicator, DisposableBean {
  /** Working, at risk: the clients hold records back or the cluster lost redundancy. */
  public static final Status DEGRADED = new Status("DEGRADED", "Kafka is reachable but has lost redundancy or holds records back");

  private final ResilientKafkaClients clients;
  private final @Nullable ResilientKafkaBootstrap bootstrap;
  private final RackDiscovery rack;
  private final ResilientKafkaProperties properties;
  private final Supplier<Map<String, Object>> adminConfig;
  private final Object lock = new Object();
  private @Nullable Admin admin;
  private volatile int mostBrokersSeen;

  /**
   * @param clients the clients to report on
   * @param bootstrap the bootstrap from the headless Service, or null when the servers are given
   * @param rack the application's rack
   * @param properties thresholds ({@code health.*}) and buffer limits
   * @param adminConfig the configuration of the admin client used to describe the cluster
   */
  public ResilientKafkaHealthIndicator(ResilientKafkaClients clients, @Nullable ResilientKafkaBootstrap bootstrap,
      RackDiscovery rack, ResilientKafkaProperties properties, Supplier<Map<String, Object>> adminConfig) {
    this.clients = clients;
    this.bootstrap = bootstrap;
    this.rack = rack;
    this.properties = properties;
    this.adminConfig = adminConfig;
  }

  @Override
  public Health health() {
    ResilientKafkaProperties.Health thresholds = properties.health();
    Map<String, Object> details = new LinkedHashMap<>();
    List<String> degraded = new ArrayList<>();
    List<String> down = new ArrayList<>();

    Collection<Node> nodes = describeCluster(thresholds.timeout(), down);
    int reachable = nodes.size();
    mostBrokersSeen = Math.max(mostBrokersSeen, reachable);
    int expected = Math.max(mostBrokersSeen, bootstrap == null ? 0 : bootstrap.expectedBrokers());
    details.put("brokers.reachable", reachable);
    details.put("brokers.expected", expected);
    details.put("brokers", new TreeSet<>(nodes.stream().map(n -> n.host() + ":" + n.port()).toList()));
    if (reachable > 0 && reachable < expected) {
      degraded.add(reachable + " of " + expected + " brokers reachable");
    }
    if (bootstrap != null) {
      details.put("bootstrap.servers", bootstrap.servers());
      if (!bootstrap.missingPods().isEmpty()) {
        details.put("bootstrap.missingPods", new TreeSet<>(bootstrap.missingPods()));
      }
      if (bootstrap.usingLastGoodAnswer()) {
        degraded.add("DNS fails for the bootstrap service; the last good answer is in use");
      }
    }

    producerDetails(thresholds, details, degraded, down);
    consumerDetails(details, degraded);

    if (!nodes.isEmpty()) {
      // without a Service, only IP literals are known to be wrong
      List<String> problems = bootstrap != null
          ? ServiceBootstrap.advertisedHostProblems(nodes, bootstrap.serviceFqdns())
          : ServiceBootstrap.advertisedHostProblems(nodes.stream().filter(n -> isIpLiteral(n.host())).toList(), List.of());
      details.put("advertisedListeners", problems.isEmpty() ? "ok" : problems);
    }

    Health.Builder health;
    if (!down.isEmpty()) {
      health = Health.down();
      down.addAll(degraded);
      details.put("reasons", down);
    } else if (!degraded.isEmpty()) {
      health = Health.status(DEGRADED);
      details.put("reasons", degraded);
    } else {
      health = Health.up();
    }
    return health.withDetails(details).build();
  }

  private void producerDetails(ResilientKafkaProperties.Health thresholds, Map<String, Object> details,
      List<String> degraded, List<String> down) {
    List<ResilientProducer<?, ?>> producers = clients.producers();
    long maxRecords = properties.producer().bufferMaxRecords();
    long maxBytes = properties.producer().bufferMaxBytes().toBytes();
    int belowMinIsr = 0;
    long records = 0;
    long bytes = 0;
    double fill = 0;
    Duration oldest = Duration.ZERO;
    long spooled = 0;
    long spooledBytes = 0;
    long recovered = 0;
    long tornTails = 0;
    boolean anySpool = false;
    for (ResilientProducer<?, ?> producer : producers) {
      belowMinIsr = Math.max(belowMinIsr, producer.partitionsBelowMinIsr());
      long r = producer.bufferedRecords();
      long b = producer.bufferedBytes();
      records += r;
      bytes += b;
      Duration age = producer.oldestBufferedAge();
      java.util.Optional<dev.resilientkafka.SpoolStatus> spool = producer.spoolStatus();
      if (spool.isPresent()) {
        // with a durable spool, memory full is normal (records wait on disk): the spool is the bound
        anySpool = true;
        dev.resilientkafka.SpoolStatus s = spool.get();
        spooled += s.records();
        spooledBytes += s.bytes();
        recovered += s.recoveredAtStart();
        tornTails += s.tornTailsRepairedAtStart();
        fill = Math.max(fill, (double) s.bytes() / s.maxBytes());
        age = s.oldestAge().compareTo(age) > 0 ? s.oldestAge() : age;
      } else {
        fill = Math.max(fill, Math.max((double) r / maxRecords, (double) b / maxBytes));
      }
      if (age.compareTo(oldest) > 0) {
        oldest = age;
      }
    }
    if (anySpool) {
      details.put("spool.records", spooled);
      details.put("spool.bytes", spooledBytes);
      details.put("spool.recoveredAtStart", recovered);
      details.put("spool.tornTailsRepairedAtStart", tornTails);
    }
    details.put("producers", producers.size());
    details.put("partitionsBelowMinIsr", belowMinIsr);
    details.put("buffer.records", records);
    details.put("buffer.bytes", bytes);
    details.put("buffer.fill", Math.round(fill * 1000) / 1000.0);
    details.put("buffer.oldestRecordAge", oldest.toString());
    if (belowMinIsr > 0) {
      degraded.add(belowMinIsr + " partition(s) below min.insync.replicas: acks=all writes wait until the ISR recovers");
    }
    if (fill >= thresholds.downBufferFill()) {
      down.add("producer buffer " + Math.round(fill * 100) + "% full: sends are about to block or fail");
    } else if (fill >= thresholds.degradedBufferFill()) {
      degraded.add("producer buffer " + Math.round(fill * 100) + "% full");
    }
    if (oldest.compareTo(thresholds.degradedOldestRecordAge()) >= 0) {
      degraded.add("oldest unacknowledged record waits for " + oldest.toSeconds() + " s");
    }
  }

  private void consumerDetails(Map<String, Object> details, List<String> degraded) {
    details.put("rack", rack.discover().orElse("none"));
    List<ResilientConsumer<?, ?>> consumers = clients.consumers();
    details.put("consumers", consumers.size());
    TreeSet<String> stalls = new TreeSet<>();
    TreeSet<String> racks = new TreeSet<>();
    for (ResilientConsumer<?, ?> consumer : consumers) {
      racks.add(consumer.clientRack().orElse("none"));
      consumer.coordinatorStallCause().ifPresent(stalls::add);
    }
    if (!consumers.isEmpty()) {
      details.put("consumerRacks", racks);
    }
    if (!stalls.isEmpty()) {
      details.put("coordinatorStalls", stalls);
      degraded.add("consumer group coordination stalled: " + stalls);
    }
  }

  private Collection<Node> describeCluster(Duration timeout, List<String> down) {
    try {
      return admin().describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
          .nodes().get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      down.add("interrupted while describing the cluster");
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      down.add("no broker answered within " + timeout.toMillis() + " ms (" + cause.getClass().getSimpleName() + ")");
    }
    return List.of();
  }

  private Admin admin() {
    synchronized (lock) {
      Admin current = admin;
      if (current == null) {
        Map<String, Object> config = new HashMap<>(adminConfig.get());
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "resilient-kafka-health");
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) properties.health().timeout().toMillis());
        config.putIfAbsent(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        config.putIfAbsent(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, 1_000);
        config.putIfAbsent(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, 2_000);
        current = Admin.create(config);
        admin = current;
      }
      return current;
    }
  }

  private static boolean isIpLiteral(String host) {
    return host.matches("\\d{1,3}(\\.\\d{1,3}){3}") || host.contains(":");
  }

  @Override
  public void destroy() {
    synchronized (lock) {
      if (admin != null) {
        admin.close(Duration.ofSeconds(2));
        admin = null;
      }
    }
  }
}
