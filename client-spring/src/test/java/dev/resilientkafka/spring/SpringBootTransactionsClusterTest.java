package dev.resilientkafka.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.resilientkafka.DeliveryFailedException;
import dev.resilientkafka.FailureCause;
import dev.resilientkafka.ResilientProducer;
import dev.resilientkafka.testkit.LocalKafkaCluster;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApplicationRecoverableException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.transaction.KafkaTransactionManager;
import org.springframework.transaction.annotation.Transactional;

/**
 * Kafka transactions in a real Spring Boot application on the testkit cluster, configured only with
 * {@code spring.kafka.producer.transaction-id-prefix}: {@code KafkaTemplate.executeInTransaction} and a
 * {@code @Transactional @KafkaListener} run by Boot's {@code KafkaTransactionManager} (the container sends
 * the consumer's offsets to the transaction). Each runs twice, with the starter's producers ({@code
 * ResilientProducer}) and with Spring's own {@code DefaultKafkaProducerFactory} ({@code
 * resilient.kafka.producer.enabled=false}, everything else the same); both are printed, the library's
 * result is asserted. Outputs are read with {@code isolation.level=read_committed}.
 */
class SpringBootTransactionsClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final int KEYS = 12;
  private static LocalKafkaCluster cluster;

  /** The application's producer factory: the starter's, or Spring's own. */
  enum Factory {
    RESILIENT("r", "resilient (ResilientKafkaProducerFactory)"),
    SPRING_DEFAULT("p", "Spring's DefaultKafkaProducerFactory");

    final String suffix;
    final String label;

    Factory(String suffix, String label) {
      this.suffix = suffix;
      this.label = label;
    }
  }

  @BeforeAll
  static void startCluster() {
    // a SIGKILLed broker is declared dead after 5 s, as on Kubernetes with tuned session timeouts
    cluster = LocalKafkaCluster.builder()
        .brokerSessionTimeout(Duration.ofSeconds(5))
        .start();
    for (Factory factory : Factory.values()) {
      cluster.createTopic("template-" + factory.suffix, 3, 3);
      cluster.createTopic("transform-out-" + factory.suffix, 3, 3);
    }
    cluster.createTopic("transform-in", 3, 3);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static ConfigurableApplicationContext run(Class<?> application, Factory factory, String... properties) {
    List<String> all = new ArrayList<>(List.of(
        "resilient.kafka.service=" + cluster.serviceFqdn() + ":9092",
        "resilient.kafka.dns-server=" + cluster.dnsAddress().getHostString() + ":" + cluster.dnsAddress().getPort(),
        "resilient.kafka.rack=zone-b",
        "resilient.kafka.producer.enabled=" + (factory == Factory.RESILIENT),
        "spring.kafka.consumer.auto-offset-reset=earliest"));
    all.addAll(List.of(properties));
    for (Map.Entry<String, Object> tls : cluster.clientSecurityProperties().entrySet()) {
      all.add("spring.kafka.properties." + tls.getKey() + "=" + tls.getValue());
    }
    return new SpringApplicationBuilder(application).web(WebApplicationType.NONE)
        .properties(all.toArray(String[]::new)).run();
  }

  // ------------------------------------------------------------------ KafkaTemplate.executeInTransaction

  /** What one application's {@code executeInTransaction} calls did. */
  private record TemplateRun(Factory factory, long coldCommitMillis, long warmCommitMillis, String rollbackError,
      Map<String, Integer> rollbackCallbacks, RuntimeException fencedError, Map<String, Integer> fencedCallbacks,
      Map<String, Long> committed, Map<String, Long> readUncommitted, Map<String, Double> producerRecordsFailed,
      Map<String, Double> factoryRecordsFailed, Map<String, Double> factoryTransactionsFailed,
      List<String> transactionalIds, int liveAfterFence, int liveAfterReset, int liveAtEnd) {

    String line() {
      return String.format("%-40s commit of 20 records %d ms (first, with initTransactions), %d ms (next);"
              + " rollback: '%s', callbacks %s; fenced: %s, callbacks %s; read_committed %s (read_uncommitted %s);"
              + " meters: producer records.failed %s, factory records.failed %s, factory transactions.failed %s;"
              + " transactional.ids %s; live resilient producers after the fence %d, after reset() %d, at the end %d",
          factory.label, coldCommitMillis, warmCommitMillis, rollbackError, rollbackCallbacks, describe(fencedError),
          fencedCallbacks, committed, readUncommitted, producerRecordsFailed, factoryRecordsFailed,
          factoryTransactionsFailed, transactionalIds, liveAfterFence, liveAfterReset, liveAtEnd);
    }
  }

  /**
   * {@code executeInTransaction}: 20 records committed are visible to {@code read_committed}; 20 records
   * sent before the callback throws are rolled back, and so is a transaction whose producer another
   * producer with the same {@code transactional.id} fenced (a record sent after the fence fails); the next
   * transaction commits on a new producer, whose {@code transactional.id} is the prefix and the factory's next
   * suffix.
   * With the starter the fenced commit fails with {@code DeliveryFailedException} {@code FENCED} ({@code
   * CLOSE_PRODUCER}, Kafka's exception as the cause), and the failures stay on the factory's meters after
   * spring-kafka closed the fenced producer: records by their callbacks' causes, the commit as a failed
   * transaction. The factory's {@code reset()} (what a context stop calls) closes the cached producer, and
   * the next transaction commits on a new one.
   */
  @Test
  void executeInTransactionCommitsAndRollsBackBesideSpringsDefaultFactory() throws Exception {
    Map<Factory, TemplateRun> runs = new LinkedHashMap<>();
    for (Factory factory : Factory.values()) {
      runs.put(factory, templateTransactions(factory));
    }
    runs.values().forEach(run -> System.out.println("TXN executeInTransaction " + run.line()));

    TemplateRun resilient = runs.get(Factory.RESILIENT);
    assertThat(resilient.committed()).as("read_committed: prefix of each value -> records")
        .isEqualTo(Map.of("commit", 20L, "warm", 20L, "after", 20L, "reset", 20L));
    assertThat(resilient.readUncommitted()).as("read_uncommitted: the fenced transaction's first record was written")
        .containsEntry("fenced", 1L);
    assertThat(resilient.transactionalIds()).as("transactional.id: the prefix and the factory's next suffix, for the"
        + " first producer, the one after the fence and the one after reset()")
        .containsExactly("template-r-0", "template-r-1", "template-r-2");
    assertThat(List.of(resilient.liveAfterFence(), resilient.liveAfterReset(), resilient.liveAtEnd()))
        .as("live producers: the fenced one closed, the cached one closed by reset(), a new one").containsExactly(1, 0, 1);
    assertThat(resilient.rollbackError()).isEqualTo("the application changed its mind");
    assertThat(resilient.rollbackCallbacks().values().stream().mapToInt(Integer::intValue).sum())
        .as("every rolled-back record's callback ran").isEqualTo(20);
    assertThat(resilient.rollbackCallbacks().keySet()).as("rolled-back records: written then aborted, or failed ABORTED")
        .isSubsetOf("ok", "ABORTED");
    assertThat(resilient.fencedError()).isInstanceOfSatisfying(DeliveryFailedException.class, failed -> {
      assertThat(failed.failureCause()).isEqualTo(FailureCause.FENCED);
      assertThat(failed.recovery()).isEqualTo(DeliveryFailedException.Recovery.CLOSE_PRODUCER);
    }).hasRootCauseInstanceOf(ApplicationRecoverableException.class);
    assertThat(resilient.fencedCallbacks()).isEqualTo(Map.of("FENCED", 1));
    Map<String, Double> failedCallbacks = new TreeMap<>();
    resilient.rollbackCallbacks().forEach((k, v) -> failedCallbacks.merge(k.toLowerCase(Locale.ROOT), (double) v, Double::sum));
    resilient.fencedCallbacks().forEach((k, v) -> failedCallbacks.merge(k.toLowerCase(Locale.ROOT), (double) v, Double::sum));
    failedCallbacks.remove("ok");
    assertThat(resilient.factoryRecordsFailed()).as("factory records.failed by cause, against the callbacks")
        .isEqualTo(failedCallbacks);
    assertThat(resilient.factoryTransactionsFailed()).as("factory transactions.failed: the fenced commit")
        .isEqualTo(Map.of("fenced", 1.0));
  }

  private TemplateRun templateTransactions(Factory factory) throws Exception {
    String topic = "template-" + factory.suffix;
    String prefix = "template-" + factory.suffix + "-";
    try (ConfigurableApplicationContext app = run(TemplateApp.class, factory,
        "spring.kafka.producer.transaction-id-prefix=" + prefix)) {
      assertThat(app.getBean(ProducerFactory.class).getClass())
          .isEqualTo(factory == Factory.RESILIENT ? ResilientKafkaProducerFactory.class
              : DefaultKafkaProducerFactory.class);
      @SuppressWarnings("unchecked")
      KafkaTemplate<String, String> template = app.getBean(KafkaTemplate.class);
      SimpleMeterRegistry registry = app.getBean(SimpleMeterRegistry.class);

      long coldCommitMillis = timedTransaction(template, topic, "commit");
      long warmCommitMillis = timedTransaction(template, topic, "warm");

      Callbacks rollback = new Callbacks();
      String rollbackError;
      try {
        template.executeInTransaction(t -> {
          sendAll(t, topic, "rollback", 20, rollback);
          throw new IllegalStateException("the application changed its mind");
        });
        rollbackError = "committed";
      } catch (IllegalStateException e) {
        rollbackError = e.getMessage();
      }
      rollback.awaitCompleted(20);

      Callbacks fenced = new Callbacks();
      RuntimeException fencedError = null;
      try {
        template.executeInTransaction(t -> {
          join(t.send(topic, "k0", "fenced-0"));
          fence(ongoingTransactionalId(prefix));
          CompletableFuture<?> second = t.send(topic, "k1", "fenced-1");
          second.whenComplete((result, error) -> fenced.completed(error));
          return null;
        });
      } catch (RuntimeException e) {
        fencedError = e;
      }
      fenced.awaitCompleted(1);

      timedTransaction(template, topic, "after");
      ResilientKafkaClients clients = app.getBean(ResilientKafkaClients.class);
      int liveAfterFence = clients.producers().size();
      // as on a context stop: the factory closes its cached transactional producers; the next transaction makes one
      ((DefaultKafkaProducerFactory<?, ?>) app.getBean(ProducerFactory.class)).reset();
      int liveAfterReset = clients.producers().size();
      timedTransaction(template, topic, "reset");
      return new TemplateRun(factory, coldCommitMillis, warmCommitMillis, rollbackError, rollback.byOutcome(),
          fencedError, fenced.byOutcome(), byPrefix(readOnceNoTransactionIsOpen(topic)),
          byPrefix(read(topic, "read_uncommitted")), byCause(registry, "resilientkafka.producer.records.failed"),
          byCause(registry, "resilientkafka.producer.factory.records.failed"),
          byCause(registry, "resilientkafka.producer.factory.transactions.failed"), transactionalIds(prefix),
          liveAfterFence, liveAfterReset, clients.producers().size());
    }
  }

  private static long timedTransaction(KafkaTemplate<String, String> template, String topic, String prefix) {
    long start = System.nanoTime();
    template.executeInTransaction(t -> {
      sendAll(t, topic, prefix, 20, null);
      return null;
    });
    return (System.nanoTime() - start) / 1_000_000;
  }

  private static Map<String, Double> byCause(MeterRegistry registry, String name) {
    Map<String, Double> counts = new TreeMap<>();
    for (Counter counter : registry.find(name).counters()) {
      counts.merge(counter.getId().getTag("cause"), counter.count(), Double::sum);
    }
    return counts;
  }

  private static void sendAll(KafkaOperations<String, String> template, String topic,
      String prefix, int count, Callbacks callbacks) {
    for (int i = 0; i < count; i++) {
      CompletableFuture<?> sent = template.send(topic, "k" + (i % 4), prefix + "-" + i);
      if (callbacks != null) {
        sent.whenComplete((result, error) -> callbacks.completed(error));
      }
    }
  }

  /** The transactional.id of the one transaction of {@code prefix} under way, as the cluster lists it. */
  private static String ongoingTransactionalId(String prefix) {
    try {
      List<String> ids = new ArrayList<>();
      for (TransactionListing listing : cluster.admin().listTransactions(new ListTransactionsOptions()
          .filterStates(List.of(TransactionState.ONGOING))).all().get(30, TimeUnit.SECONDS)) {
        if (listing.transactionalId().startsWith(prefix)) {
          ids.add(listing.transactionalId());
        }
      }
      assertThat(ids).as("transactions of %s under way", prefix).hasSize(1);
      return ids.get(0);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The transactional.ids of {@code prefix} the cluster's coordinators know, in any state. */
  private static List<String> transactionalIds(String prefix) throws Exception {
    return cluster.admin().listTransactions().all().get(30, TimeUnit.SECONDS).stream()
        .map(TransactionListing::transactionalId).filter(id -> id.startsWith(prefix)).sorted().toList();
  }

  /** Another producer takes over {@code transactionalId}: its initTransactions fences the earlier one. */
  private static void fence(String transactionalId) {
    Map<String, Object> config = new HashMap<>(cluster.clientSecurityProperties());
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapFqdns());
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    try (KafkaProducer<String, String> usurper = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
      usurper.initTransactions();
    }
  }

  private static void join(CompletableFuture<?> future) {
    try {
      future.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String describe(RuntimeException error) {
    if (error == null) {
      return "committed";
    }
    String what = error instanceof DeliveryFailedException d ? "DeliveryFailedException " + d.failureCause() + "/"
        + d.recovery() : error.getClass().getSimpleName();
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return what + (root != error ? " (cause " + root.getClass().getSimpleName() + ")" : "");
  }

  /** Outcomes of record callbacks: "ok", a failure cause, or the exception's class. */
  private static final class Callbacks {
    private final Map<String, Integer> outcomes = new ConcurrentHashMap<>();
    private final AtomicInteger completed = new AtomicInteger();

    void completed(Throwable error) {
      Throwable cause = error instanceof CompletionException && error.getCause() != null
          ? error.getCause() : error;
      if (cause instanceof KafkaException && cause.getCause() != null) {
        cause = cause.getCause(); // KafkaTemplate wraps the producer's exception
      }
      String outcome = cause == null ? "ok" : cause instanceof DeliveryFailedException d ? d.failureCause().name()
          : cause.getClass().getSimpleName();
      outcomes.merge(outcome, 1, Integer::sum);
      completed.incrementAndGet();
    }

    void awaitCompleted(int count) {
      await("record callbacks").atMost(Duration.ofSeconds(60)).until(() -> completed.get() >= count);
    }

    Map<String, Integer> byOutcome() {
      return new TreeMap<>(outcomes);
    }
  }

  /** A Boot application with a transactional {@code KafkaTemplate} and a meter registry. */
  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class TemplateApp {
    @Bean
    SimpleMeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }
  }

  // ------------------------------------------------------------------ @Transactional @KafkaListener

  /**
   * Consume-transform-produce: a {@code @Transactional @KafkaListener} writes one output record per input
   * record through the {@code KafkaTemplate}, in the transaction Boot's {@code KafkaTransactionManager}
   * began for the container, which sends the consumer's offsets to it. Input is fed at 5 records/s, about
   * what each application commits on this shared machine (one transaction per record, 100-200 ms), so that
   * neither is left with a backlog to drain at the end; the
   * leader of an output partition is SIGKILLed and restarted once the starter's application committed 100
   * more inputs without it. Read with {@code read_committed},
   * the starter's output holds each input exactly once, every key in order.
   */
  @Test
  void transactionalListenerIsExactlyOnceThroughALeaderKillBesideSpringsDefaultFactory() throws Exception {
    String input = "transform-in";
    AtomicInteger fed = new AtomicInteger();
    ScheduledExecutorService feeder = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "transform-feed"));
    ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "transform-progress"));
    Map<String, Object> feedConfig = new HashMap<>(cluster.clientSecurityProperties());
    feedConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapFqdns());
    Map<Factory, ConfigurableApplicationContext> apps = new LinkedHashMap<>();
    long killedFor;
    int victim;
    try (ResilientProducer<String, String> feed = ResilientProducer.<String, String>builder().config(feedConfig)
        .serializers(new StringSerializer(), new StringSerializer()).build()) {
      for (Factory factory : Factory.values()) {
        apps.put(factory, run(TransformApp.class, factory,
            "spring.kafka.producer.transaction-id-prefix=transform-" + factory.suffix + "-",
            "spring.kafka.consumer.group-id=transform-" + factory.suffix,
            "test.input=" + input, "test.output=transform-out-" + factory.suffix));
      }
      for (ConfigurableApplicationContext app : apps.values()) {
        KafkaTransactionManager<?, ?> manager = app.getBean(KafkaTransactionManager.class);
        assertThat(manager.getProducerFactory()).isSameAs(app.getBean(ProducerFactory.class));
        assertThat(app.getBean(KafkaListenerEndpointRegistry.class).getListenerContainers())
            .as("the listener's container begins Boot's KafkaTransactionManager transactions").singleElement()
            .satisfies(container -> assertThat(container.getContainerProperties().getKafkaAwareTransactionManager())
                .isSameAs(manager));
        assertThat(AopUtils.isAopProxy(app.getBean(Transformer.class))).as("@Transactional applies to the listener")
            .isTrue();
      }
      feeder.scheduleAtFixedRate(() -> {
        int n = fed.getAndIncrement();
        feed.send(new ProducerRecord<>(input, "k" + (n % KEYS), "in-" + n));
      }, 0, 200, TimeUnit.MILLISECONDS);
      long fedSince = System.nanoTime();
      progress.scheduleAtFixedRate(() -> System.out.printf("TXN progress %.0f s: fed %d, committed inputs: starter %d,"
          + " Spring's default %d%n", (System.nanoTime() - fedSince) / 1e9, fed.get(), committedOrMinus("transform-r"),
          committedOrMinus("transform-p")), 5, 5, TimeUnit.SECONDS);
      awaitProgress(50);

      TopicPartition out = new TopicPartition("transform-out-r", 0);
      victim = cluster.leaderOf(out);
      long atKill = committedInputs("transform-r");
      long killed = System.nanoTime();
      cluster.kill(victim);
      cluster.awaitLeaderChange(out, victim, WAIT);
      // two replicas of three keep the ISR at min.insync.replicas: transactions go on while the broker is down
      await("the starter's application committed 100 inputs with broker " + victim + " down").atMost(WAIT)
          .pollInterval(Duration.ofMillis(250)).until(() -> committedInputs("transform-r") >= atKill + 100);
      cluster.start(victim);
      cluster.awaitReady(victim, WAIT);
      killedFor = (System.nanoTime() - killed) / 1_000_000;
      long atRestart = committedInputs("transform-r");
      await("the starter's application committed 100 inputs after the restart").atMost(WAIT)
          .pollInterval(Duration.ofMillis(250)).until(() -> committedInputs("transform-r") >= atRestart + 100);

      feeder.shutdown();
      assertThat(feeder.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
      feed.flush();
      Map<TopicPartition, Long> end = endOffsets(input);
      await("the starter's application consumed every input").atMost(WAIT).until(() -> caughtUp("transform-r", end));
      boolean plainCaughtUp = true;
      try {
        await().atMost(Duration.ofSeconds(60)).until(() -> caughtUp("transform-p", end));
      } catch (ConditionTimeoutException e) {
        plainCaughtUp = false;
      }

      int in = fed.get();
      Map<Factory, TransformReport> reports = new LinkedHashMap<>();
      for (Map.Entry<Factory, ConfigurableApplicationContext> app : apps.entrySet()) {
        Factory factory = app.getKey();
        reports.put(factory, TransformReport.of(factory, in, read("transform-out-" + factory.suffix, "read_committed"),
            app.getValue().getBean(Transformer.class), app.getValue().getBean(MeterRegistry.class)));
      }
      System.out.printf("TXN @Transactional @KafkaListener: %d inputs at 5/s, broker %d (leader of %s) SIGKILLed and"
          + " restarted after %d ms; Spring's default factory caught up: %s%n", in, victim, out, killedFor, plainCaughtUp);
      reports.values().forEach(r -> System.out.println("TXN @Transactional @KafkaListener " + r.line()));

      TransformReport resilient = reports.get(Factory.RESILIENT);
      assertThat(resilient.outsideTransaction()).as("listener calls without a Kafka transaction").isZero();
      assertThat(resilient.missing()).as("inputs missing from the output").isZero();
      assertThat(resilient.duplicates()).as("inputs written twice").isZero();
      assertThat(resilient.reordered()).as("keys out of order").isEmpty();
    } finally {
      feeder.shutdownNow();
      progress.shutdownNow();
      apps.values().forEach(ConfigurableApplicationContext::close);
    }
  }

  /** Waits until both applications committed offsets for at least {@code inputs} inputs. */
  private static void awaitProgress(long inputs) {
    await("both applications committed " + inputs + " inputs").atMost(WAIT).pollInterval(Duration.ofMillis(250))
        .until(() -> committedInputs("transform-r") >= inputs && committedInputs("transform-p") >= inputs);
  }

  private static long committedOrMinus(String group) {
    try {
      return committedInputs(group);
    } catch (Exception e) {
      return -1;
    }
  }

  private static long committedInputs(String group) throws Exception {
    return cluster.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
        .values().stream().filter(Objects::nonNull).mapToLong(OffsetAndMetadata::offset).sum();
  }

  private static Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
    return endOffsets(topic, IsolationLevel.READ_UNCOMMITTED);
  }

  private static Map<TopicPartition, Long> endOffsets(String topic, IsolationLevel isolation) throws Exception {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    for (int p = 0; p < 3; p++) {
      request.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    Map<TopicPartition, Long> end = new HashMap<>();
    cluster.admin().listOffsets(request, new ListOffsetsOptions(isolation)).all().get(30, TimeUnit.SECONDS)
        .forEach((partition, info) -> end.put(partition, info.offset()));
    return end;
  }

  private static boolean caughtUp(String group, Map<TopicPartition, Long> end) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed = cluster.admin().listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
    return end.entrySet().stream().allMatch(e -> committed.get(e.getKey()) != null
        && committed.get(e.getKey()).offset() >= e.getValue());
  }

  /** What the output of one application holds against the inputs fed. */
  private record TransformReport(Factory factory, int in, int out, long missing, long duplicates, List<String> reordered,
      int calls, int outsideTransaction, long longestPauseMillis, Map<String, Double> recordsFailed,
      Map<String, Double> transactionsFailed) {

    static TransformReport of(Factory factory, int in, List<String> keyedOutput, Transformer transformer,
        MeterRegistry registry) {
      Map<String, Integer> copies = new HashMap<>();
      Map<String, Integer> lastByKey = new HashMap<>();
      List<String> reordered = new ArrayList<>();
      for (String keyed : keyedOutput) {
        String[] parts = keyed.split("=", 2);
        copies.merge(parts[1], 1, Integer::sum);
        int n = Integer.parseInt(parts[1].substring("out-in-".length()));
        Integer last = lastByKey.put(parts[0], n);
        if (last != null && last > n && reordered.size() < 5) {
          reordered.add(parts[0] + ": " + last + " before " + n);
        }
      }
      long missing = IntStream.range(0, in).filter(n -> !copies.containsKey("out-in-" + n)).count();
      long duplicates = copies.values().stream().mapToLong(c -> c - 1).sum();
      return new TransformReport(factory, in, keyedOutput.size(), missing, duplicates, reordered, transformer.calls(),
          transformer.outsideTransaction(), transformer.longestPauseMillis(),
          byCause(registry, "resilientkafka.producer.factory.records.failed"),
          byCause(registry, "resilientkafka.producer.factory.transactions.failed"));
    }

    String line() {
      return String.format("%-40s in=%d out(read_committed)=%d missing=%d duplicates=%d reordered=%d | listener calls %d"
              + " (%d again after a rollback), longest pause between calls %d ms; factory meters records.failed %s,"
              + " transactions.failed %s", factory.label, in, out, missing, duplicates, reordered.size(), calls,
          calls - (out - duplicates), longestPauseMillis, recordsFailed, transactionsFailed);
    }
  }

  /** A Boot application whose listener transforms {@code test.input} into {@code test.output}. */
  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class TransformApp {
    @Bean
    SimpleMeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }

    @Bean
    Transformer transformer(KafkaTemplate<String, String> template, @Value("${test.output}") String output) {
      return new Transformer(template, output);
    }
  }

  /** The listener, as an application writes it. */
  static class Transformer {
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger outsideTransaction = new AtomicInteger();
    private final AtomicLong lastCall = new AtomicLong();
    private final AtomicLong longestPause = new AtomicLong();
    private final KafkaTemplate<String, String> template;
    private final String output;

    Transformer(KafkaTemplate<String, String> template, String output) {
      this.template = template;
      this.output = output;
    }

    @KafkaListener(topics = "${test.input}")
    @Transactional
    public void transform(ConsumerRecord<String, String> record) {
      calls.incrementAndGet();
      long now = System.nanoTime();
      long last = lastCall.getAndSet(now);
      if (last != 0) {
        longestPause.accumulateAndGet(now - last, Math::max);
      }
      // KafkaTransactionManager binds its producer as a resource (it does not mark an "actual" transaction)
      if (!template.inTransaction()) {
        outsideTransaction.incrementAndGet();
      }
      template.send(output, record.key(), "out-" + record.value());
    }

    // read through these methods: the bean is a proxy (for @Transactional), whose own fields are not the listener's
    public int calls() {
      return calls.get();
    }

    public int outsideTransaction() {
      return outsideTransaction.get();
    }

    public long longestPauseMillis() {
      return longestPause.get() / 1_000_000;
    }
  }

  // ------------------------------------------------------------------ reading back

  /** Every record of {@code topic} as {@code key=value}, partition by partition, with the given isolation level. */
  /**
   * The topic as {@code read_committed} reads it once every transaction on it has ended. Kafka answers a
   * commit before the coordinator has written its markers to every partition, so just after the commit a
   * {@code read_committed} end (the last stable offset) can still stop short of that transaction's records.
   */
  private static List<String> readOnceNoTransactionIsOpen(String topic) throws Exception {
    try {
      // both ends read again each time: a marker written meanwhile moves the high watermark too
      await("the markers of " + topic + "'s transactions written").atMost(WAIT).pollInterval(Duration.ofMillis(100))
          .until(() -> endOffsets(topic, IsolationLevel.READ_COMMITTED)
              .equals(endOffsets(topic, IsolationLevel.READ_UNCOMMITTED)));
    } catch (ConditionTimeoutException e) {
      Map<String, String> states = new TreeMap<>();
      cluster.admin().listTransactions().all().get(30, TimeUnit.SECONDS)
          .forEach(listing -> states.put(listing.transactionalId(), listing.state().toString()));
      throw new AssertionError(topic + ": high watermarks " + endOffsets(topic, IsolationLevel.READ_UNCOMMITTED)
          + ", last stable offsets " + endOffsets(topic, IsolationLevel.READ_COMMITTED) + "; transactions " + states, e);
    }
    return read(topic, "read_committed");
  }

  private static List<String> read(String topic, String isolation) {
    Map<String, Object> config = new HashMap<>(cluster.clientSecurityProperties());
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapFqdns());
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<String> records = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> partitions = IntStream.range(0, 3).mapToObj(p -> new TopicPartition(topic, p)).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p, Duration.ofSeconds(30)) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read " + topic + " to " + end);
        }
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          records.add(record.key() + "=" + record.value());
        }
      }
    }
    return records;
  }

  /** Record counts by the value's prefix (the part before the first '-'). */
  private static Map<String, Long> byPrefix(List<String> keyed) {
    Map<String, Long> counts = new TreeMap<>();
    keyed.forEach(k -> counts.merge(k.split("=", 2)[1].split("-")[0], 1L, Long::sum));
    return counts;
  }
}
