package dev.resilientkafka.internal.rack;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.jspecify.annotations.Nullable;

/**
 * Where the discovery chain looks: the process environment, file paths, endpoint URLs and timeouts, all
 * injectable so tests can point every step at loopback servers and temporary files. Immutable.
 *
 * @param env the process environment (normally {@link System#getenv()})
 * @param rackVariable environment variable holding the rack; default {@code KAFKA_CLIENT_RACK}
 * @param rackFile file written by an init container (the rack alone) or a Downward API labels file
 *     ({@code key="value"} lines, the {@code nodeLabel} line is used); default {@code /etc/resilient-kafka/rack}
 * @param nodeNameVariable environment variable naming the pod's node; default {@code NODE_NAME}
 * @param nodeLabel node label holding the zone; default {@code topology.kubernetes.io/zone}
 * @param kubernetesApi API server base URL; default from {@code KUBERNETES_SERVICE_HOST/PORT}, else
 *     {@code https://kubernetes.default.svc}
 * @param tokenFile service-account token; default {@code /var/run/secrets/kubernetes.io/serviceaccount/token}
 * @param caFile CA bundle (PEM) of the API server; default {@code .../serviceaccount/ca.crt}
 * @param kubernetesTimeout connect and request timeout for the API server; default 2 s
 * @param cloudMetadataEnabled whether AWS, GCP and Azure metadata are asked; default true
 * @param awsMetadata AWS IMDS base URL; default {@code http://169.254.169.254}
 * @param gcpMetadata GCP metadata base URL; default {@code http://metadata.google.internal}
 * @param azureMetadata Azure IMDS base URL; default {@code http://169.254.169.254}
 * @param metadataTimeout connect and request timeout for each cloud metadata request; default 500 ms
 * @param discoveryTimeout the whole chain's deadline: when it passes, discovery stops with no rack and the
 *     client starts without {@code client.rack}; default 3000 ms
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

  public static final String PREFIX = "resilient.rack.";
  public static final String RACK_VARIABLE = PREFIX + "env.variable";
  public static final String RACK_FILE = PREFIX + "file";
  public static final String NODE_NAME_VARIABLE = PREFIX + "kubernetes.node.variable";
  public static final String NODE_LABEL = PREFIX + "kubernetes.label";
  public static final String KUBERNETES_API = PREFIX + "kubernetes.api";
  public static final String TOKEN_FILE = PREFIX + "kubernetes.token.path";
  public static final String CA_FILE = PREFIX + "kubernetes.ca.path";
  public static final String KUBERNETES_TIMEOUT_MS = PREFIX + "kubernetes.timeout.ms";
  public static final String CLOUD_ENABLED = PREFIX + "cloud.enabled";
  public static final String AWS_URL = PREFIX + "aws.url";
  public static final String GCP_URL = PREFIX + "gcp.url";
  public static final String AZURE_URL = PREFIX + "azure.url";
  public static final String METADATA_TIMEOUT_MS = PREFIX + "metadata.timeout.ms";
  public static final String DISCOVERY_TIMEOUT_MS = PREFIX + "timeout.ms";

  private static final String SA = "/var/run/secrets/kubernetes.io/serviceaccount/";

  public RackDiscoveryEnvironment {
    env = Map.copyOf(env);
  }

  /**
   * Reads the {@code resilient.rack.*} keys of {@code config} (unset keys take the defaults above).
   *
   * @throws ConfigException naming the key, for a malformed URL, timeout or boolean
   */
  public static RackDiscoveryEnvironment fromConfig(Map<String, ?> config, Map<String, String> env) {
    String k8sDefault = env.containsKey("KUBERNETES_SERVICE_HOST")
        ? "https://" + hostLiteral(env.get("KUBERNETES_SERVICE_HOST")) + ":"
            + env.getOrDefault("KUBERNETES_SERVICE_PORT", "443")
        : "https://kubernetes.default.svc";
    return new RackDiscoveryEnvironment(
        env,
        string(config, RACK_VARIABLE, "KAFKA_CLIENT_RACK"),
        Path.of(string(config, RACK_FILE, "/etc/resilient-kafka/rack")),
        string(config, NODE_NAME_VARIABLE, "NODE_NAME"),
        string(config, NODE_LABEL, "topology.kubernetes.io/zone"),
        uri(config, KUBERNETES_API, k8sDefault),
        Path.of(string(config, TOKEN_FILE, SA + "token")),
        Path.of(string(config, CA_FILE, SA + "ca.crt")),
        millis(config, KUBERNETES_TIMEOUT_MS, 2000),
        bool(config, CLOUD_ENABLED, true),
        uri(config, AWS_URL, "http://169.254.169.254"),
        uri(config, GCP_URL, "http://metadata.google.internal"),
        uri(config, AZURE_URL, "http://169.254.169.254"),
        millis(config, METADATA_TIMEOUT_MS, 500),
        millis(config, DISCOVERY_TIMEOUT_MS, 3000));
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

  private static String string(Map<String, ?> config, String key, String fallback) {
    Object value = config.get(key);
    if (value == null) {
      return fallback;
    }
    String s = value.toString().trim();
    if (s.isEmpty()) {
      throw new ConfigException(key, value, "must not be empty");
    }
    return s;
  }

  private static URI uri(Map<String, ?> config, String key, String fallback) {
    String value = string(config, key, fallback);
    try {
      URI uri = URI.create(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new ConfigException(key, value, "must be an http:// or https:// URL with a host");
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, value, "must be an http:// or https:// URL with a host");
    }
  }

  private static Duration millis(Map<String, ?> config, String key, long fallback) {
    Object value = config.get(key);
    if (value == null) {
      return Duration.ofMillis(fallback);
    }
    try {
      long ms = value instanceof Number n ? n.longValue() : Long.parseLong(value.toString().trim());
      if (ms <= 0) {
        throw new ConfigException(key, value, "must be a positive number of milliseconds");
      }
      return Duration.ofMillis(ms);
    } catch (NumberFormatException e) {
      throw new ConfigException(key, value, "must be a positive number of milliseconds");
    }
  }

  private static boolean bool(Map<String, ?> config, String key, boolean fallback) {
    Object value = config.get(key);
    if (value == null) {
      return fallback;
    }
    String s = value.toString().trim().toLowerCase(java.util.Locale.ROOT);
    if (!s.equals("true") && !s.equals("false")) {
      throw new ConfigException(key, value, "accepted values are true and false");
    }
    return Boolean.parseBoolean(s);
  }
}
