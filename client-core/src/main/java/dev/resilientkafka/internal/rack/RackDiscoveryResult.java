package dev.resilientkafka.internal.rack;

import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of a whole discovery: the rack (first hit), the step that gave it, and every step tried.
 *
 * @param rack the rack, null when no step found one
 * @param source the name of the step that found it, or {@code none}
 * @param outcomes every step tried, in order
 */
public record RackDiscoveryResult(@Nullable String rack, String source, List<StepOutcome> outcomes) {
  public RackDiscoveryResult {
    outcomes = List.copyOf(outcomes);
  }

  public Optional<String> foundRack() {
    return Optional.ofNullable(rack);
  }
}
