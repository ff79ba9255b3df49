package dev.resilientkafka;

import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Type.BOOLEAN;
import static org.apache.kafka.common.config.ConfigDef.Type.LONG;
import static org.apache.kafka.common.config.ConfigDef.Type.STRING;

import dev.resilientkafka.internal.config.Accepts;
import org.apache.kafka.common.config.ConfigDef;

/**
 * The {@code resilient.rack.*} keys: where {@link RackDiscovery#DEFAULT}'s chain (and {@link
 * RackDiscovery#standard}) looks for the consumer's {@code client.rack}. {@link #configDef()} is their one
 * definition (type, default, accepted values, importance, documentation); the configuration reference is
 * generated from it. An explicit {@code client.rack} is used before any of them. Constants only; not
 * instantiable.
 */
public final class ResilientRackConfig {
  private ResilientRackConfig() {}

  /** The prefix of the rack keys. */
  public static final String PREFIX = "resilient.rack.";

  /** The environment variable holding the rack; see {@link #configDef()}. */
  public static final String ENV_VARIABLE = PREFIX + "env.variable";

  /** The rack file or Downward API labels file; see {@link #configDef()}. */
  public static final String FILE = PREFIX + "file";

  /** The environment variable naming the pod's node; see {@link #configDef()}. */
  public static final String KUBERNETES_NODE_VARIABLE = PREFIX + "kubernetes.node.variable";

  /** The node label holding the zone; see {@link #configDef()}. */
  public static final String KUBERNETES_LABEL = PREFIX + "kubernetes.label";

  /** The Kubernetes API server's base URL; see {@link #configDef()}. */
  public static final String KUBERNETES_API = PREFIX + "kubernetes.api";

  /** The service-account token file; see {@link #configDef()}. */
  public static final String KUBERNETES_TOKEN_PATH = PREFIX + "kubernetes.token.path";

  /** The API server's CA bundle; see {@link #configDef()}. */
  public static final String KUBERNETES_CA_PATH = PREFIX + "kubernetes.ca.path";

  /** The timeout of the API server requests, in ms; see {@link #configDef()}. */
  public static final String KUBERNETES_TIMEOUT_MS = PREFIX + "kubernetes.timeout.ms";

  /** Whether cloud instance metadata is asked; see {@link #configDef()}. */
  public static final String CLOUD_ENABLED = PREFIX + "cloud.enabled";

  /** AWS instance metadata's base URL; see {@link #configDef()}. */
  public static final String AWS_URL = PREFIX + "aws.url";

  /** GCP metadata's base URL; see {@link #configDef()}. */
  public static final String GCP_URL = PREFIX + "gcp.url";

  /** Azure instance metadata's base URL; see {@link #configDef()}. */
  public static final String AZURE_URL = PREFIX + "azure.url";

  /** The timeout of each cloud metadata request, in ms; see {@link #configDef()}. */
  public static final String METADATA_TIMEOUT_MS = PREFIX + "metadata.timeout.ms";

  /** The whole discovery's deadline, in ms; see {@link #configDef()}. */
  public static final String TIMEOUT_MS = PREFIX + "timeout.ms";

  /** Default of {@link #TIMEOUT_MS}. */
  public static final long DEFAULT_TIMEOUT_MS = 3_000L;

  private static final String SERVICE_ACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount/";

  private static final ConfigDef CONFIG = new ConfigDef()
      .define(ENV_VARIABLE, STRING, "KAFKA_CLIENT_RACK", Accepts.nonEmpty(), MEDIUM,
          "Environment variable holding the rack, asked first.")
      .define(FILE, STRING, "/etc/resilient-kafka/rack", Accepts.nonEmpty(), MEDIUM,
          "File holding the rack, asked second: the rack alone (written by an init container), or a Downward API"
              + " labels file (key=\"value\" lines), whose resilient.rack.kubernetes.label line is used.")
      .define(KUBERNETES_NODE_VARIABLE, STRING, "NODE_NAME", Accepts.nonEmpty(), LOW,
          "Environment variable naming the pod's node (set it from the Downward API's spec.nodeName); with it the"
              + " node's zone label is read from the Kubernetes API, asked third.")
      .define(KUBERNETES_LABEL, STRING, "topology.kubernetes.io/zone", Accepts.nonEmpty(), LOW,
          "Node label holding the zone.")
      .define(KUBERNETES_API, STRING, null, Accepts.httpUrl(), LOW,
          "Base URL of the Kubernetes API server; by default https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT,"
              + " else https://kubernetes.default.svc.")
      .define(KUBERNETES_TOKEN_PATH, STRING, SERVICE_ACCOUNT + "token", Accepts.nonEmpty(), LOW,
          "The pod's service-account token, sent to the API server (the account needs get on nodes).")
      .define(KUBERNETES_CA_PATH, STRING, SERVICE_ACCOUNT + "ca.crt", Accepts.nonEmpty(), LOW,
          "CA bundle (PEM) the API server's certificate is checked against.")
      .define(KUBERNETES_TIMEOUT_MS, LONG, 2_000L, Accepts.atLeast(1), LOW,
          "Connect and request timeout of the Kubernetes API request, in ms.")
      .define(CLOUD_ENABLED, BOOLEAN, true, LOW,
          "Whether AWS, GCP and Azure instance metadata are asked, last, for the zone; a probe that finds no"
              + " cloud is logged at DEBUG only.")
      .define(AWS_URL, STRING, "http://169.254.169.254", Accepts.httpUrl(), LOW, "Base URL of AWS instance metadata.")
      .define(GCP_URL, STRING, "http://metadata.google.internal", Accepts.httpUrl(), LOW, "Base URL of GCP metadata.")
      .define(AZURE_URL, STRING, "http://169.254.169.254", Accepts.httpUrl(), LOW, "Base URL of Azure instance metadata.")
      .define(METADATA_TIMEOUT_MS, LONG, 500L, Accepts.atLeast(1), LOW,
          "Connect and request timeout of each cloud metadata request, in ms. An address that did not answer is"
              + " not asked twice.")
      .define(TIMEOUT_MS, LONG, DEFAULT_TIMEOUT_MS, Accepts.atLeast(1), MEDIUM,
          "Deadline of the whole discovery, in ms: when it passes, discovery stops without a rack and the client"
              + " starts without client.rack (fetching from partition leaders). One INFO line names the source of"
              + " the rack, or every step's reason when none gave one.");

  /**
   * The definition of every key above (a copy). Thread-safe.
   *
   * @return Kafka's {@link ConfigDef} of the {@code resilient.rack.*} keys
   */
  public static ConfigDef configDef() {
    return new ConfigDef(CONFIG);
  }
}
