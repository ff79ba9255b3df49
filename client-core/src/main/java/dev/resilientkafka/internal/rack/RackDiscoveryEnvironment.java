package dev.resilientkafka.internal.rack;

import dev.resilientkafka.ResilientRackConfig;
import dev.resilientkafka.internal.config.ParsedConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.jspecify.annotations.Nullable;

/**
 * Where the discovery chain looks: the process environment, file paths, endpoint URLs and timeouts, all
 * injectable so tests can point every step at loopback servers and temporary files. Each component is
 * one key of {@link ResilientRackConfig} (meaning and default documented there), but {@code env}, the
 * process environment (normally {@link System#getenv()}). Immutable.
 */
public record RackDiscoveryEnvironment(
    Map<String, String> env,
    String rackVariable,
    Path rackFile,
    String nodeNameVariable,
    String nodeLabel,
    URI kubernetesApi,
    Path tokenFile,
    Path caFile,
    Duration kubernetesTimeout,
    boolean cloudMetadataEnabled,
    URI awsMetadata,
    URI gcpMetadata,
    URI azureMetadata,
    Duration metadataTimeout,
    Duration discoveryTimeout) {

  public static final String PREFIX = ResilientRackConfig.PREFIX;
  public static final String RACK_VARIABLE = ResilientRackConfig.ENV_VARIABLE;
  public static final String RACK_FILE = ResilientRackConfig.FILE;
  public static final String NODE_NAME_VARIABLE = ResilientRackConfig.KUBERNETES_NODE_VARIABLE;
  public static final String NODE_LABEL = ResilientRackConfig.KUBERNETES_LABEL;
  public static final String KUBERNETES_API = ResilientRackConfig.KUBERNETES_API;
  public static final String TOKEN_FILE = ResilientRackConfig.KUBERNETES_TOKEN_PATH;
  public static final String CA_FILE = ResilientRackConfig.KUBERNETES_CA_PATH;
  public static final String KUBERNETES_TIMEOUT_MS = ResilientRackConfig.KUBERNETES_TIMEOUT_MS;
  public static final String CLOUD_ENABLED = ResilientRackConfig.CLOUD_ENABLED;
  public static final String AWS_URL = ResilientRackConfig.AWS_URL;
  public static final String GCP_URL = ResilientRackConfig.GCP_URL;
  public static final String AZURE_URL = ResilientRackConfig.AZURE_URL;
  public static final String METADATA_TIMEOUT_MS = ResilientRackConfig.METADATA_TIMEOUT_MS;
  public static final String DISCOVERY_TIMEOUT_MS = ResilientRackConfig.TIMEOUT_MS;

  public RackDiscoveryEnvironment {
    env = Map.copyOf(env);
  }

  /**
   * Reads the {@code resilient.rack.*} keys of {@code config} ({@link ResilientRackConfig}; unset keys take
   * their defaults).
   *
   * @throws ConfigException naming the key and the accepted values, for a malformed value or an unknown key
   */
  public static RackDiscoveryEnvironment fromConfig(Map<String, ?> config, Map<String, String> env) {
    var definition = ResilientRackConfig.configDef();
    for (String key : config.keySet()) {
      if (key.startsWith(PREFIX) && !definition.names().contains(key)) {
        throw new ConfigException(key, config.get(key), "unknown resilient.rack key; known keys: "
            + new java.util.TreeSet<>(definition.names()));
      }
    }
    ParsedConfig values = ParsedConfig.parse(definition, config);
    String api = values.getNonBlankString(KUBERNETES_API);
    if (api == null) {
      api = env.containsKey("KUBERNETES_SERVICE_HOST")
          ? "https://" + hostLiteral(env.get("KUBERNETES_SERVICE_HOST")) + ":"
              + env.getOrDefault("KUBERNETES_SERVICE_PORT", "443")
          : "https://kubernetes.default.svc";
    }
    return new RackDiscoveryEnvironment(
        env,
        string(values, RACK_VARIABLE),
        Path.of(string(values, RACK_FILE)),
        string(values, NODE_NAME_VARIABLE),
        string(values, NODE_LABEL),
        uri(api),
        Path.of(string(values, TOKEN_FILE)),
        Path.of(string(values, CA_FILE)),
        Duration.ofMillis(values.getLong(KUBERNETES_TIMEOUT_MS)),
        values.getBoolean(CLOUD_ENABLED),
        uri(string(values, AWS_URL)),
        uri(string(values, GCP_URL)),
        uri(string(values, AZURE_URL)),
        Duration.ofMillis(values.getLong(METADATA_TIMEOUT_MS)),
        Duration.ofMillis(values.getLong(DISCOVERY_TIMEOUT_MS)));
  }

  /** The defaults, over the real process environment. */
  public static RackDiscoveryEnvironment system() {
    return fromConfig(Map.of(), System.getenv());
  }

  public @Nullable String variable(String name) {
    return env.get(name);
  }

  private static String hostLiteral(String host) {
    return host.contains(":") ? "[" + host + "]" : host;
  }

  private static String string(ParsedConfig values, String key) {
    return java.util.Objects.requireNonNull(values.getNonBlankString(key), key);
  }

  private static URI uri(String value) {
    return URI.create(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
  }
}
