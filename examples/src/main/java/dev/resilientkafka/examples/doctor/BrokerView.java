package dev.resilientkafka.examples.doctor;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A registered broker as the doctor saw it.
 *
 * @param id {@code node.id}
 * @param host the host it advertises on the listener the doctor connected through
 * @param port that listener's port
 * @param rack its {@code broker.rack}, or null if it has none
 * @param fenced true if registered but not serving (stopped, starting, or lost its session)
 * @param config its configuration from describeConfigs; empty if it could not be read (fenced brokers)
 */
public record BrokerView(
    int id, String host, int port, @Nullable String rack, boolean fenced, Map<String, String> config) {
  /** Copies the configuration. */
  public BrokerView {
    Objects.requireNonNull(host, "host");
    config = Map.copyOf(config);
  }

  /** Whether describeConfigs answered for this broker. */
  public boolean configKnown() {
    return !config.isEmpty();
  }

  /** A configuration value, if known and set. */
  public Optional<String> configValue(String key) {
    return Optional.ofNullable(config.get(key));
  }

  /** {@code 2 (kafka-2.kafka-svc..., zone-c)}, for messages. */
  public String describe() {
    return id + " (" + host + ", " + (rack == null ? "no rack" : rack) + (fenced ? ", fenced" : "") + ")";
  }
}
