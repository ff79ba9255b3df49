package dev.resilientkafka.examples.console;

import dev.resilientkafka.examples.OptionSpec;
import dev.resilientkafka.examples.ParsedOptions;
import dev.resilientkafka.examples.UsageException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The options both console tools share: where the cluster is ({@code --bootstrap-server} or the headless
 * Service with {@code --bootstrap-service} and {@code --dns-server}), client properties from a file and
 * from {@code key=value} flags, under Kafka's old names ({@code --producer-property}, {@code
 * --producer.config}) and its 4.x names ({@code --command-property}, {@code --command-config}), and the
 * tool's own {@code --property} settings. Stateless.
 */
final class ClientConfigOptions {
  static final String BOOTSTRAP_SERVER = "--bootstrap-server";
  static final String BOOTSTRAP_SERVICE = "--bootstrap-service";
  static final String DNS_SERVER = "--dns-server";
  static final String TOPIC = "--topic";
  static final String COMMAND_PROPERTY = "--command-property";
  static final String COMMAND_CONFIG = "--command-config";
  static final String PROPERTY = "--property";
  static final String RACK = "--rack";

  static final String SERVICE_KEY = "resilient.bootstrap.service";
  static final String DNS_SERVER_KEY = "resilient.bootstrap.dns.server";
  static final String BOOTSTRAP_SERVERS_KEY = "bootstrap.servers";

  private ClientConfigOptions() {}

  /** The bootstrap options, in the order help lists them. */
  static List<OptionSpec> bootstrapOptions() {
    return List.of(
        OptionSpec.value(BOOTSTRAP_SERVER, "<host:port,...>", "brokers to bootstrap from (this or " + BOOTSTRAP_SERVICE + ")"),
        OptionSpec.value(BOOTSTRAP_SERVICE, "<service[:port]>", "the brokers' headless Service, resolved to one "
            + "FQDN per pod and re-resolved in the background (sets " + SERVICE_KEY + ")"),
        OptionSpec.value(DNS_SERVER, "<host:port>", "DNS server for " + BOOTSTRAP_SERVICE
            + " (sets " + DNS_SERVER_KEY + "; default the nameservers of /etc/resolv.conf)"));
  }

  /**
   * The client configuration: the config file, then every {@code key=value} (later wins), then the
   * bootstrap flags; exactly one of {@code bootstrap.servers} and {@code resilient.bootstrap.service}
   * must result.
   *
   * @param legacyProperty Kafka's old name of {@code --command-property}, e.g. {@code --producer-property}
   * @param legacyConfig Kafka's old name of {@code --command-config}, e.g. {@code --producer.config}
   * @throws UsageException for an unreadable file, a malformed pair or a missing or doubled bootstrap
   */
  static Map<String, Object> clientConfig(ParsedOptions options, String legacyProperty, String legacyConfig)
      throws UsageException {
    Map<String, Object> config = new LinkedHashMap<>();
    if (options.has(legacyConfig) && options.has(COMMAND_CONFIG)) {
      throw new UsageException("give " + legacyConfig + " or " + COMMAND_CONFIG + ", not both (they are the same option)");
    }
    for (String option : List.of(legacyConfig, COMMAND_CONFIG)) {
      if (options.has(option)) {
        config.putAll(readFile(option, options.required(option)));
      }
    }
    config.putAll(pairs(options, legacyProperty, COMMAND_PROPERTY));
    options.value(BOOTSTRAP_SERVER).ifPresent(v -> config.put(BOOTSTRAP_SERVERS_KEY, v));
    options.value(BOOTSTRAP_SERVICE).ifPresent(v -> config.put(SERVICE_KEY, v));
    options.value(DNS_SERVER).ifPresent(v -> config.put(DNS_SERVER_KEY, v));
    boolean servers = isSet(config.get(BOOTSTRAP_SERVERS_KEY));
    boolean service = isSet(config.get(SERVICE_KEY));
    if (servers && service) {
      throw new UsageException("give either " + BOOTSTRAP_SERVER + " (" + BOOTSTRAP_SERVERS_KEY + ") or "
          + BOOTSTRAP_SERVICE + " (" + SERVICE_KEY + "), not both");
    }
    if (!servers && !service) {
      throw new UsageException("needs " + BOOTSTRAP_SERVER + " <host:port,...> or " + BOOTSTRAP_SERVICE
          + " <service[:port]> (or " + BOOTSTRAP_SERVERS_KEY + " / " + SERVICE_KEY + " in the client properties)");
    }
    if (options.has(DNS_SERVER) && !service) {
      throw new UsageException(DNS_SERVER + " is only used with " + BOOTSTRAP_SERVICE);
    }
    return config;
  }

  /**
   * The tool's own {@code --property key=value} settings (and those of its Kafka 4.x alias).
   *
   * @throws UsageException for a malformed pair or a key not in {@code accepted}
   */
  static Map<String, String> toolProperties(ParsedOptions options, String alias, Set<String> accepted)
      throws UsageException {
    Map<String, String> properties = pairs(options, PROPERTY, alias);
    for (String key : properties.keySet()) {
      if (!accepted.contains(key)) {
        throw new UsageException("unknown " + PROPERTY + " " + key + "; accepted: " + String.join(", ", sorted(accepted)));
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
    return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
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

  private static Map<String, String> pairs(ParsedOptions options, String... names) throws UsageException {
    Map<String, String> pairs = new LinkedHashMap<>();
    for (String name : names) {
      for (String raw : options.values(name)) {
        int equals = raw.indexOf('=');
        if (equals <= 0) {
          throw new UsageException("invalid value " + raw + " for " + name + ": expected key=value");
        }
        pairs.put(raw.substring(0, equals).trim(), raw.substring(equals + 1));
      }
    }
    return pairs;
  }

  private static Map<String, Object> readFile(String option, String name) throws UsageException {
    Path file = Path.of(name);
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new UsageException("cannot read " + option + " " + file + ": " + e);
    }
    Map<String, Object> config = new LinkedHashMap<>();
    for (String key : properties.stringPropertyNames()) {
      config.put(key, properties.getProperty(key));
    }
    return config;
  }

  private static boolean isSet(Object value) {
    return value != null && !value.toString().isBlank();
  }

  private static List<String> sorted(Set<String> keys) {
    List<String> list = new ArrayList<>(keys);
    list.sort(null);
    return list;
  }
}
