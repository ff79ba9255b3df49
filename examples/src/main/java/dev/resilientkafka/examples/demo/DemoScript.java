package dev.resilientkafka.examples.demo;

import dev.resilientkafka.ResilientProducer;
import dev.resilientkafka.testkit.LocalBroker;
import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Replays the broker faults Kubernetes causes on a local cluster with two producers side by side: a plain
 * {@code KafkaProducer} configured like Kafka's console tools (a bootstrap list of broker IPs,
 * acks=all) and a {@link ResilientProducer} given only the headless Service. Prints a progress line
 * while the faults happen and a summary table at the end.
 */
public final class DemoScript {
  /** Scaled down from Kafka's 120 s default so that the two-broker outage outlasts it within a 3-minute demo. */
  static final int PLAIN_DELIVERY_TIMEOUT_MS = 20_000;
  static final Duration OUTAGE = Duration.ofSeconds(30);
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final int RATE = 20;

  private final PrintStream out;
  private final long startNanos = System.nanoTime();
  private final List<String> timeline = new ArrayList<>();
  private volatile String phase = "starting";

  public DemoScript(PrintStream out) {
    this.out = out;
  }

  /** Runs the whole demo; returns the number of records the resilient producer lost (0 expected). */
  public long run() throws Exception {
    out.println("Starting the local cluster: 1 controller + 3 brokers (zone-a/b/c) on their own loopback");
    out.println("addresses, a DNS server answering like Kubernetes' cluster DNS for the headless Service...");
    try (LocalKafkaCluster cluster = LocalKafkaCluster.start()) {
      out.printf("Cluster ready after %.1f s%n", seconds());
      for (LocalBroker broker : cluster.brokers()) {
        out.printf("  %-8s %-50s %-15s %s%n", broker.podName(), broker.hostPort(),
            broker.address().getHostAddress(), broker.rack());
      }
      out.printf("  DNS %s answers SRV %s%n%n", cluster.dnsAddress(), cluster.srvName());
      cluster.createTopic("plain-orders", 3, 3);
      cluster.createTopic("resilient-orders", 3, 3);
      String pinnedIps = cluster.bootstrapIps();

      out.printf("plain     : KafkaProducer, bootstrap.servers=%s, acks=all, delivery.timeout.ms=%d%n",
          pinnedIps, PLAIN_DELIVERY_TIMEOUT_MS);
      out.printf("           (Kafka's default is 120 s; scaled down so that the %d s two-broker outage outlasts it)%n",
          OUTAGE.toSeconds());
      out.printf("resilient : ResilientProducer, resilient.bootstrap.service=%s%n%n", cluster.serviceBootstrap());

      try (RateProducer plain = new RateProducer("plain", plainProducer(pinnedIps), "plain-orders", RATE);
          RateProducer resilient =
              new RateProducer("resilient", resilientProducer(cluster), "resilient-orders", RATE);
          ProgressLine progress = new ProgressLine(out, cluster, plain, resilient, () -> phase, startNanos)) {
        scenarios(cluster, pinnedIps);

        phase = "draining";
        plain.stopSending();
        resilient.stopSending();
        plain.producer().flush();
        resilient.producer().flush();
        progress.close();

        out.println();
        ReadBack plainRead = ReadBack.of(cluster.bootstrapFqdns(), "plain-orders", WAIT);
        ReadBack resilientRead = ReadBack.of(cluster.bootstrapFqdns(), "resilient-orders", WAIT);
        new SummaryTable(out).print(List.of(plain, resilient), List.of(plainRead, resilientRead));
        out.println();
        timeline.forEach(out::println);
        out.printf("%nDemo finished in %.0f s.%n", seconds());
        return resilient.sent() - resilientRead.arrivedOf(resilient.name());
      }
    }
  }

  private void scenarios(LocalKafkaCluster cluster, String pinnedIps) throws Exception {
    TopicPartition p0 = new TopicPartition("resilient-orders", 0);
    step("healthy: three brokers, records flowing");
    pause(Duration.ofSeconds(5));

    int leader = cluster.leaderOf(p0);
    step("kafka-" + leader + " drained (leader of partition 0): SIGTERM, leadership moves");
    cluster.stop(leader);
    int newLeader = cluster.awaitLeaderChange(p0, leader, WAIT);
    note("new leader of partition 0: kafka-" + newLeader);
    pause(Duration.ofSeconds(5));
    cluster.start(leader);
    cluster.awaitReady(leader, WAIT);

    step("kafka-" + leader + " rescheduled: back with a new pod IP");
    var address = cluster.restartOnNewIp(leader);
    cluster.awaitReady(leader, WAIT);
    note("kafka-" + leader + " now at " + address.getHostAddress());
    cluster.awaitFullyReplicated(WAIT);
    pause(Duration.ofSeconds(3));

    step("two of three brokers down for " + OUTAGE.toSeconds() + " s: ISR below min.insync.replicas, acks=all writes wait");
    cluster.stop(1);
    cluster.stop(2);
    pause(OUTAGE);
    step("the two brokers back");
    cluster.start(1);
    cluster.start(2);
    cluster.awaitAllReady(WAIT);
    cluster.awaitFullyReplicated(WAIT);

    step("kafka-2's node gone: pod Pending, no DNS record");
    cluster.makePending(2);
    pause(Duration.ofSeconds(5));

    step("kafka-2 replaced: new node, new IP, empty disk");
    cluster.replace(2);
    cluster.awaitReady(2, WAIT);
    cluster.awaitFullyReplicated(WAIT);
    note("kafka-2 re-replicated and back in every ISR");

    step("every broker killed and restarted on new IPs at once");
    cluster.restartAllOnNewIps();
    cluster.awaitFullyReplicated(WAIT);
    pause(Duration.ofSeconds(3));
    step("new clients after every IP changed");
    note("new plain client with the old IP list: " + tryNewPlain(pinnedIps));
    note("new resilient client with the Service:  " + tryNewResilient(cluster));
  }

  private String tryNewPlain(String pinnedIps) {
    Properties props = plainProps(pinnedIps);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
    try (Producer<String, String> producer = new KafkaProducer<>(props)) {
      producer.partitionsFor("plain-orders");
      return "bootstrapped (unexpected)";
    } catch (RuntimeException e) {
      return "cannot bootstrap (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")";
    }
  }

  private String tryNewResilient(LocalKafkaCluster cluster) {
    try (Producer<String, String> producer = resilientProducer(cluster)) {
      producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("resilient-orders", "probe", "probe-0"))
          .get(30, TimeUnit.SECONDS);
      return "bootstrapped through DNS and acked a record";
    } catch (Exception e) {
      return "failed: " + e;
    }
  }

  private static Properties plainProps(String bootstrap) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, PLAIN_DELIVERY_TIMEOUT_MS);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    return props;
  }

  private static Producer<String, String> plainProducer(String bootstrap) {
    return new KafkaProducer<>(plainProps(bootstrap));
  }

  private static ResilientProducer<String, String> resilientProducer(LocalKafkaCluster cluster) {
    Map<String, Object> config = new HashMap<>();
    config.put("resilient.bootstrap.service", cluster.serviceBootstrap());
    config.put("resilient.bootstrap.dns.server",
        cluster.dnsAddress().getAddress().getHostAddress() + ":" + cluster.dnsAddress().getPort());
    return ResilientProducer.<String, String>builder()
        .config(config)
        .serializers(new StringSerializer(), new StringSerializer())
        .build();
  }

  private void step(String title) {
    phase = title;
    String line = String.format("[%5.1fs] %s", seconds(), title);
    timeline.add(line);
    out.println(line);
  }

  private void note(String text) {
    String line = String.format("[%5.1fs]   %s", seconds(), text);
    timeline.add(line);
    out.println(line);
  }

  private double seconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static void pause(Duration duration) throws InterruptedException {
    // the demo's scenario pacing: traffic keeps flowing while we wait
    Thread.sleep(duration.toMillis());
  }
}
