package dev.resilientkafka.examples;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One {@code --name [value]} option of a subcommand.
 *
 * @param name the option with its dashes, e.g. {@code --bootstrap-server}
 * @param valueName how the value is shown in help (e.g. {@code <host:port,...>}), or null for a flag
 *     without a value
 * @param description one line for {@code --help}
 * @param repeatable whether it may be given more than once (e.g. {@code --property})
 */
public record OptionSpec(String name, @Nullable String valueName, String description, boolean repeatable) {
  /**
   * @throws IllegalArgumentException if {@code name} does not start with {@code --}
   */
  public OptionSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    if (!name.startsWith("--") || name.length() < 3) {
      throw new IllegalArgumentException("name must look like --option, got: " + name);
    }
  }

  /** An option that takes one value, given at most once. */
  public static OptionSpec value(String name, String valueName, String description) {
    return new OptionSpec(name, valueName, description, false);
  }

  /** An option that takes a value and may be repeated. */
  public static OptionSpec repeatable(String name, String valueName, String description) {
    return new OptionSpec(name, valueName, description, true);
  }

  /** A flag without a value. */
  public static OptionSpec flag(String name, String description) {
    return new OptionSpec(name, null, description, false);
  }

  /** Whether the option takes a value. */
  public boolean takesValue() {
    return valueName != null;
  }

  /** {@code --name <value>} or {@code --name}, as shown in help. */
  public String synopsis() {
    return valueName == null ? name : name + " " + valueName;
  }
}
