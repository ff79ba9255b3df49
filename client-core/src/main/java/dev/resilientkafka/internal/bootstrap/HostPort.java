package dev.resilientkafka.internal.bootstrap;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * {@code host:port} text as Kafka and resolv.conf users write it, IPv6 included: an IPv6 literal goes in
 * brackets when a port follows ({@code [fd00::10]:53}, the form Kafka's {@code bootstrap.servers} needs), and
 * a DNS server may also be a bare IPv6 address ({@code fd00::10}, port 53). Stateless.
 */
final class HostPort {
  private HostPort() {}

  /** {@code host:port}, or {@code [host]:port} when the host is an IPv6 literal. */
  static String format(String host, int port) {
    return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
  }

  /** {@link #format(String, int)} of the address's host string (the name when it has one, else the literal). */
  static String format(InetSocketAddress address) {
    return format(address.getHostString(), address.getPort());
  }

  /**
   * Parses a DNS server: {@code host}, {@code host:port}, a bare IPv6 address or {@code [IPv6]:port}
   * ({@code [IPv6]} alone too); the port defaults to 53. An IP literal needs no lookup; a host name is
   * resolved by the JVM.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  static InetSocketAddress parseDnsServer(String value) {
    String text = value.strip();
    String host;
    String port = null;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("'[' without ']'");
      }
      host = text.substring(1, close);
      String rest = text.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          throw new IllegalArgumentException("only ':port' may follow ']'");
        }
        port = rest.substring(1);
      }
      if (host.indexOf(':') < 0) {
        throw new IllegalArgumentException("brackets are for IPv6 addresses only");
      }
    } else if (text.indexOf(':') != text.lastIndexOf(':')) {
      host = text; // two or more colons: a bare IPv6 address, port 53
    } else {
      int colon = text.indexOf(':');
      host = colon < 0 ? text : text.substring(0, colon);
      port = colon < 0 ? null : text.substring(colon + 1);
    }
    if (host.isBlank()) {
      throw new IllegalArgumentException("the host is empty");
    }
    int number = port == null ? 53 : port(port);
    if (host.indexOf(':') >= 0) {
      return new InetSocketAddress(ipv6Literal(host), number);
    }
    return new InetSocketAddress(host, number);
  }

  /**
   * Checks a bootstrap entry ({@code host:port} or {@code [IPv6]:port}) and returns it in Kafka's form.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  static String checkServer(String value) {
    String text = value.strip();
    String host;
    String port;
    if (text.startsWith("[")) {
      int close = text.indexOf("]:");
      if (close < 0) {
        throw new IllegalArgumentException("an IPv6 address must be written [address]:port");
      }
      host = text.substring(1, close);
      ipv6Literal(host);
      port = text.substring(close + 2);
    } else {
      if (text.indexOf(':') != text.lastIndexOf(':')) {
        throw new IllegalArgumentException("an IPv6 address must be written [address]:port, e.g. [fd00::10]:9092");
      }
      int colon = text.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("must be host:port");
      }
      host = text.substring(0, colon);
      port = text.substring(colon + 1);
    }
    return format(host, port(port));
  }

  private static int port(String text) {
    if (!text.matches("\\d{1,5}") || Integer.parseInt(text) < 1 || Integer.parseInt(text) > 65_535) {
      throw new IllegalArgumentException("port '" + text + "' is not a number between 1 and 65535");
    }
    return Integer.parseInt(text);
  }

  private static InetAddress ipv6Literal(String host) {
    if (!host.matches("[0-9A-Fa-f:.]+(%[\\w.-]+)?")) {
      throw new IllegalArgumentException("'" + host + "' is not an IPv6 address");
    }
    try {
      // a text with ':' is only ever parsed as an IPv6 literal, never looked up
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + host + "' is not an IPv6 address", e);
    }
  }
}
