package dev.resilientkafka.internal.config;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.jspecify.annotations.Nullable;

/**
 * The validators of the {@code resilient.*} keys. Each one's {@code toString()} is the accepted values in
 * words: the configuration reference prints it, and every error says it ({@code Invalid value X for
 * configuration Y: accepted values: ...}). A null value is a key left at a null default and is accepted.
 * Immutable.
 */
public final class Accepts implements ConfigDef.Validator {
  private final String description;
  private final Consumer<Object> check;
  /** Whether a list value is checked item by item, an error naming the item. */
  private final boolean eachItem;

  private Accepts(String description, Consumer<Object> check, boolean eachItem) {
    this.description = description;
    this.check = check;
    this.eachItem = eachItem;
  }

  /**
   * A validator described by {@code description} that runs {@code check} on each non-null value; an
   * {@link IllegalArgumentException} from it becomes the error, its message before the accepted values.
   */
  public static Accepts of(String description, Consumer<Object> check) {
    return new Accepts(description, check, false);
  }

  /** As {@link #of}, for a list key: {@code check} sees each item, and an error names the item. */
  public static Accepts eachOf(String description, Consumer<String> check) {
    return new Accepts(description, item -> check.accept(item.toString()), true);
  }

  /**
   * A validator described by {@code description} that accepts what {@code parser} parses: any {@link
   * IllegalArgumentException} from it means not accepted (its message is not repeated).
   */
  public static Accepts parsable(String description, Consumer<String> parser) {
    return of(description, value -> {
      try {
        parser.accept(value.toString());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException((String) null, e);
      }
    });
  }

  /** Whole numbers {@code >= min}. */
  public static Accepts atLeast(long min) {
    return of(min + " or more", value -> {
      if (((Number) value).longValue() < min) {
        throw notAccepted();
      }
    });
  }

  /** Whole numbers from {@code min} to {@code max}. */
  public static Accepts between(long min, long max) {
    return of(min + " to " + max, value -> {
      long n = ((Number) value).longValue();
      if (n < min || n > max) {
        throw notAccepted();
      }
    });
  }

  /** One of {@code names}, in any case. */
  public static Accepts oneOf(String... names) {
    List<String> accepted = Arrays.asList(names);
    return of(String.join(", ", names) + " (any case)", value -> {
      if (accepted.stream().noneMatch(name -> name.equalsIgnoreCase(value.toString().strip()))) {
        throw notAccepted();
      }
    });
  }

  /** A non-empty string. */
  public static Accepts nonEmpty() {
    return of("a non-empty string", value -> {
      if (value.toString().isBlank()) {
        throw new IllegalArgumentException("it is empty");
      }
    });
  }

  /** An {@code http://} or {@code https://} URL with a host; a trailing slash is allowed. */
  public static Accepts httpUrl() {
    return of("an http:// or https:// URL with a host", value -> {
      String text = value.toString().strip();
      URI uri;
      try {
        uri = URI.create(text);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("not a URL");
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
        throw notAccepted();
      }
    });
  }

  /** Not accepted, nothing to add to the accepted values. */
  private static IllegalArgumentException notAccepted() {
    return new IllegalArgumentException((String) null);
  }

  @Override
  public void ensureValid(String name, @Nullable Object value) {
    if (value == null) {
      return;
    }
    if (eachItem && value instanceof List<?> items) {
      items.forEach(item -> ensureValidOne(name, item));
    } else {
      ensureValidOne(name, value);
    }
  }

  private void ensureValidOne(String name, Object value) {
    try {
      check.accept(value);
    } catch (IllegalArgumentException | ClassCastException e) {
      String detail = e instanceof IllegalArgumentException && e.getMessage() != null ? e.getMessage() + "; " : "";
      throw new ConfigException(name, value, detail + "accepted values: " + description);
    }
  }

  @Override
  public String toString() {
    return description;
  }
}
