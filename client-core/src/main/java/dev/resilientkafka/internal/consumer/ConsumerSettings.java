package dev.resilientkafka.internal.consumer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * The {@code resilient.consumer.*} settings, read and removed from a consumer's configuration. Immutable.
 *
 * @param dedupWindow how many record ids are remembered, over all partitions, to drop duplicates (a repeat
 *     of an id in the same topic and partition); 0 (default) turns it off. Int 0..10000000. A partition's
 *     ids are forgotten when it is revoked, lost or assigned anew, or sought (see {@link DuplicateFilter})
 * @param dedupHeader header carrying the producer's record id; default {@code resilient-record-id}
 * @param verifyRack whether brokers' racks and replica selector are checked at start-up; default true
 * @param diagnosticsInterval how often broker racks and the group coordinator's {@code __consumer_offsets}
 *     partition are checked; default 10 s; 0 turns the periodic check off. Consumers of one cluster in one
 *     JVM share the questions: the cluster is asked at the shortest interval among them, once for all
 */
public record ConsumerSettings(int dedupWindow, String dedupHeader, boolean verifyRack, Duration diagnosticsInterval) {
  public static final String DEDUP_WINDOW = "resilient.consumer.dedup.window";
  public static final String DEDUP_HEADER = "resilient.consumer.dedup.header";
  public static final String VERIFY_RACK = "resilient.consumer.rack.verify";
  public static final String DIAGNOSTICS_INTERVAL_MS = "resilient.consumer.diagnostics.interval.ms";
  public static final List<String> KEYS = List.of(DEDUP_WINDOW, DEDUP_HEADER, VERIFY_RACK, DIAGNOSTICS_INTERVAL_MS);
  public static final String DEFAULT_HEADER = dev.resilientkafka.ResilientProducerConfig.DEFAULT_RECORD_ID_HEADER;

  /**
   * Removes the {@code resilient.consumer.*} keys from {@code config} and validates them.
   *
   * @throws ConfigException naming the key and the accepted values, also for an unknown key of this prefix
   */
  public static ConsumerSettings extract(Map<String, Object> config) {
    for (String key : config.keySet()) {
      if (key.startsWith("resilient.consumer.") && !KEYS.contains(key)) {
        throw new ConfigException(key, config.get(key), "unknown setting; accepted keys are " + KEYS);
      }
    }
    int window = (int) number(config.remove(DEDUP_WINDOW), DEDUP_WINDOW, 0, 0, 10_000_000,
        "an integer from 0 (off) to 10000000");
    Object header = config.remove(DEDUP_HEADER);
    String headerName = header == null ? DEFAULT_HEADER : header.toString().trim();
    if (headerName.isEmpty()) {
      throw new ConfigException(DEDUP_HEADER, header, "must be a non-empty header name");
    }
    Object verify = config.remove(VERIFY_RACK);
    boolean verifyRack = true;
    if (verify != null) {
      String v = verify.toString().trim();
      if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
        throw new ConfigException(VERIFY_RACK, verify, "accepted values are true and false");
      }
      verifyRack = Boolean.parseBoolean(v);
    }
    long interval = number(config.remove(DIAGNOSTICS_INTERVAL_MS), DIAGNOSTICS_INTERVAL_MS, 10_000, 0,
        Long.MAX_VALUE, "a number of milliseconds >= 0 (0 = off)");
    return new ConsumerSettings(window, headerName, verifyRack, Duration.ofMillis(interval));
  }

  private static long number(Object value, String key, long fallback, long min, long max, String accepted) {
    if (value == null) {
      return fallback;
    }
    try {
      long n = value instanceof Number number ? number.longValue() : Long.parseLong(value.toString().trim());
      if (n < min || n > max) {
        throw new ConfigException(key, value, "must be " + accepted);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ConfigException(key, value, "must be " + accepted);
    }
  }
}
