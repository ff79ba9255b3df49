package dev.resilientkafka.spring;

import org.jspecify.annotations.Nullable;

/**
 * A {@code resilient.kafka.*} property has a value the library cannot work with. Thrown while the
 * properties are bound; {@link ResilientKafkaFailureAnalyzer} turns it into Boot's start-up failure
 * report naming the property, the value and what is accepted. Immutable.
 */
public final class InvalidResilientKafkaPropertyException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String property;
  private final @Nullable String value;
  private final String accepted;

  /**
   * @param property the full property name, e.g. {@code resilient.kafka.producer.buffer-max-records}
   * @param value the value as bound (its string form), or null when missing
   * @param accepted what would be accepted, e.g. {@code a whole number > 0}
   */
  public InvalidResilientKafkaPropertyException(String property, @Nullable Object value, String accepted) {
    super("Invalid value " + value + " for " + property + ": " + accepted);
    this.property = property;
    this.value = value == null ? null : String.valueOf(value);
    this.accepted = accepted;
  }

  /** The full property name. */
  public String property() {
    return property;
  }

  /** The rejected value, null when it was missing. */
  public @Nullable String value() {
    return value;
  }

  /** What the property accepts. */
  public String accepted() {
    return accepted;
  }
}
