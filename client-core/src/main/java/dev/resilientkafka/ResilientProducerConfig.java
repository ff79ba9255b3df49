package dev.resilientkafka;

import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Type.BOOLEAN;
import static org.apache.kafka.common.config.ConfigDef.Type.INT;
import static org.apache.kafka.common.config.ConfigDef.Type.LONG;
import static org.apache.kafka.common.config.ConfigDef.Type.STRING;

import dev.resilientkafka.internal.config.Accepts;
import dev.resilientkafka.internal.spool.FsyncPolicy;
import org.apache.kafka.common.config.ConfigDef;

/**
 * The producer's {@code resilient.*} configuration keys, given beside Kafka's producer keys (or through
 * {@link ResilientProducer.Builder}). {@link #configDef()} is their one definition: type, default,
 * accepted values, importance and documentation of each key, as Kafka's {@code ProducerConfig} keeps its
 * own; the configuration reference ({@code docs/configuration.md}) is generated from it. A producer also
 * reads the bootstrap keys of {@link ResilientBootstrapConfig}. Constants only; not instantiable.
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

  /** The record deadline from {@code send()}, in ms; see {@link #configDef()}. */
  public static final String DELIVERY_TIMEOUT_MS = "resilient.delivery.timeout.ms";

  /** Default of {@link #DELIVERY_TIMEOUT_MS}: 10 minutes. */
  public static final long DEFAULT_DELIVERY_TIMEOUT_MS = 600_000L;

  /** The bound on records accepted and not yet completed; see {@link #configDef()}. */
  public static final String BUFFER_MAX_RECORDS = "resilient.buffer.max.records";

  /** Default of {@link #BUFFER_MAX_RECORDS}. */
  public static final int DEFAULT_BUFFER_MAX_RECORDS = 100_000;

  /** The bound on bytes of records accepted and not yet completed; see {@link #configDef()}. */
  public static final String BUFFER_MAX_BYTES = "resilient.buffer.max.bytes";

  /** Default of {@link #BUFFER_MAX_BYTES}: 32 MiB. */
  public static final long DEFAULT_BUFFER_MAX_BYTES = 32L * 1024 * 1024;

  /** What {@code send()} does when the buffer is full, an {@link OverflowPolicy}; see {@link #configDef()}. */
  public static final String BUFFER_OVERFLOW_POLICY = "resilient.buffer.overflow.policy";

  /** How long {@code send()} waits for room under {@link OverflowPolicy#BLOCK}, in ms; see {@link #configDef()}. */
  public static final String BUFFER_BLOCK_MS = "resilient.buffer.block.ms";

  /** Default of {@link #BUFFER_BLOCK_MS}. */
  public static final long DEFAULT_BUFFER_BLOCK_MS = 60_000L;

  /** The name of the record-id header; see {@link #configDef()}. */
  public static final String RECORD_ID_HEADER = "resilient.record.id.header";

  /** Default of {@link #RECORD_ID_HEADER}. */
  public static final String DEFAULT_RECORD_ID_HEADER = "resilient-record-id";

  /** Whether weaker {@code acks} and idempotence off are allowed; see {@link #configDef()}. */
  public static final String AVAILABILITY_MODE = "resilient.availability.mode";

  /** The first delay before a refused record is offered again, in ms; see {@link #configDef()}. */
  public static final String RETRY_BACKOFF_MS = "resilient.retry.backoff.ms";

  /** Default of {@link #RETRY_BACKOFF_MS}. */
  public static final long DEFAULT_RETRY_BACKOFF_MS = 100L;

  /** The longest delay between offers of a refused record, in ms; see {@link #configDef()}. */
  public static final String RETRY_BACKOFF_MAX_MS = "resilient.retry.backoff.max.ms";

  /** Default of {@link #RETRY_BACKOFF_MAX_MS}, as Kafka's own {@code retry.backoff.max.ms}. */
  public static final long DEFAULT_RETRY_BACKOFF_MAX_MS = 1_000L;

  /** How long an idle topic's state is kept, in ms; see {@link #configDef()}. */
  public static final String TOPIC_IDLE_MS = "resilient.topic.idle.ms";

  /** Default of {@link #TOPIC_IDLE_MS}: 10 minutes. */
  public static final long DEFAULT_TOPIC_IDLE_MS = 600_000L;

  /** The durable spool's directory; see {@link #configDef()}. */
  public static final String SPOOL_DIR = "resilient.spool.dir";

  /** The bound on bytes in the spool; see {@link #configDef()}. */
  public static final String SPOOL_MAX_BYTES = "resilient.spool.max.bytes";

  /** Default of {@link #SPOOL_MAX_BYTES}: 1 GiB. */
  public static final long DEFAULT_SPOOL_MAX_BYTES = 1L << 30;

  /** When the spool forces its writes to disk; see {@link #configDef()}. */
  public static final String SPOOL_FSYNC = "resilient.spool.fsync";

  /** Default of {@link #SPOOL_FSYNC}: every 100 ms. */
  public static final String DEFAULT_SPOOL_FSYNC = "100";

  private static final ConfigDef CONFIG = new ConfigDef()
      .define(DELIVERY_TIMEOUT_MS, LONG, DEFAULT_DELIVERY_TIMEOUT_MS, Accepts.atLeast(1), HIGH,
          "How long a record may take from send() to its acknowledgement before its callback is told it failed,"
              + " in ms; it covers broker outages (Kafka's own default of 2 minutes does not). When unset, Kafka's"
              + " delivery.timeout.ms is used if given. Must be at least linger.ms + request.timeout.ms (which the library"
              + " sets to 15000 unless given or not idempotent, Kafka's default being 30000).")
      .define(BUFFER_MAX_RECORDS, INT, DEFAULT_BUFFER_MAX_RECORDS, Accepts.between(1, 16_777_215), HIGH,
          "Most records accepted by send() and not yet completed (acknowledged or failed). When reached, the"
              + " overflow policy applies. With a spool, only what is held in memory counts.")
      .define(BUFFER_MAX_BYTES, LONG, DEFAULT_BUFFER_MAX_BYTES, Accepts.between(1, (1L << 39) - 1), HIGH,
          "Most serialized bytes (keys, values and headers) of the records accepted and not yet completed; 32 MiB"
              + " by default. Kafka's buffer.memory is raised above it. With a spool, only what is held in memory"
              + " counts.")
      .define(BUFFER_OVERFLOW_POLICY, STRING, OverflowPolicy.BLOCK.name(),
          Accepts.oneOf("BLOCK", "DROP_NEWEST", "DROP_OLDEST", "FAIL"), HIGH,
          "What send() does when the buffer (or the spool) is full: BLOCK waits for room up to"
              + " resilient.buffer.block.ms, DROP_NEWEST fails the new record, DROP_OLDEST fails the oldest waiting"
              + " record to make room, FAIL throws from send().")
      .define(BUFFER_BLOCK_MS, LONG, DEFAULT_BUFFER_BLOCK_MS, Accepts.atLeast(0), MEDIUM,
          "How long send() waits for room under the BLOCK policy, in ms, before the record fails. When unset,"
              + " Kafka's max.block.ms is used if given.")
      .define(RECORD_ID_HEADER, STRING, DEFAULT_RECORD_ID_HEADER, MEDIUM,
          "Name of the header carrying each record's unique id: a 26-character ULID, printable (Kafka's console"
              + " consumer with print.headers=true shows it on the record's line) and sortable by time, so that"
              + " consumers can drop the duplicates a re-send after an unknown outcome can cause. Kafka writes it"
              + " with every record (name and value, 45 bytes with the default name: about 4 % of a 1 KiB record,"
              + " and most of what the library costs over a plain producer at saturation). An empty value turns"
              + " the header off.")
      .define(AVAILABILITY_MODE, BOOLEAN, false, MEDIUM,
          "true allows acks other than all and enable.idempotence=false: the availability-first trade-off for"
              + " metrics-like data, where losing or duplicating a record while brokers fail is acceptable. Logged"
              + " at start-up.")
      .define(RETRY_BACKOFF_MS, LONG, DEFAULT_RETRY_BACKOFF_MS, Accepts.atLeast(1), LOW,
          "First delay, in ms, before a record Kafka refused (its accumulator full: buffer.memory) is offered again;"
              + " doubled on each further refusal, with +-50 % jitter, up to resilient.retry.backoff.max.ms."
              + " Records waiting for a topic's metadata are not backed off: they go as soon as Kafka has it.")
      .define(RETRY_BACKOFF_MAX_MS, LONG, DEFAULT_RETRY_BACKOFF_MAX_MS, Accepts.atLeast(1), LOW,
          "Longest delay between offers of a record Kafka refused, in ms (as Kafka's own retry.backoff.max.ms);"
              + " at least resilient.retry.backoff.ms.")
      .define(TOPIC_IDLE_MS, LONG, DEFAULT_TOPIC_IDLE_MS, Accepts.atLeast(1), LOW,
          "How long the producer keeps its state for a topic (partitions, records in flight) once no record"
              + " of it is pending and none was sent for this long, in ms; for applications that write to many"
              + " short-lived topics.")
      .define(SPOOL_DIR, STRING, null, HIGH,
          "Directory of the durable spool, e.g. on a PersistentVolume or an emptyDir that outlives container"
              + " restarts; unset (the default) means no spool. With a spool, records that do not fit in memory"
              + " wait on disk instead of triggering the overflow policy, and a producer started on a directory"
              + " with records in it (left by an earlier process) sends them first, in order, with their record"
              + " ids. One producer per directory.")
      .define(SPOOL_MAX_BYTES, LONG, DEFAULT_SPOOL_MAX_BYTES, Accepts.atLeast(1), MEDIUM,
          "Most bytes of records in the spool not yet acknowledged; 1 GiB by default. When reached, the overflow"
              + " policy applies with the cause SPOOL_FULL.")
      .define(SPOOL_FSYNC, STRING, DEFAULT_SPOOL_FSYNC,
          Accepts.parsable("always, never, or an interval in ms > 0 (e.g. 100)", FsyncPolicy::parse),
          MEDIUM,
          "When the spool forces its writes to disk: always (send() returns once the record is on disk;"
              + " concurrent sends share one fsync), an interval in ms (a crash of the machine loses at most that"
              + " interval's records, a crash of the process alone loses nothing), or never (the operating system"
              + " decides).");

  /**
   * The definition of every key above (a copy: changing it changes nothing here). Thread-safe.
   *
   * @return Kafka's {@link ConfigDef} of the producer's {@code resilient.*} keys
   */
  public static ConfigDef configDef() {
    return new ConfigDef(CONFIG);
  }
}
