package dev.resilientkafka.examples.console;

import dev.resilientkafka.examples.BootstrapOptions;
import dev.resilientkafka.examples.ClusterUnreachableException;
import dev.resilientkafka.examples.PropertiesFile;
import dev.resilientkafka.examples.UsageException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What both console tools do with their options once picocli parsed them: client properties from a file
 * and from {@code key=value} flags (Kafka's old names such as {@code --producer-property} and its 4.x
 * names such as {@code --command-property} are aliases of one option), the bootstrap flags on top, and
 * the tool's own {@code --property} settings. Stateless.
 */
final class ClientConfigOptions {
  static final String PROPERTY = "--property";

  private ClientConfigOptions() {}

  /**
   * The client configuration: the config file, then every {@code key=value} (later wins), then the
   * bootstrap flags; exactly one of {@code bootstrap.servers} and {@code resilient.bootstrap.service}
   * must result.
   *
   * @param propertyOption the name of the key=value option, for messages
   * @param configOption the name of the file option, for messages
   * @throws UsageException for an unreadable file, a malformed pair or a missing or doubled bootstrap
   * @throws ClusterUnreachableException when no name of {@code bootstrap.servers} resolves
   */
  static Map<String, Object> clientConfig(@Nullable Path file, String configOption, List<String> pairs,
      String propertyOption, BootstrapOptions bootstrap) throws UsageException, ClusterUnreachableException {
    Map<String, Object> config = new LinkedHashMap<>();
    if (file != null) {
      config.putAll(PropertiesFile.read(configOption, file));
    }
    config.putAll(pairs(pairs, propertyOption));
    bootstrap.applyTo(config);
    return config;
  }

  /**
   * The tool's own {@code --property key=value} settings.
   *
   * @throws UsageException for a malformed pair or a key not in {@code accepted}
   */
  static Map<String, String> toolProperties(List<String> raw, Set<String> accepted) throws UsageException {
    Map<String, String> properties = pairs(raw, PROPERTY);
    for (String key : properties.keySet()) {
      if (!accepted.contains(key)) {
        List<String> sorted = new ArrayList<>(accepted);
        sorted.sort(null);
        throw new UsageException("unknown " + PROPERTY + " " + key + "; accepted: " + String.join(", ", sorted));
      }
    }
    return properties;
  }

  /** A boolean tool property: {@code true} or {@code false}, case-insensitive. */
  static boolean booleanProperty(Map<String, String> properties, String key, boolean fallback) throws UsageException {
    String value = properties.get(key);
    if (value == null) {
      return fallback;
    }
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new UsageException("invalid value " + value + " for " + PROPERTY + " " + key
          + ": accepted values are true, false");
    };
  }

  /** The separator between key and value: the property's value with {@code \t} and {@code \n} unescaped. */
  static String separator(Map<String, String> properties, String key, String fallback) throws UsageException {
    String value = properties.get(key);
    if (value == null) {
      return fallback;
    }
    String unescaped = value.replace("\\t", "\t").replace("\\n", "\n");
    if (unescaped.isEmpty()) {
      throw new UsageException("invalid value '' for " + PROPERTY + " " + key + ": must not be empty");
    }
    return unescaped;
  }

  private static Map<String, String> pairs(List<String> raw, String option) throws UsageException {
    Map<String, String> pairs = new LinkedHashMap<>();
    for (String pair : raw) {
      int equals = pair.indexOf('=');
      if (equals <= 0) {
        throw new UsageException("invalid value " + pair + " for " + option + ": expected key=value");
      }
      pairs.put(pair.substring(0, equals).trim(), pair.substring(equals + 1));
    }
    return pairs;
  }
}
