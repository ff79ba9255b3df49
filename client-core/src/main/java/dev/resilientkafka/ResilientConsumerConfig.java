package dev.resilientkafka;

import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Type.BOOLEAN;
import static org.apache.kafka.common.config.ConfigDef.Type.INT;
import static org.apache.kafka.common.config.ConfigDef.Type.LONG;
import static org.apache.kafka.common.config.ConfigDef.Type.STRING;

import dev.resilientkafka.internal.config.Accepts;
import org.apache.kafka.common.config.ConfigDef;

/**
 * The consumer's {@code resilient.consumer.*} configuration keys, given beside Kafka's consumer keys.
 * {@link #configDef()} is their one definition (type, default, accepted values, importance,
 * documentation); the configuration reference is generated from it. A consumer also reads the keys of
 * {@link ResilientBootstrapConfig} and {@link ResilientRackConfig}. Constants only; not instantiable.
 */
public final class ResilientConsumerConfig {
  private ResilientConsumerConfig() {}

  /** The prefix of the consumer's keys. */
  public static final String PREFIX = "resilient.consumer.";

  /** How many record ids are remembered to drop duplicates; see {@link #configDef()}. */
  public static final String DEDUP_WINDOW = PREFIX + "dedup.window";

  /** The header carrying the producer's record id; see {@link #configDef()}. */
  public static final String DEDUP_HEADER = PREFIX + "dedup.header";

  /** Whether the brokers' racks and replica selector are checked; see {@link #configDef()}. */
  public static final String VERIFY_RACK = PREFIX + "rack.verify";

  /** How often the cluster is checked for racks and a stalled group coordinator; see {@link #configDef()}. */
  public static final String DIAGNOSTICS_INTERVAL_MS = PREFIX + "diagnostics.interval.ms";

  /** Default of {@link #DIAGNOSTICS_INTERVAL_MS}. */
  public static final long DEFAULT_DIAGNOSTICS_INTERVAL_MS = 10_000L;

  private static final ConfigDef CONFIG = new ConfigDef()
      .define(DEDUP_WINDOW, INT, 0, Accepts.between(0, 10_000_000), MEDIUM,
          "How many record ids are remembered, over all partitions, to drop duplicates: a record whose id (the"
              + " dedup header) was seen in the same topic and partition among the last that many is left out of"
              + " poll() and reported to listeners. 0 turns de-duplication off. A partition's ids are forgotten"
              + " when it is revoked, lost or assigned anew, or sought, so a re-delivery Kafka makes on purpose is"
              + " never dropped and delivery stays at least once.")
      .define(DEDUP_HEADER, STRING, ResilientProducerConfig.DEFAULT_RECORD_ID_HEADER, Accepts.nonEmpty(), LOW,
          "Header carrying the producer's record id, the same name as the producer's resilient.record.id.header."
              + " Any non-empty header value is accepted as an id.")
      .define(VERIFY_RACK, BOOLEAN, true, LOW,
          "Whether the consumer checks at start that some broker is in its client.rack and that brokers use a"
              + " rack-aware replica selector, and warns with the fix when not.")
      .define(DIAGNOSTICS_INTERVAL_MS, LONG, DEFAULT_DIAGNOSTICS_INTERVAL_MS, Accepts.atLeast(0), LOW,
          "How often broker racks and the group coordinator's __consumer_offsets partition are checked, in ms, so"
              + " that a group stalled by __consumer_offsets below min.insync.replicas is named; 0 checks only at"
              + " start. Consumers of one cluster in one JVM share the questions: the cluster is asked at the"
              + " shortest interval among them, once for all.");

  /**
   * The definition of every key above (a copy). Thread-safe.
   *
   * @return Kafka's {@link ConfigDef} of the consumer's {@code resilient.consumer.*} keys
   */
  public static ConfigDef configDef() {
    return new ConfigDef(CONFIG);
  }
}
