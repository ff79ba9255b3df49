package dev.resilientkafka.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.resilientkafka.BootstrapException;
import dev.resilientkafka.DeliveryFailedException;
import dev.resilientkafka.FailureCause;
import dev.resilientkafka.OverflowPolicy;
import dev.resilientkafka.ResilientConsumer;
import dev.resilientkafka.ResilientProducer;
import dev.resilientkafka.ResilientProducerConfig;
import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad input and misuse against one real cluster (and, for outages that need no broker at all, a
 * loopback port where nothing listens): each case ends in a clear error or a defined outcome, and no
 * record disappears without its callback (or a throwing {@code send()}) telling the caller.
 */
class BadInputAndMisuseTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static LocalKafkaCluster cluster;
  private static DeliveryChecker checker;
  private static String deadBootstrap;

  @BeforeAll
  static void startCluster() throws IOException {
    cluster = LocalKafkaCluster.start();
    checker = new DeliveryChecker(cluster.bootstrapFqdns(), Map.of(), VerifyClients.ID_HEADER);
    try (ServerSocket socket = new ServerSocket(0)) {
      deadBootstrap = "127.0.0.1:" + socket.getLocalPort();
    }
  }

  @AfterAll
  static void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void leaveTheClusterHealthy() {
    cluster.dns().clearFaults();
    FaultSchedule.heal(cluster);
  }

  private static ResilientProducer.Builder<String, String> producerBuilder() {
    return ResilientProducer.<String, String>builder()
        .config(VerifyClients.serviceBootstrap(cluster))
        .serializers(new StringSerializer(), new StringSerializer());
  }

  private static ResilientProducer.Builder<String, String> deadProducerBuilder() {
    return ResilientProducer.<String, String>builder()
        .bootstrapServers(deadBootstrap)
        .config("reconnect.backoff.max.ms", 1000)
        .serializers(new StringSerializer(), new StringSerializer());
  }

  // ------------------------------------------------------------------ configuration

  @Test
  void malformedValuesAreRefusedNamingTheKeyAndTheAcceptedValues() {
    assertThatThrownBy(() -> producerBuilder().config(ResilientProducerConfig.BUFFER_MAX_RECORDS, "lots").build())
        .isInstanceOf(ConfigException.class).hasMessageContaining(ResilientProducerConfig.BUFFER_MAX_RECORDS)
        .hasMessageContaining("lots");
    assertThatThrownBy(() -> producerBuilder().config(ResilientProducerConfig.BUFFER_MAX_BYTES, "-5").build())
        .isInstanceOf(ConfigException.class).hasMessageContaining(ResilientProducerConfig.BUFFER_MAX_BYTES)
        .hasMessageContaining("accepted values: 1 to 549755813887");
    // the bound is one packed word (records and bytes): a count beyond it is refused by name, not wrapped
    assertThatThrownBy(() -> producerBuilder().config(ResilientProducerConfig.BUFFER_MAX_RECORDS, 16_777_216).build())
        .isInstanceOf(ConfigException.class).hasMessageContaining(ResilientProducerConfig.BUFFER_MAX_RECORDS)
        .hasMessageContaining("1 to 16777215");
    assertThatThrownBy(() -> producerBuilder().config(ResilientProducerConfig.AVAILABILITY_MODE, "yes").build())
        .isInstanceOf(ConfigException.class).hasMessageContaining(ResilientProducerConfig.AVAILABILITY_MODE)
        .hasMessageContaining("true, false");
    assertThatThrownBy(() -> producerBuilder().config("max.in.flight.requests.per.connection", 9).build())
        .isInstanceOf(ConfigException.class).hasMessageContaining("max.in.flight.requests.per.connection")
        .hasMessageContaining("1 to 5");
    assertThatThrownBy(() -> producerBuilder().config("resilient.bootstrap.port", "99999").build())
        .isInstanceOf(ConfigException.class).hasMessageContaining("resilient.bootstrap.port")
        .hasMessageContaining("65535");
    assertThatThrownBy(() -> producerBuilder().config("bootstrap.servers", cluster.bootstrapFqdns()).build())
        .as("both bootstrap.servers and the service").isInstanceOf(ConfigException.class)
        .hasMessageContaining("bootstrap.servers").hasMessageContaining("resilient.bootstrap.service");
    assertThatThrownBy(() -> ResilientProducer.<String, String>builder().config(VerifyClients.serviceBootstrap(cluster))
        .config("value.serializer", "org.example.NoSuchSerializer").config("key.serializer", StringSerializer.class).build())
        .isInstanceOf(ConfigException.class).hasMessageContaining("value.serializer");
    assertThatThrownBy(() -> consumerBuilder().property("resilient.consumer.dedup.window", "many").build())
        .isInstanceOf(ConfigException.class).hasMessageContaining("resilient.consumer.dedup.window");
  }

  @Test
  void unknownKeysUnderTheBootstrapAndConsumerPrefixesAreRefused() {
    assertThatThrownBy(() -> producerBuilder().config("resilient.bootstrap.srvice", "kafka-svc").build())
        .isInstanceOf(ConfigException.class).hasMessageContaining("resilient.bootstrap.srvice")
        .hasMessageContaining("resilient.bootstrap.service");
    assertThatThrownBy(() -> consumerBuilder().property("resilient.consumer.dedup.windw", 10).build())
        .isInstanceOf(ConfigException.class).hasMessageContaining("resilient.consumer.dedup.windw")
        .hasMessageContaining("resilient.consumer.dedup.window");
  }

  /**
   * FINDING (ProducerSettings): a misspelt producer key under {@code resilient.} is dropped silently; a
   * user who writes {@code resilient.buffer.max.record=10} gets the default bound of 100000 records and
   * no warning. The bootstrap and consumer prefixes refuse unknown keys; the producer's should too.
   */
  @Test
  void anUnknownProducerKeyUnderTheLibraryPrefixIsRefused() {
    assertThatThrownBy(() -> {
      try (ResilientProducer<String, String> ignored =
          producerBuilder().config("resilient.buffer.max.record", 10).build()) {
        // built: the typo was accepted
      }
    }).isInstanceOf(ConfigException.class).hasMessageContaining("resilient.buffer.max.record");
  }

  // ------------------------------------------------------------------ DNS

  @Test
  void dnsFailuresAtStartAreNamedAndDnsFailuresWhileRunningLoseNothing() throws Exception {
    cluster.dns().failName(cluster.serviceFqdn(), 2);
    assertThatThrownBy(() -> producerBuilder().config("resilient.bootstrap.timeout.ms", 1500).build())
        .isInstanceOf(BootstrapException.class)
        .hasMessageContaining(cluster.serviceFqdn()).hasMessageContaining("SERVFAIL");
    cluster.dns().clearFaults();
    cluster.dns().dropQueries(true);
    assertThatThrownBy(() -> producerBuilder().config("resilient.bootstrap.timeout.ms", 1500)
            .config("resilient.bootstrap.dns.timeout.ms", 300).build())
        .isInstanceOf(BootstrapException.class).hasMessageContaining(VerifyClients.dnsServer(cluster));
    cluster.dns().dropQueries(false);

    String topic = "dns-while-running";
    cluster.createTopic(topic, 3, 3);
    VerifyClients.EventCounts events = new VerifyClients.EventCounts();
    DeliveryReport report;
    try (VerifyingProducer producer = new VerifyingProducer(VerifyClients.producer(cluster, events), topic, 3, 1)) {
      producer.start();
      producer.awaitAckedMore(50, WAIT);
      cluster.dns().dropQueries(true);
      producer.awaitAckedMore(200, WAIT);
      cluster.dns().dropQueries(false);
      producer.stopAndAwaitCallbacks(WAIT);
      report = checker.check("dns-dropped-while-running", topic, producer).print();
    }
    report.assertGuarantees("DNS dropping queries while producing");
    assertThat(report.failed()).isZero();
  }

  // ------------------------------------------------------------------ records

  @Test
  void oversizeRecordsFailTheirOwnCallbackAndTheNextRecordIsDelivered() throws Exception {
    cluster.createTopic("oversize", 3, 3);
    try (ResilientProducer<String, String> producer = producerBuilder().bufferMaxBytes(4L * 1024 * 1024).build()) {
      AtomicReference<Exception> overKafka = new AtomicReference<>();
      AtomicReference<Exception> overBuffer = new AtomicReference<>();
      Future<RecordMetadata> tooBigForKafka = producer.send(
          new ProducerRecord<>("oversize", "k", "x".repeat(2 * 1024 * 1024)), (m, e) -> overKafka.set(e));
      Future<RecordMetadata> tooBigForBuffer = producer.send(
          new ProducerRecord<>("oversize", "k", "x".repeat(5 * 1024 * 1024)), (m, e) -> overBuffer.set(e));
      RecordMetadata next = producer.send(new ProducerRecord<>("oversize", "k", "small")).get(30, TimeUnit.SECONDS);

      await().atMost(WAIT).until(() -> overKafka.get() != null && overBuffer.get() != null);
      System.out.printf("oversize (2 MiB > max.request.size): %s%noversize (5 MiB > buffer): %s%n",
          overKafka.get(), overBuffer.get());
      for (Exception e : List.of(overKafka.get(), overBuffer.get())) {
        assertThat(e).isInstanceOfSatisfying(DeliveryFailedException.class,
            d -> assertThat(d.failureCause()).isEqualTo(FailureCause.REJECTED)).hasCauseInstanceOf(RecordTooLargeException.class);
      }
      assertThat(tooBigForKafka).isDone();
      assertThat(tooBigForBuffer).isDone();
      assertThat(next.offset()).isNotNegative();
      assertThat(producer.bufferedRecords()).isZero();
    }
  }

  @Test
  void aThrowingSerializerFailsThatSendAndTheProducerGoesOn() throws Exception {
    cluster.createTopic("bad-serializer", 3, 3);
    Serializer<String> picky = (topic, data) -> {
      if (data.startsWith("poison")) {
        throw new SerializationException("cannot serialize " + data);
      }
      return data.getBytes(StandardCharsets.UTF_8);
    };
    VerifyClients.EventCounts events = new VerifyClients.EventCounts();
    try (ResilientProducer<String, String> producer = ResilientProducer.<String, String>builder()
        .config(VerifyClients.serviceBootstrap(cluster)).serializers(new StringSerializer(), picky)
        .listener(events).build()) {
      AtomicInteger callbacks = new AtomicInteger();
      assertThatThrownBy(() -> producer.send(new ProducerRecord<>("bad-serializer", "k", "poison-1"),
          (m, e) -> callbacks.incrementAndGet()))
          .isInstanceOf(SerializationException.class).hasMessageContaining("poison-1");
      RecordMetadata ok = producer.send(new ProducerRecord<>("bad-serializer", "k", "fine")).get(30, TimeUnit.SECONDS);
      assertThat(ok.offset()).isZero();
      assertThat(callbacks).as("send() threw: the caller was told, no callback").hasValue(0);
      assertThat(events.failed).as("the rejected record is counted").hasValue(1);
      assertThat(producer.bufferedRecords()).isZero();
    }
  }

  @Test
  void throwingCallbacksDoNotStopOtherRecordsOrTheirCallbacks() throws Exception {
    String topic = "throwing-callbacks";
    cluster.createTopic(topic, 3, 3);
    AtomicInteger calls = new AtomicInteger();
    try (ResilientProducer<String, String> producer = producerBuilder().build()) {
      List<Future<RecordMetadata>> futures = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        futures.add(producer.send(new ProducerRecord<>(topic, "k" + (i % 3), "k" + (i % 3) + "-" + i), (m, e) -> {
          calls.incrementAndGet();
          throw new IllegalStateException("callback bug");
        }));
      }
      producer.flush();
      for (Future<RecordMetadata> future : futures) {
        assertThat(future.get(30, TimeUnit.SECONDS).offset()).isNotNegative();
      }
      assertThat(producer.send(new ProducerRecord<>(topic, "k0", "k0-500")).get(30, TimeUnit.SECONDS)).isNotNull();
    }
    assertThat(calls).hasValue(500);
  }

  @Test
  void sendAfterCloseThrowsAndCloseTwiceIsHarmless() {
    ResilientProducer<String, String> producer = producerBuilder().build();
    producer.close(Duration.ofSeconds(10));
    producer.close(Duration.ofSeconds(10));
    assertThatThrownBy(() -> producer.send(new ProducerRecord<>("after-close", "k", "v"), (m, e) -> {}))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  @Test
  void closeDuringAnOutageTellsEveryCallbackWithinTheBound() throws Exception {
    String topic = "close-in-outage";
    cluster.createTopic(topic, 3, 3);
    Map<Integer, Exception> failures = new ConcurrentHashMap<>();
    Set<Integer> acked = ConcurrentHashMap.newKeySet();
    ResilientProducer<String, String> producer = producerBuilder().build();
    producer.send(new ProducerRecord<>(topic, "warm", "up")).get(30, TimeUnit.SECONDS);
    // two brokers hang: every partition's acks=all waits (resume heals at once, unlike a restart)
    cluster.pause(1);
    cluster.pause(2);
    int count = 300;
    for (int i = 0; i < count; i++) {
      int n = i;
      producer.send(new ProducerRecord<>(topic, "k" + (i % 3), "v" + i), (m, e) -> {
        if (e == null) {
          acked.add(n);
        } else {
          failures.put(n, e);
        }
      });
    }
    long start = System.nanoTime();
    producer.close(Duration.ofSeconds(3));
    long closeMs = (System.nanoTime() - start) / 1_000_000;
    System.out.printf("close(3 s) with two brokers paused took %d ms: %d acked, %d failed %s%n", closeMs,
        acked.size(), failures.size(), failures.values().stream().findFirst().map(Exception::toString).orElse(""));
    assertThat(acked.size() + failures.size()).as("every callback told").isEqualTo(count);
    assertThat(failures.values()).allSatisfy(e -> assertThat(e).isInstanceOfSatisfying(DeliveryFailedException.class,
        d -> assertThat(d.failureCause()).isEqualTo(FailureCause.CLOSED)));
    assertThat(closeMs).isLessThan(15_000);
    assertThat(producer.bufferedRecords()).isZero();
  }

  @Test
  void anInterruptedSenderWaitingForRoomGetsInterruptExceptionAndNothingElseIsLost() throws Exception {
    Map<Integer, Exception> failures = new ConcurrentHashMap<>();
    ResilientProducer<String, String> producer = deadProducerBuilder().bufferMaxRecords(5)
        .overflowPolicy(OverflowPolicy.BLOCK).blockTimeout(Duration.ofMinutes(5)).build();
    for (int i = 0; i < 5; i++) {
      int n = i;
      producer.send(new ProducerRecord<>("nowhere", "k", "v" + i), (m, e) -> failures.put(n, e));
    }
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicReference<Boolean> flagAfter = new AtomicReference<>();
    AtomicInteger sixthCallback = new AtomicInteger();
    CountDownLatch started = new CountDownLatch(1);
    Thread sender = new Thread(() -> {
      started.countDown();
      try {
        producer.send(new ProducerRecord<>("nowhere", "k", "v5"), (m, e) -> sixthCallback.incrementAndGet());
      } catch (Throwable t) {
        thrown.set(t);
      }
      flagAfter.set(Thread.currentThread().isInterrupted());
    }, "blocked-sender");
    sender.start();
    started.await();
    await().atMost(WAIT).until(() -> sender.getState() == Thread.State.TIMED_WAITING || sender.getState() == Thread.State.WAITING);
    sender.interrupt();
    sender.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(sender.isAlive()).isFalse();
    assertThat(thrown.get()).as("send() refused the record by throwing").isInstanceOf(InterruptException.class);
    assertThat(flagAfter.get()).as("interrupt status kept").isTrue();
    assertThat(sixthCallback).hasValue(0);
    assertThat(producer.bufferedRecords()).isEqualTo(5);
    producer.close(Duration.ZERO);
    assertThat(failures).hasSize(5);
    assertThat(failures.values()).allSatisfy(e -> assertThat(((DeliveryFailedException) e).failureCause())
        .isEqualTo(FailureCause.CLOSED));
  }

  @Test
  void eightThreadsSendingTwoThousandRecordsEachKeepPerThreadOrderAndLoseNothing() throws Exception {
    String topic = "concurrent-senders";
    cluster.createTopic(topic, 3, 3);
    int threads = 8;
    int perThread = 2000;
    Set<String> acked = ConcurrentHashMap.newKeySet();
    Set<String> failed = ConcurrentHashMap.newKeySet();
    AtomicInteger callbacks = new AtomicInteger();
    long start = System.nanoTime();
    try (ResilientProducer<String, String> producer = producerBuilder().build()) {
      List<Thread> senders = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String key = "t" + t;
        Thread sender = new Thread(() -> {
          for (int i = 0; i < perThread; i++) {
            String value = key + "-" + i;
            producer.send(new ProducerRecord<>(topic, key, value), (m, e) -> {
              callbacks.incrementAndGet();
              (e == null ? acked : failed).add(value);
            });
          }
        }, "sender-" + t);
        senders.add(sender);
        sender.start();
      }
      for (Thread sender : senders) {
        sender.join(TimeUnit.SECONDS.toMillis(60));
      }
      producer.flush();
    }
    long ms = (System.nanoTime() - start) / 1_000_000;
    DeliveryReport report = checker.check("8x2000-threads", topic, (long) threads * perThread, acked, failed,
        Math.max(0, callbacks.get() - (long) threads * perThread), 0).print();
    System.out.printf("8 threads x 2000 records: %d ms%n", ms);
    report.assertGuarantees("8 threads x 2000 records");
    assertThat(report.acked()).isEqualTo((long) threads * perThread);
  }

  // ------------------------------------------------------------------ de-duplication

  /**
   * A re-send after an unknown outcome writes a second copy with the same record id; a ResilientConsumer
   * with de-duplication on (default header) must leave the copy out. The copy is made here by writing
   * the record again, headers included, with a plain producer.
   */
  @Test
  void aCopyCarryingTheSameRecordIdIsRemovedByTheConsumersDefaultDeduplication() throws Exception {
    String topic = "dedup-copy";
    cluster.createTopic(topic, 1, 3);
    try (ResilientProducer<String, String> producer = producerBuilder().build()) {
      producer.send(new ProducerRecord<>(topic, "k", "original")).get(30, TimeUnit.SECONDS);
    }
    ConsumerRecord<byte[], byte[]> original = readRaw(topic).get(0);
    assertThat(original.headers().lastHeader(VerifyClients.ID_HEADER)).as("record-id header stamped").isNotNull();
    Map<String, Object> plain = new HashMap<>();
    plain.put("bootstrap.servers", cluster.bootstrapFqdns());
    try (KafkaProducer<byte[], byte[]> copier = new KafkaProducer<>(plain, new ByteArraySerializer(), new ByteArraySerializer())) {
      copier.send(new ProducerRecord<>(topic, null, original.key(), original.value(), original.headers())).get(30, TimeUnit.SECONDS);
    }
    assertThat(readRaw(topic)).hasSize(2);

    List<String> values = new ArrayList<>();
    try (ResilientConsumer<String, String> consumer = consumerBuilder().property("resilient.consumer.dedup.window", 1000).build()) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      await().atMost(WAIT).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
        return consumer.position(partition) >= 2;
      });
    }
    System.out.printf("dedup: 2 copies written, consumer returned %s%n", values);
    assertThat(values).containsExactly("original");
  }

  /**
   * The application's headers reach the topic as given, in order and with repeated keys, then what the
   * serializer added, then the record id; the application's record is left as it was, so sending the same
   * object twice writes two records with one id each.
   */
  @Test
  void theApplicationsHeadersArriveInOrderFollowedByTheRecordId() throws Exception {
    String topic = "headers-kept";
    cluster.createTopic(topic, 1, 3);
    Serializer<String> tagging = new Serializer<>() {
      @Override
      public byte[] serialize(String t, String data) {
        return data.getBytes(StandardCharsets.UTF_8);
      }

      @Override
      public byte[] serialize(String t, Headers headers, String data) {
        headers.remove("serialized-by").add("serialized-by", "tagging".getBytes(StandardCharsets.UTF_8));
        return serialize(t, data);
      }
    };
    ProducerRecord<String, String> record = new ProducerRecord<>(topic, "k", "v");
    record.headers().add("a", new byte[] {1}).add("b", new byte[] {2}).add("a", null);
    try (ResilientProducer<String, String> producer = ResilientProducer.<String, String>builder()
        .config(VerifyClients.serviceBootstrap(cluster)).serializers(new StringSerializer(), tagging).build()) {
      producer.send(record).get(30, TimeUnit.SECONDS);
      producer.send(record).get(30, TimeUnit.SECONDS);
    }
    List<ConsumerRecord<byte[], byte[]>> written = readRaw(topic);
    assertThat(written).hasSize(2);
    List<String> ids = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> copy : written) {
      List<String> keys = new ArrayList<>();
      copy.headers().forEach(header -> keys.add(header.key()));
      assertThat(keys).containsExactly("a", "b", "a", "serialized-by", ResilientProducerConfig.DEFAULT_RECORD_ID_HEADER);
      assertThat(copy.headers().headers("a")).extracting(Header::value)
          .containsExactly(new byte[] {1}, null);
      ids.add(new String(copy.headers().lastHeader(ResilientProducerConfig.DEFAULT_RECORD_ID_HEADER).value(),
          StandardCharsets.US_ASCII));
    }
    System.out.printf("headers: 2 records written from one ProducerRecord, ids %s%n", ids);
    assertThat(ids).doesNotHaveDuplicates();
    List<String> left = new ArrayList<>();
    record.headers().forEach(header -> left.add(header.key()));
    assertThat(left).as("the application's record, after two sends").containsExactly("a", "b", "a", "serialized-by");
  }

  private static ResilientConsumer.Builder<String, String> consumerBuilder() {
    return ResilientConsumer.<String, String>builder()
        .config(VerifyClients.serviceBootstrap(cluster))
        .keyDeserializer(new StringDeserializer()).valueDeserializer(new StringDeserializer())
        .rackDiscovery(dev.resilientkafka.RackDiscovery.NONE);
  }

  private static List<ConsumerRecord<byte[], byte[]>> readRaw(String topic) {
    Map<String, Object> config = new HashMap<>();
    config.put("bootstrap.servers", cluster.bootstrapFqdns());
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      await().atMost(WAIT).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        return consumer.position(partition) >= end;
      });
    }
    return records;
  }
}
