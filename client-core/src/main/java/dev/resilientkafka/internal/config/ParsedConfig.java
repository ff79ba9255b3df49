package dev.resilientkafka.internal.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.apache.kafka.common.config.ConfigException;
import org.jspecify.annotations.Nullable;

/**
 * The keys of one {@link ConfigDef} read from a client's configuration: each value parsed to its key's type
 * (a String, or a Number, Boolean, enum or List as a Java caller may pass them), checked by its validator,
 * the default where the key is absent. Every error names the key, the value and the accepted values, as
 * {@code Invalid value X for configuration Y: accepted values: Z}. Immutable.
 */
public final class ParsedConfig {
  private final Map<String, @Nullable Object> values;
  private final Set<String> given;

  private ParsedConfig(Map<String, @Nullable Object> values, Set<String> given) {
    this.values = Collections.unmodifiableMap(values);
    this.given = Set.copyOf(given);
  }

  /**
   * Reads every key of {@code definition} from {@code config}; other keys are ignored.
   *
   * @throws ConfigException naming the key and the accepted values
   */
  public static ParsedConfig parse(ConfigDef definition, Map<String, ?> config) {
    Map<String, @Nullable Object> values = new HashMap<>();
    Set<String> given = new HashSet<>();
    for (ConfigKey key : definition.configKeys().values()) {
      Object raw = config.get(key.name);
      if (raw == null) {
        if (!key.hasDefault()) {
          throw new ConfigException(key.name, null, "a value is required; accepted values: " + accepted(key));
        }
        values.put(key.name, key.defaultValue);
      } else {
        given.add(key.name);
        values.put(key.name, parseValue(key, raw));
      }
    }
    return new ParsedConfig(values, given);
  }

  /** The accepted values of {@code key} in words: its validator's, else its type's. */
  public static String accepted(ConfigKey key) {
    if (key.validator != null) {
      return key.validator.toString();
    }
    return switch (key.type) {
      case BOOLEAN -> "true, false";
      case INT -> "a whole number from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE;
      case LONG -> "a whole number";
      case LIST -> "a comma-separated list";
      default -> "a " + key.type.name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static @Nullable Object parseValue(ConfigKey key, Object raw) {
    Object value;
    try {
      value = ConfigDef.parseType(key.name, normalize(raw, key.type), key.type);
    } catch (ConfigException e) {
      throw new ConfigException(key.name, raw, "accepted values: " + accepted(key));
    }
    if (key.validator != null) {
      key.validator.ensureValid(key.name, value);
    }
    return value;
  }

  /** What a Java caller passes (a Long for an int key, an enum, a Duration in ms, a list of objects). */
  private static Object normalize(Object raw, ConfigDef.Type type) {
    if (raw instanceof Enum<?> e) {
      return e.name();
    }
    if (raw instanceof Duration d && (type == ConfigDef.Type.LONG || type == ConfigDef.Type.INT)) {
      return Long.toString(d.toMillis());
    }
    if (raw instanceof Number n && !(raw instanceof Integer && type == ConfigDef.Type.INT)
        && !(raw instanceof Long && type == ConfigDef.Type.LONG)
        && (type == ConfigDef.Type.INT || type == ConfigDef.Type.LONG)) {
      return n.toString();
    }
    if (raw instanceof List<?> list && type == ConfigDef.Type.LIST) {
      List<String> items = new ArrayList<>();
      for (Object item : list) {
        String text = String.valueOf(item).strip();
        if (!text.isEmpty()) {
          items.add(text);
        }
      }
      return items;
    }
    if (type == ConfigDef.Type.LIST || type == ConfigDef.Type.STRING || type == ConfigDef.Type.BOOLEAN) {
      return raw instanceof Boolean ? raw : raw.toString();
    }
    return raw;
  }

  /** Whether {@code key} was in the configuration (not left at its default). */
  public boolean isSet(String key) {
    return given.contains(key);
  }

  public int getInt(String key) {
    return (Integer) require(key);
  }

  public long getLong(String key) {
    return (Long) require(key);
  }

  public boolean getBoolean(String key) {
    return (Boolean) require(key);
  }

  /** The value, or null when the key's default is null. */
  public @Nullable String getString(String key) {
    known(key);
    return (String) values.get(key);
  }

  /** The value, null when it is null or blank. */
  public @Nullable String getNonBlankString(String key) {
    String value = getString(key);
    return value == null || value.isBlank() ? null : value.strip();
  }

  /** The items, blank ones left out. */
  @SuppressWarnings("unchecked")
  public List<String> getList(String key) {
    known(key);
    List<?> list = (List<?>) values.get(key);
    if (list == null) {
      return List.of();
    }
    return ((List<Object>) list).stream().map(item -> String.valueOf(item).strip()).filter(s -> !s.isEmpty()).toList();
  }

  private Object require(String key) {
    known(key);
    Object value = values.get(key);
    if (value == null) {
      throw new IllegalStateException(key + " has no value");
    }
    return value;
  }

  private void known(String key) {
    if (!values.containsKey(key)) {
      throw new IllegalArgumentException(key + " is not defined in this ConfigDef");
    }
  }
}
