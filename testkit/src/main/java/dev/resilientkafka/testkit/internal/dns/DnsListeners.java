package dev.resilientkafka.testkit.internal.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The UDP and TCP listeners of one DNS server, bound to the same address and port as resolvers expect:
 * a client that gets a truncated UDP answer retries over TCP on the same port.
 */
public final class DnsListeners implements AutoCloseable {
  /**
   * With an ephemeral port, UDP picks the port and TCP may find it taken by another process; a few
   * fresh ports make that race practically impossible to lose.
   */
  private static final int EPHEMERAL_ATTEMPTS = 20;

  private final UdpListener udp;
  private final TcpListener tcp;
  private final InetSocketAddress address;

  private DnsListeners(UdpListener udp, TcpListener tcp, InetSocketAddress address) {
    this.udp = udp;
    this.tcp = tcp;
    this.address = address;
  }

  /**
   * Binds UDP and TCP on {@code bindAddress}:{@code port} (0 for an ephemeral port free for both) and
   * starts serving.
   *
   * @throws IllegalStateException when the port cannot be bound for both
   */
  public static DnsListeners start(InetAddress bindAddress, int port, DnsQueryHandler handler) {
    int attempts = port == 0 ? EPHEMERAL_ATTEMPTS : 1;
    IOException last = null;
    for (int attempt = 0; attempt < attempts; attempt++) {
      UdpListener udp;
      try {
        udp = UdpListener.bind(new InetSocketAddress(bindAddress, port), handler);
      } catch (IOException e) {
        last = e;
        continue;
      }
      InetSocketAddress bound = new InetSocketAddress(bindAddress, udp.port());
      try {
        TcpListener tcp = TcpListener.bind(bound, handler);
        udp.start();
        tcp.start();
        return new DnsListeners(udp, tcp, bound);
      } catch (IOException e) {
        udp.close();
        last = e;
      }
    }
    throw new IllegalStateException(
        "Cannot bind the DNS server to "
            + bindAddress.getHostAddress()
            + ":"
            + port
            + " for both UDP and TCP"
            + (port == 0 ? " (tried " + attempts + " ephemeral ports)" : "")
            + ": "
            + (last == null ? "unknown reason" : last.getMessage()),
        last);
  }

  /** Where UDP and TCP listen. */
  public InetSocketAddress address() {
    return address;
  }

  /** Closes both sockets and every TCP connection, and waits for the threads to end. */
  @Override
  public void close() {
    udp.close();
    tcp.close();
  }
}
