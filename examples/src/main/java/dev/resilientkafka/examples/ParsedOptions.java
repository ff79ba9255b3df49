package dev.resilientkafka.examples;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The options of one subcommand's command line, parsed and checked against its {@link OptionSpec}s by
 * {@link #parse}: every option is known, has its value, and non-repeatable options appear once.
 * Immutable.
 */
public final class ParsedOptions {
  private static final String HELP = "--help";

  private final String command;
  private final Map<String, List<String>> values;
  private final boolean help;

  private ParsedOptions(String command, Map<String, List<String>> values, boolean help) {
    this.command = command;
    this.values = values;
    this.help = help;
  }

  /**
   * Parses {@code --name value}, {@code --name=value} and value-less flags; {@code --help} and {@code -h}
   * are always accepted.
   *
   * @param command the subcommand, named in error messages
   * @param specs the accepted options
   * @param args the arguments after the subcommand
   * @throws UsageException naming the offending argument and the accepted options
   */
  public static ParsedOptions parse(String command, List<OptionSpec> specs, List<String> args)
      throws UsageException {
    Map<String, OptionSpec> byName = new LinkedHashMap<>();
    for (OptionSpec spec : specs) {
      byName.put(spec.name(), spec);
    }
    Map<String, List<String>> values = new LinkedHashMap<>();
    boolean help = false;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals(HELP) || arg.equals("-h")) {
        help = true;
        continue;
      }
      if (!arg.startsWith("--")) {
        throw new UsageException(
            "unexpected argument '" + arg + "' for " + command + ": it takes options only; accepted: "
                + accepted(specs));
      }
      int equals = arg.indexOf('=');
      String name = equals < 0 ? arg : arg.substring(0, equals);
      OptionSpec spec = byName.get(name);
      if (spec == null) {
        throw new UsageException(
            "unknown option " + name + " for " + command + "; accepted: " + accepted(specs));
      }
      String value;
      if (!spec.takesValue()) {
        if (equals >= 0) {
          throw new UsageException(name + " takes no value, got '" + arg.substring(equals + 1) + "'");
        }
        value = "true";
      } else if (equals >= 0) {
        value = arg.substring(equals + 1);
      } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
        value = args.get(++i);
      } else {
        throw new UsageException(name + " needs a value: " + spec.synopsis());
      }
      List<String> list = values.computeIfAbsent(name, n -> new ArrayList<>());
      if (!list.isEmpty() && !spec.repeatable()) {
        throw new UsageException(name + " may be given once, got '" + list.get(0) + "' and '" + value + "'");
      }
      list.add(value);
    }
    values.replaceAll((name, list) -> List.copyOf(list));
    return new ParsedOptions(command, Map.copyOf(values), help);
  }

  private static String accepted(List<OptionSpec> specs) {
    List<String> names = new ArrayList<>();
    for (OptionSpec spec : specs) {
      names.add(spec.name());
    }
    names.add(HELP);
    return String.join(", ", names);
  }

  /** Whether {@code --help} or {@code -h} was given. */
  public boolean helpRequested() {
    return help;
  }

  /** Whether the option was given. */
  public boolean has(String name) {
    return values.containsKey(name);
  }

  /** The option's value (the last one if repeatable), if given. */
  public Optional<String> value(String name) {
    List<String> list = values.get(name);
    return list == null ? Optional.empty() : Optional.of(list.get(list.size() - 1));
  }

  /** Every value of a repeatable option, in order; empty if not given. */
  public List<String> values(String name) {
    return values.getOrDefault(name, List.of());
  }

  /**
   * The value of an option that must be given.
   *
   * @throws UsageException if it is missing
   */
  public String required(String name) throws UsageException {
    return value(name).orElseThrow(() -> new UsageException(command + " needs " + name));
  }

  /**
   * The option's value as an int, or {@code fallback} when not given.
   *
   * @throws UsageException if the value is not an integer within {@code [min, max]}
   */
  public int intValue(String name, int fallback, int min, int max) throws UsageException {
    Optional<String> raw = value(name);
    if (raw.isEmpty()) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(raw.get().trim());
      if (parsed < min || parsed > max) {
        throw new UsageException(
            "invalid value " + raw.get() + " for " + name + ": must be between " + min + " and " + max);
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new UsageException("invalid value " + raw.get() + " for " + name + ": must be an integer");
    }
  }
}
