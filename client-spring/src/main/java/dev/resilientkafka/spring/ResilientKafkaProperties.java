package dev.resilientkafka.spring;

import dev.resilientkafka.OverflowPolicy;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The resilient.kafka.* properties. Everything else about the clients stays in Boot's
 * spring.kafka.* properties; these add the headless-Service bootstrap, the buffered retry of producers,
 * the rack of consumers and the health thresholds. Each value is checked when bound; a bad one fails
 * start-up with a report naming the property and what it accepts
 * ({@link InvalidResilientKafkaPropertyException}). Immutable.
 *
 * @param service The Kubernetes headless Service of the brokers, e.g.
 *     kafka-svc.default.svc.cluster.local:9092, kafka-svc:9092 or an SRV name; comma-separated
 *     for several. When set, bootstrap.servers is the pods' FQDNs, kept current in the background,
 *     and spring.kafka.bootstrap-servers must not be set as well.
 * @param dnsServer The DNS server to ask for the service, host:port; default the nameservers of
 *     /etc/resolv.conf.
 * @param namespace Namespace for a short service name; default from the resolv.conf search list, else
 *     default.
 * @param clusterDomain Cluster domain for a short service name; default from the search list, else
 *     cluster.local.
 * @param bootstrapTimeout How long start-up waits for the service to resolve.
 * @param checkListener Whether start-up also waits for a pod accepting TCP connections on the port.
 * @param checkAdvertisedHosts Whether to warn when brokers advertise IPs or names outside the service.
 * @param fallbackServers A plain host:port list used only when the service does not resolve in
 *     time.
 * @param port The Kafka port when the service name gives none: it picks the Kafka port's records out of
 *     the Service's SRV answer, which lists every named port of every pod.
 * @param portName The name the Service gives its Kafka port (kafka, tcp-kafka), read as
 *     _name._tcp.service; a port in the service name wins over it.
 * @param allowForeignTargets Whether SRV targets outside the Service's domain are used as brokers (left
 *     out and reported by default).
 * @param dnsTimeout How long each DNS query waits for an answer.
 * @param refreshMax The longest interval between re-resolutions of the service; the records' TTL sets
 *     the usual one.
 * @param rack The consumers' client.rack; default found by the discovery chain (environment
 *     variable KAFKA_CLIENT_RACK, rack file, node label, cloud metadata).
 * @param rackDiscovery Whether to run the rack discovery chain when rack is not set.
 * @param rackFile The file the discovery chain reads the rack from: the rack alone, or a Downward API
 *     labels file.
 * @param rackTimeout How long the whole rack discovery may take before consumers start without a rack.
 * @param jvmDnsCacheTtl The JVM DNS cache TTL (networkaddress.cache.ttl) set early in start-up
 *     unless the JVM was given one; whole seconds.
 * @param recordIdHeader The header carrying each record's unique id, written by producers and used by
 *     consumers to drop duplicates; empty turns it off.
 * @param producer Producer settings.
 * @param consumer Consumer settings.
 * @param health Health indicator settings.
 * @param properties Further resilient.* client keys passed to every client as given, e.g.
 *     resilient.rack.cloud.enabled=false.
 */
@ConfigurationProperties(ResilientKafkaProperties.PREFIX)
public record ResilientKafkaProperties(
    @Nullable String service,
    @Nullable String dnsServer,
    @Nullable String namespace,
    @Nullable String clusterDomain,
    @DefaultValue("30s") Duration bootstrapTimeout,
    @DefaultValue("true") boolean checkListener,
    @DefaultValue("true") boolean checkAdvertisedHosts,
    @Nullable String fallbackServers,
    @DefaultValue("9092") int port,
    @Nullable String portName,
    @DefaultValue("false") boolean allowForeignTargets,
    @DefaultValue("2s") Duration dnsTimeout,
    @DefaultValue("30s") Duration refreshMax,
    @Nullable String rack,
    @DefaultValue("true") boolean rackDiscovery,
    @DefaultValue("/etc/resilient-kafka/rack") String rackFile,
    @DefaultValue("3s") Duration rackTimeout,
    @DefaultValue("5s") Duration jvmDnsCacheTtl,
    @DefaultValue("resilient-record-id") String recordIdHeader,
    @DefaultValue Producer producer,
    @DefaultValue Consumer consumer,
    @DefaultValue Health health,
    @Nullable Map<String, String> properties) {

  /** The prefix of these properties. */
  public static final String PREFIX = "resilient.kafka";

  /** Checks every value. @throws InvalidResilientKafkaPropertyException naming the property */
  public ResilientKafkaProperties {
    if (service != null && service.isBlank()) {
      service = null;
    }
    if (service != null && !service.matches("[A-Za-z0-9._:,\\-\\s]+")) {
      throw invalid("service", service, "a service name such as kafka-svc.default.svc.cluster.local:9092,"
          + " kafka-svc:9092 or _9092._tcp.kafka-svc.default.svc.cluster.local");
    }
    if (dnsServer != null && !dnsServer.isBlank() && !dnsServer.strip().matches("[A-Za-z0-9.\\-\\[\\]:]+?(:\\d{1,5})?")) {
      throw invalid("dns-server", dnsServer, "host[:port], e.g. 10.96.0.10:53");
    }
    positive("bootstrap-timeout", bootstrapTimeout);
    positive("dns-timeout", dnsTimeout);
    positive("refresh-max", refreshMax);
    positive("rack-timeout", rackTimeout);
    if (rack != null && rack.isBlank()) {
      rack = null;
    }
    if (jvmDnsCacheTtl.isNegative() || jvmDnsCacheTtl.getNano() != 0) {
      throw invalid("jvm-dns-cache-ttl", jvmDnsCacheTtl, "whole seconds >= 0, e.g. 5s (0 turns the cache off)");
    }
    recordIdHeader = recordIdHeader.strip();
    properties = properties == null ? Map.of() : Map.copyOf(properties);
    for (String key : properties.keySet()) {
      if (!key.startsWith("resilient.")) {
        throw invalid("properties[" + key + "]", properties.get(key),
            "keys starting with resilient. (Kafka keys belong in spring.kafka.properties)");
      }
    }
  }

  /** The services, split at commas; empty when service is not set. */
  public List<String> services() {
    return service == null ? List.of()
        : Arrays.stream(service.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  static InvalidResilientKafkaPropertyException invalid(String name, @Nullable Object value, String accepted) {
    return new InvalidResilientKafkaPropertyException(PREFIX + "." + name, value, accepted);
  }

  static void positive(String name, Duration value) {
    if (value.isZero() || value.isNegative()) {
      throw invalid(name, value, "a duration > 0, e.g. 30s");
    }
  }

  /**
   * Producer settings: every producer of the auto-configured ProducerFactory is a
   * ResilientProducer with these.
   *
   * @param enabled Whether producers are wrapped; false leaves Boot's plain factory (still with acks=all,
   *     idempotence and the bootstrap settings).
   * @param bufferMaxRecords Most records accepted and not yet acknowledged.
   * @param bufferMaxBytes Most serialized bytes accepted and not yet acknowledged.
   * @param overflowPolicy What send() does when the buffer is full: BLOCK, DROP_NEWEST, DROP_OLDEST
   *     or FAIL.
   * @param blockTimeout How long send() waits for room under BLOCK.
   * @param deliveryTimeout How long a record may take from send() to its acknowledgement,
   *     outages included, before its callback is told it failed.
   * @param availabilityMode Whether acks other than all and idempotence off are allowed (availability
   *     first, for metrics-like data).
   * @param retryBackoff First delay before a record the cluster did not take is offered again.
   * @param retryBackoffMax Longest delay between offers.
   * @param topicIdle How long the state of a topic nothing was sent to is kept.
   * @param spoolDir Directory of the durable spool (a PersistentVolume or an emptyDir), one producer
   *     per directory; records that do not fit in memory wait there and survive a restart. Unset: no
   *     spool. Not with a transaction-id-prefix: a transaction cannot outlive its producer.
   * @param spoolMaxBytes Most bytes of unacknowledged records in the spool.
   * @param spoolFsync When the spool forces its writes to disk: always, never, or an interval in
   *     milliseconds.
   */
  public record Producer(
      @DefaultValue("true") boolean enabled,
      @DefaultValue("100000") int bufferMaxRecords,
      @DefaultValue("32MB") DataSize bufferMaxBytes,
      @DefaultValue("block") OverflowPolicy overflowPolicy,
      @DefaultValue("60s") Duration blockTimeout,
      @DefaultValue("10m") Duration deliveryTimeout,
      @DefaultValue("false") boolean availabilityMode,
      @DefaultValue("100ms") Duration retryBackoff,
      @DefaultValue("1s") Duration retryBackoffMax,
      @DefaultValue("10m") Duration topicIdle,
      @Nullable String spoolDir,
      @DefaultValue("1GB") DataSize spoolMaxBytes,
      @DefaultValue("100") String spoolFsync) {

    /** Checks every value. @throws InvalidResilientKafkaPropertyException naming the property */
    public Producer {
      // the same ranges as resilient.buffer.max.records / .max.bytes (the bound is one packed word)
      if (bufferMaxRecords <= 0 || bufferMaxRecords > 16_777_215) {
        throw invalid("producer.buffer-max-records", bufferMaxRecords, "a whole number from 1 to 16777215");
      }
      if (bufferMaxBytes.toBytes() <= 0 || bufferMaxBytes.toBytes() > (1L << 39) - 1) {
        throw invalid("producer.buffer-max-bytes", bufferMaxBytes, "a size from 1B to 511GB, e.g. 32MB");
      }
      if (blockTimeout.isNegative()) {
        throw invalid("producer.block-timeout", blockTimeout, "a duration >= 0, e.g. 60s");
      }
      positive("producer.delivery-timeout", deliveryTimeout);
      positive("producer.retry-backoff", retryBackoff);
      positive("producer.topic-idle", topicIdle);
      if (spoolMaxBytes.toBytes() <= 0) {
        throw invalid("producer.spool-max-bytes", spoolMaxBytes, "a size > 0, e.g. 1GB");
      }
      if (retryBackoffMax.compareTo(retryBackoff) < 0) {
        throw invalid("producer.retry-backoff-max", retryBackoffMax,
            "a duration >= producer.retry-backoff (" + retryBackoff + ")");
      }
    }
  }

  /**
   * Consumer settings: every consumer of the auto-configured ConsumerFactory is a
   * ResilientConsumer with these.
   *
   * @param enabled Whether consumers are wrapped; false leaves Boot's plain factory (still with
   *     client.rack and the bootstrap settings).
   * @param dedupWindow How many recent record ids each consumer remembers to drop duplicates; 0 turns it
   *     off.
   * @param verifyRack Whether to check at start that a broker shares the rack and a rack-aware replica
   *     selector is configured.
   * @param diagnosticsInterval How often to look for a group coordinator stalled on
   *     __consumer_offsets; 0 only at start.
   */
  public record Consumer(
      @DefaultValue("true") boolean enabled,
      @DefaultValue("0") int dedupWindow,
      @DefaultValue("true") boolean verifyRack,
      @DefaultValue("10s") Duration diagnosticsInterval) {

    /** Checks every value. @throws InvalidResilientKafkaPropertyException naming the property */
    public Consumer {
      if (dedupWindow < 0) {
        throw invalid("consumer.dedup-window", dedupWindow, "a whole number >= 0 (0 turns it off)");
      }
      if (diagnosticsInterval.isNegative()) {
        throw invalid("consumer.diagnostics-interval", diagnosticsInterval, "a duration >= 0");
      }
    }
  }

  /**
   * Health indicator settings (management.health.resilientkafka.enabled turns it off).
   *
   * @param timeout How long one health check waits for the cluster to describe itself.
   * @param degradedBufferFill Buffer fill (0..1, the larger of records and bytes) from which health is
   *     DEGRADED.
   * @param downBufferFill Buffer fill (0..1) from which health is DOWN: sends are about to block or fail.
   * @param degradedOldestRecordAge Age of the oldest unacknowledged record from which health is DEGRADED.
   */
  public record Health(
      @DefaultValue("2s") Duration timeout,
      @DefaultValue("0.5") double degradedBufferFill,
      @DefaultValue("0.95") double downBufferFill,
      @DefaultValue("30s") Duration degradedOldestRecordAge) {

    /** Checks every value. @throws InvalidResilientKafkaPropertyException naming the property */
    public Health {
      positive("health.timeout", timeout);
      if (!(degradedBufferFill > 0 && degradedBufferFill <= 1)) {
        throw invalid("health.degraded-buffer-fill", degradedBufferFill, "a fraction in (0, 1], e.g. 0.5");
      }
      if (!(downBufferFill > 0 && downBufferFill <= 1) || downBufferFill < degradedBufferFill) {
        throw invalid("health.down-buffer-fill", downBufferFill,
            "a fraction in (0, 1] and >= health.degraded-buffer-fill (" + degradedBufferFill + ")");
      }
      positive("health.degraded-oldest-record-age", degradedOldestRecordAge);
    }
  }
}
