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

  private final Path lockDir;
  private final Map<InetAddress, Lease> leases = new HashMap<>();
  private int cursor = ThreadLocalRandom.current().nextInt(SIZE);

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
      Lease lease = tryLock(address);
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

  /** Gives an address back; unknown addresses are ignored. */
  public synchronized void release(InetAddress address) {
    Lease lease = leases.remove(address);
    if (lease != null) {
      lease.release();
    }
  }

  private Lease tryLock(InetAddress address) {
    Path file = lockDir.resolve(address.getHostAddress() + ".lock");
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
