package dev.resilientkafka.internal.bootstrap;

import dev.resilientkafka.internal.config.Accepts;
import org.jspecify.annotations.Nullable;

/** The validators of the bootstrap keys that need this package's address parsing. Stateless. */
public final class BootstrapValidators {
  private static final String PORT_NAME = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?";

  private BootstrapValidators() {}

  /** A list of DNS servers: {@code host[:port]}, a bare IPv6 address or {@code [IPv6]:port}. */
  public static Accepts dnsServers() {
    return Accepts.eachOf("host[:port], a bare IPv6 address or [IPv6 address]:port, port 1 to 65535 (53 when absent),"
        + " comma-separated, e.g. 10.96.0.10:53, fd00::10 or [fd00::10]:53", HostPort::parseDnsServer);
  }

  /** A list of Kafka servers: {@code host:port} or {@code [IPv6]:port}. */
  public static Accepts servers() {
    return Accepts.eachOf("host:port or [IPv6 address]:port, comma-separated, e.g. kafka-0.example.com:9092 or"
        + " [fd00::1]:9092", HostPort::checkServer);
  }

  /** A Kubernetes port name, optionally with a leading underscore. */
  public static Accepts portName() {
    return Accepts.of("the Service's name of the Kafka port: lower-case letters, digits and '-', e.g. kafka or"
        + " tcp-kafka (a leading '_' is allowed)", value -> {
          if (!value.toString().isEmpty() && !portName(value.toString()).matches(PORT_NAME)) {
            throw new IllegalArgumentException((String) null);
          }
        });
  }

  /** The port name without a leading underscore, or null when blank. */
  static @Nullable String normalizedPortName(@Nullable String value) {
    return value == null || value.isBlank() ? null : portName(value.strip());
  }

  private static String portName(String value) {
    return value.startsWith("_") ? value.substring(1) : value;
  }
}
