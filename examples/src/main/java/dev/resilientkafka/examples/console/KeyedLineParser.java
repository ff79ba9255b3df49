package dev.resilientkafka.examples.console;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Turns a line of input into a key and value the way Kafka's console producer does with {@code
 * parse.key=true}: the key is the text before the first separator, the value everything after it.
 * Immutable and thread-safe.
 */
final class KeyedLineParser {
  /** A parsed line; {@code key} is null when keys are not parsed. */
  record KeyedLine(@Nullable String key, String value) {}

  private final boolean parseKey;
  private final String separator;

  KeyedLineParser(boolean parseKey, String separator) {
    this.parseKey = parseKey;
    this.separator = separator;
  }

  /** The key and value of {@code line}; empty when keys are parsed and the line has no separator. */
  Optional<KeyedLine> parse(String line) {
    if (!parseKey) {
      return Optional.of(new KeyedLine(null, line));
    }
    int at = line.indexOf(separator);
    if (at < 0) {
      return Optional.empty();
    }
    return Optional.of(new KeyedLine(line.substring(0, at), line.substring(at + separator.length())));
  }

  String separator() {
    return separator;
  }
}
