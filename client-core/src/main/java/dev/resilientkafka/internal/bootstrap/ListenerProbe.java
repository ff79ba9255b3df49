package dev.resilientkafka.internal.bootstrap;

import dev.resilientkafka.BootstrapException;
import dev.resilientkafka.BootstrapException.Reason;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks at start-up that at least one resolved pod accepts TCP connections on its port, so that a
 * wrong port fails with a clear message instead of a client that never connects. Connects to the
 * addresses DNS gave (asking again when the SRV answer had none), never through the JVM's cache.
 */
final class ListenerProbe {
  private ListenerProbe() {}

  static void requireListener(ServiceLookup lookup, Resolution resolution, Duration connectTimeout) {
    List<String> attempts = new ArrayList<>();
    for (InetSocketAddress server : resolution.servers()) {
      String host = server.getHostString();
      List<InetAddress> addresses = resolution.addresses().getOrDefault(host, List.of());
      if (addresses.isEmpty()) {
        addresses = lookup.addressesOf(resolution.target(), host);
      }
      for (InetAddress address : addresses) {
        try (Socket socket = new Socket()) {
          socket.connect(new InetSocketAddress(address, server.getPort()), (int) connectTimeout.toMillis());
          return;
        } catch (IOException e) {
          attempts.add("TCP " + host + " (" + address.getHostAddress() + "):" + server.getPort() + " -> " + e.getMessage());
        }
      }
    }
    throw new BootstrapException(
        Reason.NO_LISTENER,
        resolution.target().input(),
        lookup.dnsServer(),
        attempts,
        "DNS found " + resolution.servers().size() + " pod(s) by " + resolution.method()
            + ", but none accepts connections on the port; check the port (the broker listener, usually 9092)"
            + " and that the brokers are running.",
        null);
  }
}
