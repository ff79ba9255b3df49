package dev.resilientkafka.testkit.internal.dns;

import dev.resilientkafka.testkit.internal.dns.DnsQueryHandler.Transport;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves DNS over UDP on one socket with one daemon thread: answering takes microseconds, so one thread
 * keeps up with any test.
 */
final class UdpListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UdpListener.class);

  /** The largest UDP payload: a client may send anything, and a short buffer would cut it silently. */
  private static final int MAX_DATAGRAM = 65_535;

  private final DatagramSocket socket;
  private final DnsQueryHandler handler;
  private final Thread thread;
  private final RepeatedFailureLog failures = new RepeatedFailureLog();

  private UdpListener(DatagramSocket socket, DnsQueryHandler handler) {
    this.socket = socket;
    this.handler = handler;
    this.thread = new Thread(this::serve, "kube-dns-udp-" + socket.getLocalPort());
    this.thread.setDaemon(true);
  }

  /** Binds the socket; {@link #start()} then serves it. */
  static UdpListener bind(InetSocketAddress address, DnsQueryHandler handler) throws SocketException {
    return new UdpListener(new DatagramSocket(address), handler);
  }

  int port() {
    return socket.getLocalPort();
  }

  void start() {
    thread.start();
  }

  private void serve() {
    byte[] buffer = new byte[MAX_DATAGRAM];
    while (!socket.isClosed()) {
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      try {
        socket.receive(packet);
      } catch (IOException e) {
        if (!socket.isClosed()) {
          failures.log(LOG, "DNS UDP receive failed on port " + port() + "; serving on", e);
        }
        continue;
      }
      try {
        Optional<byte[]> response = handler.handle(packet.getData(), packet.getLength(), Transport.UDP);
        if (response.isPresent()) {
          socket.send(new DatagramPacket(response.get(), response.get().length, packet.getSocketAddress()));
        }
      } catch (IOException | RuntimeException e) {
        // one bad packet or unreachable client must not stop the server
        LOG.debug("Could not answer a DNS UDP query from {}", packet.getSocketAddress(), e);
      }
    }
  }

  /** Closes the socket, which ends the thread's receive, and waits for the thread to finish. */
  @Override
  public void close() {
    socket.close();
    Threads.join(thread);
  }
}
