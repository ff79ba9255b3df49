package dev.resilientkafka.testkit.internal.dns;

import dev.resilientkafka.testkit.internal.dns.DnsQueryHandler.Transport;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves DNS over TCP (RFC 7766): each message behind a two-byte length, any number of queries per
 * connection, one daemon thread per connection, and the connection closed on EOF, on a malformed frame
 * or after {@link #IDLE_TIMEOUT} without a query.
 */
final class TcpListener implements AutoCloseable {
  /** As long as CoreDNS (miekg/dns) keeps an idle connection; clients reconnect when they need to. */
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);

  /** A bound on threads should a test open connections in a loop and never close them. */
  private static final int MAX_CONNECTIONS = 128;

  private static final Logger LOG = LoggerFactory.getLogger(TcpListener.class);

  private final ServerSocket serverSocket;
  private final DnsQueryHandler handler;
  private final Thread acceptor;
  private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
  private final Set<Thread> connectionThreads = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connectionCount = new AtomicInteger();
  private final RepeatedFailureLog failures = new RepeatedFailureLog();

  private TcpListener(ServerSocket serverSocket, DnsQueryHandler handler) {
    this.serverSocket = serverSocket;
    this.handler = handler;
    this.acceptor = new Thread(this::accept, "kube-dns-tcp-" + serverSocket.getLocalPort());
    this.acceptor.setDaemon(true);
  }

  /** Binds the server socket; {@link #start()} then accepts connections. */
  static TcpListener bind(InetSocketAddress address, DnsQueryHandler handler) throws IOException {
    ServerSocket socket = new ServerSocket();
    try {
      // lets a server restarted on the same port bind while the old connections sit in TIME_WAIT
      socket.setReuseAddress(true);
      socket.bind(address);
      return new TcpListener(socket, handler);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  void start() {
    acceptor.start();
  }

  private void accept() {
    while (!serverSocket.isClosed()) {
      Socket connection;
      try {
        connection = serverSocket.accept();
      } catch (IOException e) {
        if (!serverSocket.isClosed()) {
          failures.log(LOG, "DNS TCP accept failed on port " + serverSocket.getLocalPort() + "; serving on", e);
        }
        continue;
      }
      if (connections.size() >= MAX_CONNECTIONS) {
        LOG.warn("Refusing a DNS TCP connection from {}: {} already open",
            connection.getRemoteSocketAddress(), MAX_CONNECTIONS);
        closeQuietly(connection);
        continue;
      }
      connections.add(connection);
      Thread thread =
          new Thread(
              () -> serve(connection),
              "kube-dns-tcp-" + serverSocket.getLocalPort() + "-" + connectionCount.incrementAndGet());
      thread.setDaemon(true);
      connectionThreads.add(thread);
      thread.start();
    }
  }

  private void serve(Socket connection) {
    try (connection) {
      connection.setSoTimeout((int) IDLE_TIMEOUT.toMillis());
      connection.setTcpNoDelay(true);
      DataInputStream in = new DataInputStream(connection.getInputStream());
      OutputStream out = connection.getOutputStream();
      while (true) {
        byte[] query = readFrame(in);
        if (query == null) {
          return;
        }
        Optional<byte[]> response = handler.handle(query, query.length, Transport.TCP);
        if (response.isPresent()) {
          out.write(frame(response.get()));
          out.flush();
        }
      }
    } catch (SocketTimeoutException e) {
      LOG.debug("Closing idle DNS TCP connection from {}", connection.getRemoteSocketAddress());
    } catch (IOException | RuntimeException e) {
      // the client went away or sent garbage: drop this connection, the others carry on
      LOG.debug("Closing DNS TCP connection from {}", connection.getRemoteSocketAddress(), e);
    } finally {
      connections.remove(connection);
      connectionThreads.remove(Thread.currentThread());
    }
  }

  /** The next message, or null at a clean EOF between messages. */
  private static byte @Nullable [] readFrame(DataInputStream in) throws IOException {
    int first = in.read();
    if (first < 0) {
      return null;
    }
    int second = in.read();
    if (second < 0) {
      throw new EOFException("connection closed inside a length prefix");
    }
    byte[] message = new byte[(first << 8) | second];
    in.readFully(message);
    return message;
  }

  /** The message behind its two-byte length, in one array so that it leaves in one segment. */
  private static byte[] frame(byte[] message) {
    byte[] framed = new byte[message.length + 2];
    framed[0] = (byte) (message.length >>> 8);
    framed[1] = (byte) message.length;
    System.arraycopy(message, 0, framed, 2, message.length);
    return framed;
  }

  /** Stops accepting, closes every open connection and waits for the threads to end. */
  @Override
  public void close() {
    closeQuietly(serverSocket);
    Threads.join(acceptor);
    connections.forEach(TcpListener::closeQuietly);
    connectionThreads.forEach(Threads::join);
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      LOG.debug("Ignoring a failure to close {}", closeable, e);
    }
  }
}
