package dev.resilientkafka.internal.producer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.metrics.KafkaMetric;

/**
 * The inner producer as the library sees it with {@code max.block.ms=0}, in memory, for the model
 * checker, which cannot run Kafka's network client: until {@link #metadataArrives()} it refuses every
 * record at once (its callback told on the calling thread, as {@code KafkaProducer} does), after that it
 * takes records in the order of its {@code send()} calls and completes them when {@link #completeTaken()}
 * is called (Kafka's I/O thread). A hook can hold a thread inside {@code send()} to force an
 * interleaving. It notes when it was given a second record of a partition while the first was in flight
 * and none of that partition had completed yet ({@link #overtakeRisked()}). Thread-safe.
 */
final class ScriptedInnerProducer implements Producer<byte[], byte[]> {
  private static final Node NODE = new Node(0, "broker-0", 9092);

  private final int partitions;
  private final List<String> taken = new ArrayList<>();
  private final ConcurrentLinkedQueue<Object[]> toComplete = new ConcurrentLinkedQueue<>();
  private final java.util.Set<Integer> acknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile boolean overtakeRisked;
  private volatile boolean metadata;
  private volatile Consumer<String> insideSend = value -> { };
  private volatile Consumer<String> afterTaken = value -> { };
  private volatile Exception refuseWith;
  private volatile Consumer<String> onPartitionsFor = topic -> { };

  /** Runs {@code hook} at the start of every later partitionsFor(): where a sender asks for metadata. */
  void onPartitionsFor(Consumer<String> hook) {
    onPartitionsFor = hook;
  }

  ScriptedInnerProducer(int partitions) {
    this.partitions = partitions;
  }

  /** A producer with {@code partitions} partitions per topic whose metadata has arrived already. */
  static ScriptedInnerProducer withMetadata(int partitions) {
    ScriptedInnerProducer inner = new ScriptedInnerProducer(partitions);
    inner.metadataArrives();
    return inner;
  }

  void metadataArrives() {
    metadata = true;
  }

  /** Runs {@code hook} inside every later send(), with the record's value, before Kafka takes or refuses it. */
  void insideSend(Consumer<String> hook) {
    insideSend = hook;
  }

  /** Runs {@code hook} inside every later send() that Kafka took, after it took the record. */
  void afterTaken(Consumer<String> hook) {
    afterTaken = hook;
  }

  /** Makes every later send() refuse its record with {@code refusal} (null: take records again). */
  void refuseWith(Exception refusal) {
    refuseWith = refusal;
  }

  /** Values of the records taken, in the order Kafka took them. */
  synchronized List<String> taken() {
    return List.copyOf(taken);
  }

  /** Completes every record taken so far, in order: Kafka's I/O thread. */
  void completeTaken() {
    Object[] next;
    while ((next = toComplete.poll()) != null) {
      complete(next);
    }
  }

  /** Fails every record taken so far, in order, with {@code error}: Kafka giving up on them. */
  void failTaken(Exception error) {
    Object[] next;
    while ((next = toComplete.poll()) != null) {
      ((Callback) next[1]).onCompletion((RecordMetadata) next[0], error);
    }
  }

  /**
   * Whether a second record of an explicit partition was taken while the first was in flight, before any of
   * that partition completed: where a new idempotent producer's later batch can overtake its first one.
   */
  boolean overtakeRisked() {
    return overtakeRisked;
  }

  private void complete(Object[] taken) {
    RecordMetadata metadata = (RecordMetadata) taken[0];
    acknowledged.add(metadata.partition());
    ((Callback) taken[1]).onCompletion(metadata, null);
  }

  /**
   * Completes the records taken so far except those whose value {@code holdBack} accepts (a partition
   * whose broker stopped answering holds its records while the other partitions' complete).
   */
  void completeTakenExcept(Predicate<String> holdBack) {
    List<Object[]> kept = new ArrayList<>();
    Object[] next;
    while ((next = toComplete.poll()) != null) {
      if (holdBack.test((String) next[2])) {
        kept.add(next);
      } else {
        complete(next);
      }
    }
    toComplete.addAll(kept);
  }

  @Override
  public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
    insideSend.accept(new String(record.value()));
    Exception refusal = refuseWith;
    if (refusal == null && metadata && record.partition() != null && record.partition() >= partitions) {
      refusal = new TimeoutException("Partition " + record.partition() + " of topic " + record.topic()
          + " with partition count " + partitions + " is not present in metadata after 0 ms.");
    }
    if (!metadata || refusal != null) {
      Exception refused = refusal != null ? refusal
          : new TimeoutException("Topic " + record.topic() + " not present in metadata after 0 ms.");
      callback.onCompletion(new RecordMetadata(new TopicPartition(record.topic(), -1), -1, -1, -1, -1, -1), refused);
      return CompletableFuture.failedFuture(refused);
    }
    RecordMetadata metadata;
    synchronized (this) {
      taken.add(new String(record.value()));
      // no partition given: Kafka's own partitioner chooses one
      int partition = record.partition() != null ? record.partition() : taken.size() % partitions;
      metadata = new RecordMetadata(new TopicPartition(record.topic(), partition), taken.size(), 0, 0, 0, 0);
      if (record.partition() != null && !acknowledged.contains(partition)
          && toComplete.stream().anyMatch(t -> ((RecordMetadata) t[0]).partition() == partition)) {
        overtakeRisked = true;
      }
    }
    toComplete.add(new Object[] {metadata, callback, new String(record.value())});
    afterTaken.accept(new String(record.value()));
    return CompletableFuture.completedFuture(metadata);
  }

  @Override
  public List<PartitionInfo> partitionsFor(String topic) {
    onPartitionsFor.accept(topic);
    if (!metadata) {
      throw new TimeoutException("Topic " + topic + " not present in metadata after 0 ms.");
    }
    List<PartitionInfo> infos = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      infos.add(new PartitionInfo(topic, p, NODE, new Node[] {NODE}, new Node[] {NODE}));
    }
    return infos;
  }

  @Override
  public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
    return send(record, (m, e) -> { });
  }

  @Override
  public void flush() {
    completeTaken();
  }

  @Override
  public void close() {
  }

  @Override
  public void close(Duration timeout) {
  }

  @Override
  public void initTransactions() {
    throw new UnsupportedOperationException();
  }

  @Override
  public void beginTransaction() {
    throw new UnsupportedOperationException();
  }

  @Override
  public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void commitTransaction() {
    throw new UnsupportedOperationException();
  }

  @Override
  public void abortTransaction() {
    throw new UnsupportedOperationException();
  }

  @Override
  public void registerMetricForSubscription(KafkaMetric metric) {
  }

  @Override
  public void unregisterMetricFromSubscription(KafkaMetric metric) {
  }

  @Override
  public Map<MetricName, ? extends Metric> metrics() {
    return Map.of();
  }

  @Override
  public Uuid clientInstanceId(Duration timeout) {
    throw new UnsupportedOperationException();
  }
}
