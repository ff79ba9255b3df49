package dev.resilientkafka;

import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.KafkaException;
import org.jspecify.annotations.Nullable;

/**
 * A headless Service could not be turned into a bootstrap list of pod FQDNs. The message names the
 * service as given, the DNS server asked and every query tried with its outcome; {@link #reason()}
 * classifies the failure so that callers never have to parse the message.
 *
 * <p>Immutable and thread-safe.
 */
public final class BootstrapException extends KafkaException {
  private static final long serialVersionUID = 1L;

  /** Why a resolution failed. */
  public enum Reason {
    /** The name does not exist (NXDOMAIN); also what Kubernetes DNS answers for a Service without ready pods. */
    NXDOMAIN,
    /** The DNS server answered with an error (SERVFAIL, REFUSED, ...). */
    SERVER_FAILURE,
    /** The DNS server did not answer in time. */
    TIMEOUT,
    /** The name exists but has no usable records (an empty SRV answer, no A records, no SRV record with the port). */
    NO_RECORDS,
    /** The Service has addresses, but none maps back (PTR) to a pod name under the Service. */
    NO_POD_NAMES,
    /** Every pod resolved, but nothing accepts TCP connections on the port. */
    NO_LISTENER,
    /** Any other I/O error talking to the DNS server. */
    IO_ERROR
  }

  private final Reason reason;
  private final String service;
  private final String dnsServer;
  private final List<String> attempts;

  /**
   * @param reason the classification
   * @param service the service as the user gave it
   * @param dnsServer the DNS server(s) asked, as {@code host:port}
   * @param attempts what was tried, in order, each with its outcome
   * @param detail a sentence on what it means and what to check
   * @param cause the underlying exception, if any
   */
  public BootstrapException(
      Reason reason,
      String service,
      String dnsServer,
      List<String> attempts,
      String detail,
      @Nullable Throwable cause) {
    super(message(reason, service, dnsServer, attempts, detail), cause);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.service = Objects.requireNonNull(service, "service");
    this.dnsServer = Objects.requireNonNull(dnsServer, "dnsServer");
    this.attempts = List.copyOf(attempts);
  }

  /** The classification of the failure. */
  public Reason reason() {
    return reason;
  }

  /** The service as the user gave it, e.g. {@code kafka-svc:9092}. */
  public String service() {
    return service;
  }

  /** The DNS server(s) asked, {@code host:port}, comma-separated. */
  public String dnsServer() {
    return dnsServer;
  }

  /** What was tried, in order, each with its outcome, e.g. {@code SRV kafka-svc.default.svc.cluster.local -> NXDOMAIN}. */
  public List<String> attempts() {
    return attempts;
  }

  private static String message(
      Reason reason, String service, String dnsServer, List<String> attempts, String detail) {
    return "Cannot bootstrap from Kafka service '"
        + service
        + "' via DNS server "
        + dnsServer
        + ": "
        + reason
        + ". "
        + detail
        + " Tried: "
        + (attempts.isEmpty() ? "nothing" : String.join("; ", attempts));
  }
}
