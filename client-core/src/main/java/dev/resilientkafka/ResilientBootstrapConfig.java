package dev.resilientkafka;

import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Type.BOOLEAN;
import static org.apache.kafka.common.config.ConfigDef.Type.INT;
import static org.apache.kafka.common.config.ConfigDef.Type.LIST;
import static org.apache.kafka.common.config.ConfigDef.Type.LONG;
import static org.apache.kafka.common.config.ConfigDef.Type.STRING;

import dev.resilientkafka.internal.bootstrap.BootstrapValidators;
import dev.resilientkafka.internal.config.Accepts;
import java.util.List;
import org.apache.kafka.common.config.ConfigDef;

/**
 * The {@code resilient.bootstrap.*} keys: every client of this library (producer, consumer, {@link
 * ServiceBootstrap}) reads them to find its brokers through a Kubernetes headless Service instead of
 * {@code bootstrap.servers}. {@link #configDef()} is their one definition (type, default, accepted values,
 * importance, documentation); the configuration reference is generated from it. An unknown key under the
 * prefix is refused. Constants only; not instantiable.
 */
public final class ResilientBootstrapConfig {
  private ResilientBootstrapConfig() {}

  /** The prefix of the bootstrap keys. */
  public static final String PREFIX = "resilient.bootstrap.";

  /** The headless Service(s) to bootstrap from; setting it turns the resolver on. See {@link #configDef()}. */
  public static final String SERVICE = PREFIX + "service";

  /** The DNS server(s) to ask; see {@link #configDef()}. */
  public static final String DNS_SERVER = PREFIX + "dns.server";

  /** The resolv.conf to read nameservers and the search list from; see {@link #configDef()}. */
  public static final String RESOLV_CONF = PREFIX + "resolv.conf";

  /** The namespace of a short service name; see {@link #configDef()}. */
  public static final String NAMESPACE = PREFIX + "namespace";

  /** The cluster domain of a short service name; see {@link #configDef()}. */
  public static final String CLUSTER_DOMAIN = PREFIX + "cluster.domain";

  /** The Kafka port when the service name gives none; see {@link #configDef()}. */
  public static final String PORT = PREFIX + "port";

  /** The Service's name of the Kafka port; see {@link #configDef()}. */
  public static final String PORT_NAME = PREFIX + "port.name";

  /** Whether SRV targets outside the Service are used; see {@link #configDef()}. */
  public static final String ALLOW_FOREIGN_TARGETS = PREFIX + "allow.foreign.targets";

  /** How long a client's construction waits for a first answer, in ms; see {@link #configDef()}. */
  public static final String TIMEOUT_MS = PREFIX + "timeout.ms";

  /** The longest interval between re-resolutions, in ms; see {@link #configDef()}. */
  public static final String REFRESH_MS = PREFIX + "refresh.ms";

  /** The wait for each DNS answer, in ms; see {@link #configDef()}. */
  public static final String DNS_TIMEOUT_MS = PREFIX + "dns.timeout.ms";

  /** Plain servers used only when no service resolves in time; see {@link #configDef()}. */
  public static final String FALLBACK_SERVERS = PREFIX + "fallback.servers";

  /** Whether start-up needs a pod accepting TCP on the port; see {@link #configDef()}. */
  public static final String CHECK_LISTENER = PREFIX + "check.listener";

  /** Whether brokers advertising hosts outside the Service are warned about; see {@link #configDef()}. */
  public static final String CHECK_ADVERTISED_HOSTS = PREFIX + "check.advertised.hosts";

  /** Default of {@link #RESOLV_CONF}. */
  public static final String DEFAULT_RESOLV_CONF = "/etc/resolv.conf";

  /** Default of {@link #PORT}. */
  public static final int DEFAULT_PORT = 9092;

  private static final ConfigDef CONFIG = new ConfigDef()
      .define(SERVICE, LIST, List.of(), HIGH,
          "The Kubernetes headless Service(s) of the brokers, comma-separated; setting it turns the resolver on"
              + " and bootstrap.servers must then not be set. Each is a Service FQDN[:port]"
              + " (kafka-svc.kafka.svc.cluster.local:9092), service[:port] or service.namespace[:port] (namespace"
              + " and cluster domain from the search list; a two-label name is tried as the Service first, then as"
              + " the name itself), any other DNS name (a trailing dot takes it as written), or an SRV name"
              + " _<port-name>._tcp.<service>. A port here wins over resilient.bootstrap.port.name and"
              + " resilient.bootstrap.port. The client gets one bootstrap server per pod, by its FQDN, never an IP,"
              + " and the Service is re-resolved in the background.")
      .define(DNS_SERVER, LIST, List.of(), BootstrapValidators.dnsServers(), MEDIUM,
          "The DNS server(s) to ask, comma-separated; by default the nameservers of resilient.bootstrap.resolv.conf."
              + " Port 53 when absent.")
      .define(RESOLV_CONF, STRING, DEFAULT_RESOLV_CONF, Accepts.nonEmpty(), LOW,
          "The resolv.conf whose nameservers and search list are used (read by dnsjava's parser).")
      .define(NAMESPACE, STRING, null, LOW,
          "Namespace of a short service name; by default from the first <namespace>.svc.<domain> entry of the"
              + " search list, else default.")
      .define(CLUSTER_DOMAIN, STRING, null, LOW,
          "Cluster domain of a short service name; by default from the search list, else cluster.local.")
      .define(PORT, INT, DEFAULT_PORT, Accepts.between(1, 65_535), MEDIUM,
          "The Kafka port when neither the service name nor resilient.bootstrap.port.name gives one. It picks the"
              + " Kafka port's records out of the Service's SRV answer, which lists every named port of every pod"
              + " (controller, JMX, metrics); the records of other ports are left out and reported once.")
      .define(PORT_NAME, STRING, null, BootstrapValidators.portName(), MEDIUM,
          "The name the Service gives its Kafka port (kafka, tcp-kafka, 9092), so that the pods are read from"
              + " _<name>._tcp.<service>; by default none. A port in the service name wins over it.")
      .define(ALLOW_FOREIGN_TARGETS, BOOLEAN, false, LOW,
          "Whether SRV targets outside the Service's domain (not <pod>.<service FQDN>) are used as brokers. Left"
              + " out (the default), they are reported once with this fix: such targets are not the Service's pods.")
      .define(TIMEOUT_MS, LONG, 30_000L, Accepts.between(0, Integer.MAX_VALUE), MEDIUM,
          "How long a client's construction waits for a first good answer from DNS, in ms; then it fails with a"
              + " BootstrapException naming the service, the DNS server and every query tried, unless"
              + " resilient.bootstrap.fallback.servers is set.")
      .define(REFRESH_MS, LONG, 30_000L, Accepts.between(1_000, Integer.MAX_VALUE), LOW,
          "The longest interval between re-resolutions in the background, in ms; the records' TTL sets the usual"
              + " one. The last good answer stays in use while DNS fails.")
      .define(DNS_TIMEOUT_MS, LONG, 2_000L, Accepts.between(100, 60_000), LOW,
          "The wait for each DNS answer, in ms.")
      .define(FALLBACK_SERVERS, LIST, List.of(), BootstrapValidators.servers(), MEDIUM,
          "A plain bootstrap list, comma-separated, used only when no service resolves in time (the service is"
              + " then re-resolved in the background); without a service, it is bootstrap.servers when that is"
              + " not set.")
      .define(CHECK_LISTENER, BOOLEAN, true, LOW,
          "Whether start-up also waits, within resilient.bootstrap.timeout.ms, for a pod accepting TCP connections"
              + " on the Kafka port. Pods that are in DNS but do not listen (brokers down) start the client at once"
              + " with the failure reported.")
      .define(CHECK_ADVERTISED_HOSTS, BOOLEAN, true, LOW,
          "Whether the client asks the cluster once which hosts its brokers advertise and warns when one is an IP"
              + " literal or a name outside the Service: clients that learned such a name break when the pod"
              + " moves, whatever the bootstrap.");

  /**
   * The definition of every key above (a copy). Thread-safe.
   *
   * @return Kafka's {@link ConfigDef} of the {@code resilient.bootstrap.*} keys
   */
  public static ConfigDef configDef() {
    return new ConfigDef(CONFIG);
  }
}
