package dev.resilientkafka.internal.spool;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The {@code spool.lock} file of a spool directory: an operating-system lock on it keeps a second process
 * (and a second spool of this JVM) out, and its text, {@code pid@host since <time>}, names the holder in
 * the refusal. The lock goes with the process, so a killed holder leaves nothing to clean up.
 */
final class SpoolLock implements AutoCloseable {
  static final String FILE_NAME = "spool.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private SpoolLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock of {@code directory}.
   *
   * @throws SpoolException LOCKED naming the directory and the holder, IO if the file cannot be used
   */
  static SpoolLock take(Path directory) {
    Path file = directory.resolve(FILE_NAME);
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new SpoolException(SpoolException.Reason.IO, "Cannot open the spool's lock file " + file + ": " + e, e);
    }
    try {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        String holder = holder(channel);
        channel.close();
        throw new SpoolException(SpoolException.Reason.LOCKED, "The spool directory " + directory
            + " is in use by " + holder + " (lock file " + file + "): one process per spool directory; give each"
            + " producer its own resilient.spool.dir");
      }
      byte[] text = (ProcessHandle.current().pid() + "@" + hostName() + " since "
          + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\n").getBytes(StandardCharsets.UTF_8);
      channel.truncate(0);
      // not forced: the name is for people; the lock itself is the operating system's
      channel.write(ByteBuffer.wrap(text), 0);
      return new SpoolLock(channel, lock);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new SpoolException(SpoolException.Reason.IO, "Cannot lock the spool directory " + directory + ": " + e, e);
    }
  }

  private static String holder(FileChannel channel) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(512);
    channel.read(buffer, 0);
    String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).strip();
    return text.isEmpty() ? "another process (it has not written its name yet)" : text;
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // the lock error is the one worth reporting
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException ignored) {
      // closing the channel releases it as well
    }
    closeQuietly(channel);
  }
}
