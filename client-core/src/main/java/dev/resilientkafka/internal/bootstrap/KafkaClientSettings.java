package dev.resilientkafka.internal.bootstrap;

import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.ConfigException;

/**
 * The Kafka client settings that let a client follow pods that move: re-resolve every address of a
 * name on each connect, rebootstrap from the pod FQDNs soon when every known broker is unreachable, and
 * retry connections quickly. A user's value wins when it keeps that property; otherwise it fails with a
 * {@link ConfigException} naming the key.
 */
final class KafkaClientSettings {
  static final String DNS_LOOKUP = CommonClientConfigs.CLIENT_DNS_LOOKUP_CONFIG;
  static final String RECOVERY = "metadata.recovery.strategy"; // Kafka 3.8+
  static final String REBOOTSTRAP_TRIGGER = "metadata.recovery.rebootstrap.trigger.ms"; // Kafka 4.0+
  static final String RECONNECT_BACKOFF = CommonClientConfigs.RECONNECT_BACKOFF_MS_CONFIG;
  static final String RECONNECT_BACKOFF_MAX = CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG;
  static final String SETUP_TIMEOUT = CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG;
  static final String SETUP_TIMEOUT_MAX = CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG;

  /** Defaults applied when the user set nothing. */
  static final long DEFAULT_REBOOTSTRAP_TRIGGER_MS = 10_000;
  static final long DEFAULT_RECONNECT_BACKOFF_MS = 100;
  static final long DEFAULT_RECONNECT_BACKOFF_MAX_MS = 1_000;
  static final long DEFAULT_SETUP_TIMEOUT_MS = 2_000;
  static final long DEFAULT_SETUP_TIMEOUT_MAX_MS = 5_000;

  /** Above these a moved broker is found too late: the user's value fails. */
  static final long MAX_REBOOTSTRAP_TRIGGER_MS = 60_000;
  static final long MAX_RECONNECT_BACKOFF_MAX_MS = 10_000;
  static final long MAX_SETUP_TIMEOUT_MS = 10_000;
  static final long MAX_SETUP_TIMEOUT_MAX_MS = 30_000;

  private KafkaClientSettings() {}

  /** Checks the user's values, then fills in the rest. Fails before anything is changed. */
  static void apply(Map<String, Object> config) {
    validate(config);
    config.putIfAbsent(DNS_LOOKUP, "use_all_dns_ips");
    config.putIfAbsent(RECOVERY, "rebootstrap");
    config.putIfAbsent(REBOOTSTRAP_TRIGGER, DEFAULT_REBOOTSTRAP_TRIGGER_MS);
    config.putIfAbsent(RECONNECT_BACKOFF, DEFAULT_RECONNECT_BACKOFF_MS);
    config.putIfAbsent(RECONNECT_BACKOFF_MAX, DEFAULT_RECONNECT_BACKOFF_MAX_MS);
    config.putIfAbsent(SETUP_TIMEOUT, DEFAULT_SETUP_TIMEOUT_MS);
    config.putIfAbsent(SETUP_TIMEOUT_MAX, DEFAULT_SETUP_TIMEOUT_MAX_MS);
  }

  static void validate(Map<String, Object> config) {
    Object lookup = config.get(DNS_LOOKUP);
    if (lookup != null && !String.valueOf(lookup).strip().equals("use_all_dns_ips")) {
      throw new ConfigException(DNS_LOOKUP, lookup,
          "with a headless-service bootstrap only use_all_dns_ips follows pods that move"
              + " (resolve_canonical_bootstrap_servers_only turns pod names into addresses once); remove it or set use_all_dns_ips");
    }
    Object recovery = config.get(RECOVERY);
    if (recovery != null && !String.valueOf(recovery).strip().equalsIgnoreCase("rebootstrap")) {
      throw new ConfigException(RECOVERY, recovery,
          "with a headless-service bootstrap the client must rebootstrap when every known broker has moved; remove it or set rebootstrap");
    }
    atMost(config, REBOOTSTRAP_TRIGGER, MAX_REBOOTSTRAP_TRIGGER_MS);
    atMost(config, RECONNECT_BACKOFF, MAX_RECONNECT_BACKOFF_MAX_MS);
    atMost(config, RECONNECT_BACKOFF_MAX, MAX_RECONNECT_BACKOFF_MAX_MS);
    atMost(config, SETUP_TIMEOUT, MAX_SETUP_TIMEOUT_MS);
    atMost(config, SETUP_TIMEOUT_MAX, MAX_SETUP_TIMEOUT_MAX_MS);
  }

  private static void atMost(Map<String, Object> config, String key, long max) {
    Object value = config.get(key);
    if (value == null) {
      return;
    }
    long parsed;
    try {
      parsed = value instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(value).strip());
    } catch (NumberFormatException e) {
      throw new ConfigException(key, value, "must be a whole number of milliseconds");
    }
    if (parsed < 0 || parsed > max) {
      throw new ConfigException(key, value,
          "must be between 0 and " + max + " ms with a headless-service bootstrap, or a moved broker is found too late");
    }
  }
}
