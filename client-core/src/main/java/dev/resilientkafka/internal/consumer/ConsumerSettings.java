package dev.resilientkafka.internal.consumer;

import dev.resilientkafka.ResilientConsumerConfig;
import dev.resilientkafka.internal.config.ParsedConfig;
import java.time.Duration;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The {@code resilient.consumer.*} settings ({@link ResilientConsumerConfig}: meaning, default and accepted
 * values of each), read and removed from a consumer's configuration. Immutable.
 *
 * @param dedupWindow how many record ids are remembered to drop duplicates; 0 turns it off (see {@link
 *     DuplicateFilter})
 * @param dedupHeader header carrying the producer's record id
 * @param verifyRack whether brokers' racks and replica selector are checked at start-up
 * @param diagnosticsInterval how often broker racks and the group coordinator are checked; 0 only at start
 */
public record ConsumerSettings(int dedupWindow, String dedupHeader, boolean verifyRack, Duration diagnosticsInterval) {
  public static final String DEDUP_WINDOW = ResilientConsumerConfig.DEDUP_WINDOW;
  public static final String DEDUP_HEADER = ResilientConsumerConfig.DEDUP_HEADER;
  public static final String VERIFY_RACK = ResilientConsumerConfig.VERIFY_RACK;
  public static final String DIAGNOSTICS_INTERVAL_MS = ResilientConsumerConfig.DIAGNOSTICS_INTERVAL_MS;
  private static final ConfigDef DEFINITION = ResilientConsumerConfig.configDef();

  /**
   * Removes the {@code resilient.consumer.*} keys from {@code config} and validates them.
   *
   * @throws ConfigException naming the key and the accepted values, also for an unknown key of this prefix
   */
  public static ConsumerSettings extract(Map<String, Object> config) {
    for (String key : config.keySet()) {
      if (key.startsWith(ResilientConsumerConfig.PREFIX) && !DEFINITION.names().contains(key)) {
        throw new ConfigException(key, config.get(key), "unknown setting; accepted keys are "
            + new TreeSet<>(DEFINITION.names()));
      }
    }
    ParsedConfig values = ParsedConfig.parse(DEFINITION, config);
    config.keySet().removeIf(key -> key.startsWith(ResilientConsumerConfig.PREFIX));
    return new ConsumerSettings(values.getInt(DEDUP_WINDOW), java.util.Objects.requireNonNull(values.getString(DEDUP_HEADER)),
        values.getBoolean(VERIFY_RACK), Duration.ofMillis(values.getLong(DIAGNOSTICS_INTERVAL_MS)));
  }
}
