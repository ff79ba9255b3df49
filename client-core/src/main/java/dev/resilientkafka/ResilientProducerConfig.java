package dev.resilientkafka;

/**
 * The {@code resilient.*} configuration keys of {@link ResilientProducer}, given beside Kafka's producer
 * keys (or through {@link ResilientProducer.Builder}). Constants only; not instantiable.
 *
 * <p>Kafka keys the producer manages: {@code acks} ({@code all}), {@code enable.idempotence} ({@code
 * true}), {@code retries} (max), {@code max.in.flight.requests.per.connection} (at most 5), {@code
 * max.block.ms} (0 inside; a user value becomes {@link #BUFFER_BLOCK_MS} when that is not set), {@code
 * delivery.timeout.ms} (a user value becomes {@link #DELIVERY_TIMEOUT_MS} when that is not set; with
 * {@code transactional.id} it also bounds {@code initTransactions}, {@code commitTransaction} and {@code
 * abortTransaction}, default 60000, as on {@code KafkaProducer}). {@code transactional.id} is supported
 * (not with {@link #AVAILABILITY_MODE}); see {@link ResilientProducer} for what holds in transactional
 * mode. Not supported yet: {@code partitioner.class}, {@code interceptor.classes}.
 */
public final class ResilientProducerConfig {
  private ResilientProducerConfig() {}

  /**
   * How long a record may take from {@code send()} to its acknowledgement before it fails, in ms; covers
   * broker outages. Default {@value #DEFAULT_DELIVERY_TIMEOUT_MS} (10 minutes); at least {@code
   * linger.ms + request.timeout.ms}.
   */
  public static final String DELIVERY_TIMEOUT_MS = "resilient.delivery.timeout.ms";

  /** Default of {@link #DELIVERY_TIMEOUT_MS}. */
  public static final long DEFAULT_DELIVERY_TIMEOUT_MS = 600_000L;

  /** Most records accepted and not yet completed. Default {@value #DEFAULT_BUFFER_MAX_RECORDS}; > 0. */
  public static final String BUFFER_MAX_RECORDS = "resilient.buffer.max.records";

  /** Default of {@link #BUFFER_MAX_RECORDS}. */
  public static final int DEFAULT_BUFFER_MAX_RECORDS = 100_000;

  /**
   * Most serialized bytes (keys, values and headers) of records accepted and not yet completed. Default
   * {@value #DEFAULT_BUFFER_MAX_BYTES} (32 MiB); > 0. Kafka's {@code buffer.memory} is raised above it.
   */
  public static final String BUFFER_MAX_BYTES = "resilient.buffer.max.bytes";

  /** Default of {@link #BUFFER_MAX_BYTES}. */
  public static final long DEFAULT_BUFFER_MAX_BYTES = 32L * 1024 * 1024;

  /** {@link OverflowPolicy} name: BLOCK (default), DROP_NEWEST, DROP_OLDEST, FAIL; case-insensitive. */
  public static final String BUFFER_OVERFLOW_POLICY = "resilient.buffer.overflow.policy";

  /** How long {@code send()} waits for room under {@link OverflowPolicy#BLOCK}, in ms. Default 60000. */
  public static final String BUFFER_BLOCK_MS = "resilient.buffer.block.ms";

  /** Default of {@link #BUFFER_BLOCK_MS}. */
  public static final long DEFAULT_BUFFER_BLOCK_MS = 60_000L;

  /**
   * Name of the header carrying each record's unique id (a 26-character ULID, printable: Kafka's console
   * consumer with {@code print.headers=true} shows it on the record's line), so that consumers can drop the
   * duplicates a re-send after an unknown outcome can cause. Default {@value #DEFAULT_RECORD_ID_HEADER};
   * an empty value turns the header off.
   */
  public static final String RECORD_ID_HEADER = "resilient.record.id.header";

  /** Default of {@link #RECORD_ID_HEADER}. */
  public static final String DEFAULT_RECORD_ID_HEADER = "resilient-record-id";

  /**
   * {@code true} allows {@code acks} other than {@code all} and {@code enable.idempotence=false}: the
   * availability-first trade-off for metrics-like data, logged at start-up and visible in metrics.
   * Default {@code false}.
   */
  public static final String AVAILABILITY_MODE = "resilient.availability.mode";

  /**
   * First delay before a record Kafka refused (its accumulator full) is offered again, in ms; doubled
   * on each refusal, with jitter, up to {@link #RETRY_BACKOFF_MAX_MS}. Records waiting for a topic's
   * metadata are not backed off: they go as soon as Kafka has it. Default 100.
   */
  public static final String RETRY_BACKOFF_MS = "resilient.retry.backoff.ms";

  /** Longest delay between offers of a record Kafka refused, in ms. Default 1000 (as Kafka's own). */
  public static final String RETRY_BACKOFF_MAX_MS = "resilient.retry.backoff.max.ms";

  /**
   * How long the producer keeps its state for a topic (partitions, sticky choice) once no record of it is
   * pending and none was sent for this long, in ms; for applications that write to many short-lived topics. Default {@value
   * #DEFAULT_TOPIC_IDLE_MS} (10 minutes); > 0.
   */
  public static final String TOPIC_IDLE_MS = "resilient.topic.idle.ms";

  /** Default of {@link #TOPIC_IDLE_MS}. */
  public static final long DEFAULT_TOPIC_IDLE_MS = 600_000L;

  /**
   * Directory of the durable spool, e.g. on a PersistentVolume or an {@code emptyDir} that outlives
   * container restarts. When set, every record {@code send()} accepts is written there before {@code
   * send()} returns and removed once Kafka acknowledged it; a producer started on a directory with records
   * in it sends them again first, in order, with their record ids. One process per directory. Default:
   * none (no spool).
   */
  public static final String SPOOL_DIR = "resilient.spool.dir";

  /**
   * Most bytes of records in the spool not yet acknowledged; when reached, the overflow policy applies with
   * cause {@code SPOOL_FULL}. With a spool, {@link #BUFFER_MAX_BYTES} and {@link #BUFFER_MAX_RECORDS} only
   * bound what is held in memory (handed to Kafka or about to be); the rest waits on disk. Default {@value
   * #DEFAULT_SPOOL_MAX_BYTES} (1 GiB); > 0.
   */
  public static final String SPOOL_MAX_BYTES = "resilient.spool.max.bytes";

  /** Default of {@link #SPOOL_MAX_BYTES}. */
  public static final long DEFAULT_SPOOL_MAX_BYTES = 1L << 30;

  /**
   * When the spool forces its writes to disk: {@code always} ({@code send()} returns once the record is on
   * disk; concurrent sends share one fsync), an interval in ms (a machine crash loses at most that
   * interval's records; a crash of the process alone loses nothing), or {@code never}. Default {@value
   * #DEFAULT_SPOOL_FSYNC}.
   */
  public static final String SPOOL_FSYNC = "resilient.spool.fsync";

  /** Default of {@link #SPOOL_FSYNC}. */
  public static final String DEFAULT_SPOOL_FSYNC = "100";
}
