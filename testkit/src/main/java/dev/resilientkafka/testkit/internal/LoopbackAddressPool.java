package dev.resilientkafka.testkit.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * Hands out loopback addresses (127.64.0.1 .. 127.127.255.254) that no other cluster, in this JVM or any
 * other process on the machine, is using.
 *
 * <p>Each address in use is guarded by an exclusive file lock under {@code java.io.tmpdir}; the OS drops
 * the lock when the owning process dies, so a crashed run never leaks addresses. Within a process the
 * cursor only moves forward from a random start, so an address given up by a re-IPed broker is not handed
 * out again soon: a client still pinned to it must find nothing there, as in Kubernetes.
 *
 * <p>Thread-safe.
 */
public final class LoopbackAddressPool {
  private static final int FIRST = (127 << 24) | (64 << 16);
  private static final int SIZE = 64 << 16;
  private static final LoopbackAddressPool SHARED = new LoopbackAddressPool(lockDirectory());

  /**
   * Ports handed out on {@code ::1}, the one IPv6 loopback address: below Linux's ephemeral range
   * (32768-60999), so that no port the OS picks for a client socket is ever one of them.
   */
  private static final int IPV6_FIRST_PORT = 20_000;
  private static final int IPV6_PORTS = 12_000;

  private final Path lockDir;
  private final Map<InetAddress, Lease> leases = new HashMap<>();
  private final Map<Integer, Lease> ipv6Leases = new HashMap<>();
  private int cursor = ThreadLocalRandom.current().nextInt(SIZE);
  private int ipv6Cursor = ThreadLocalRandom.current().nextInt(IPV6_PORTS);

  LoopbackAddressPool(Path lockDir) {
    this.lockDir = lockDir;
  }

  /** The pool shared by every cluster of this JVM. */
  public static LoopbackAddressPool shared() {
    return SHARED;
  }

  /** Takes an address on which every given port is free. */
  public synchronized InetAddress acquire(int... ports) {
    for (int attempt = 0; attempt < 10_000; attempt++) {
      cursor = (cursor + 1) % SIZE;
      int value = FIRST + cursor;
      int lastOctet = value & 0xff;
      if (lastOctet == 0 || lastOctet == 255) {
        continue;
      }
      InetAddress address = toAddress(value);
      if (leases.containsKey(address)) {
        continue;
      }
      Lease lease = tryLock(lockDir.resolve(address.getHostAddress() + ".lock"));
      if (lease == null) {
        continue;
      }
      if (!portsFree(address, ports)) {
        lease.release();
        continue;
      }
      leases.put(address, lease);
      return address;
    }
    throw new IllegalStateException("no free loopback address in 127.64.0.0/10 after 10000 attempts");
  }

  /** The IPv6 loopback address {@code ::1}. */
  public static InetAddress ipv6Loopback() {
    byte[] bytes = new byte[16];
    bytes[15] = 1;
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // cannot happen for 16 bytes
    }
  }

  /**
   * Takes a port that is free on {@code ::1} and that no other cluster (in any process on the machine)
   * holds: there is one IPv6 loopback address, so brokers on it are told apart by port.
   */
  public synchronized int acquireIpv6Port() {
    InetAddress loopback = ipv6Loopback();
    for (int attempt = 0; attempt < IPV6_PORTS; attempt++) {
      ipv6Cursor = (ipv6Cursor + 1) % IPV6_PORTS;
      int port = IPV6_FIRST_PORT + ipv6Cursor;
      if (ipv6Leases.containsKey(port)) {
        continue;
      }
      Lease lease = tryLock(lockDir.resolve("ipv6-loopback-" + port + ".lock"));
      if (lease == null) {
        continue;
      }
      if (!portsFree(loopback, new int[] {port})) {
        lease.release();
        continue;
      }
      ipv6Leases.put(port, lease);
      return port;
    }
    throw new IllegalStateException("no free port on ::1 between " + IPV6_FIRST_PORT + " and "
        + (IPV6_FIRST_PORT + IPV6_PORTS - 1) + " (is IPv6 enabled on the loopback interface?)");
  }

  /** Gives a port on {@code ::1} back; unknown ports are ignored. */
  public synchronized void releaseIpv6Port(int port) {
    Lease lease = ipv6Leases.remove(port);
    if (lease != null) {
      lease.release();
    }
  }

  /** Gives an address back; unknown addresses are ignored. */
  public synchronized void release(InetAddress address) {
    Lease lease = leases.remove(address);
    if (lease != null) {
      lease.release();
    }
  }

  private static @Nullable Lease tryLock(Path file) {
    try {
      FileChannel channel =
          FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        FileLock lock = channel.tryLock();
        if (lock == null) {
          channel.close();
          return null;
        }
        return new Lease(channel, lock);
      } catch (OverlappingFileLockException e) {
        channel.close();
        return null;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock " + file, e);
    }
  }

  private static boolean portsFree(InetAddress address, int[] ports) {
    for (int port : ports) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(false);
        socket.bind(new InetSocketAddress(address, port));
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  private static InetAddress toAddress(int value) {
    byte[] bytes = {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // cannot happen for 4 bytes
    }
  }

  private static Path lockDirectory() {
    Path dir = Path.of(System.getProperty("java.io.tmpdir"), "resilient-kafka-testkit", "addresses");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
    return dir;
  }

  private record Lease(FileChannel channel, FileLock lock) {
    void release() {
      try {
        lock.release();
        channel.close();
      } catch (IOException ignored) {
        // the OS drops the lock with the channel anyway
      }
    }
  }
}
