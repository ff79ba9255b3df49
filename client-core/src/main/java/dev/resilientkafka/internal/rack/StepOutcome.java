package dev.resilientkafka.internal.rack;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What one discovery step gave.
 *
 * @param step the step's name
 * @param kind found, not applicable or failed
 * @param rack the rack when found
 * @param detail why it did not apply or how it failed
 */
public record StepOutcome(String step, Kind kind, @Nullable String rack, String detail) {
  /** The three ways a step ends. */
  public enum Kind { FOUND, NOT_APPLICABLE, FAILED }

  public Optional<String> foundRack() {
    return Optional.ofNullable(rack);
  }
}
