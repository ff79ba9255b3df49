package dev.resilientkafka.internal.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One segment file, {@code <first sequence>.log}, and its completion marks, {@code <first sequence>.done}.
 *
 * <p>The segment file is a 16-byte header (magic, format version, first sequence) followed by entries
 * ({@link EntryCodec}) with consecutive sequences. The marks file is a series of batches, each {@code int
 * count, int crc32c (over count and offsets), int offset × count}, an offset being a sequence minus the
 * segment's first one. Marks are advisory: a lost mark makes a record be sent again, never lost.
 *
 * <p>In memory a segment keeps where each entry ends (4 bytes a record: the size of a completed record is
 * needed for the bound, and its position for reading) and a bitset of completed records; no object per
 * record.
 *
 * <p>Threads: the spool's append lock guards appending ({@link #append}); {@link #count()} and {@link
 * #start}/{@link #end} of an entry below it may be read by any thread once it has seen the count (the
 * count is published last). The completion bitset and the marks buffer are guarded by the spool's index
 * lock.
 */
final class Segment {
  static final int HEADER = 16;
  static final int MAGIC = 0x524B5350; // "RKSP"
  static final int VERSION = 1;
  static final String LOG = ".log";
  static final String DONE = ".done";

  final Path file;
  final Path doneFile;
  final long firstSequence;
  final FileChannel channel;

  /** Bytes in the file; written under the append lock only. */
  private long size;
  /** Where entry i ends; entries start at {@link #HEADER}. Replaced (never changed below count) when full. */
  private volatile int[] ends;
  private volatile int count;
  /** False once a newer segment takes appends. */
  volatile boolean active;

  // guarded by the spool's index lock
  private long[] completed = new long[16];
  private int completedCount;
  private int[] unwrittenMarks = new int[64];
  private int unwrittenCount;
  private @Nullable FileChannel doneChannel;
  private long doneSize;

  private Segment(Path file, long firstSequence, FileChannel channel, long size, int[] ends, int count) {
    this.file = file;
    this.doneFile = doneFile(file.getParent(), firstSequence);
    this.firstSequence = firstSequence;
    this.channel = channel;
    this.size = size;
    this.ends = ends;
    this.count = count;
  }

  static String name(long firstSequence) {
    return String.format(Locale.ROOT, "%020d", firstSequence);
  }

  static Path logFile(Path directory, long firstSequence) {
    return directory.resolve(name(firstSequence) + LOG);
  }

  static Path doneFile(Path directory, long firstSequence) {
    return directory.resolve(name(firstSequence) + DONE);
  }

  /** A new, empty segment file (header written, not forced). */
  static Segment create(Path directory, long firstSequence) throws IOException {
    Path file = logFile(directory, firstSequence);
    Files.deleteIfExists(doneFile(directory, firstSequence));
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    ByteBuffer header = ByteBuffer.allocate(HEADER).putInt(MAGIC).putInt(VERSION).putLong(firstSequence).flip();
    while (header.hasRemaining()) {
      channel.write(header, header.position());
    }
    return new Segment(file, firstSequence, channel, HEADER, new int[1024], 0);
  }

  /** A segment read back by recovery: {@code ends} holds where its {@code count} entries end. */
  static Segment recovered(Path file, long firstSequence, FileChannel channel, long size, int[] ends, int count) {
    return new Segment(file, firstSequence, channel, size, ends.length == 0 ? new int[16] : ends, count);
  }

  int count() {
    return count;
  }

  long size() {
    return size;
  }

  long lastSequence() {
    return firstSequence + count - 1;
  }

  /** Where entry {@code index} starts. */
  int start(int index) {
    return index == 0 ? HEADER : ends[index - 1];
  }

  /** Where entry {@code index} ends. */
  int end(int index) {
    return ends[index];
  }

  /**
   * Writes sealed entries at the end, in one gathering write. On failure the file is cut back to where it
   * was, so that a partial entry never stays in front of later ones; if even that fails, the second
   * failure is added as suppressed and the caller must stop appending.
   */
  void append(ByteBuffer... entries) throws IOException {
    int[] sizes = new int[entries.length];
    long total = 0;
    for (int i = 0; i < entries.length; i++) {
      sizes[i] = entries[i].remaining();
      total += sizes[i];
    }
    try {
      // only the append lock's holder writes, so the channel's position is ours; readers read by offset
      channel.position(size);
      long done = 0;
      while (done < total) {
        done += channel.write(entries);
      }
    } catch (IOException e) {
      try {
        channel.truncate(size);
      } catch (IOException again) {
        e.addSuppressed(again);
        throw new BrokenSegmentException(e);
      }
      throw e;
    }
    int[] current = ends;
    if (count + entries.length > current.length) {
      current = Arrays.copyOf(current, Math.max(current.length * 2, count + entries.length));
      ends = current;
    }
    long at = size;
    for (int i = 0; i < entries.length; i++) {
      at += sizes[i];
      current[count + i] = (int) at;
    }
    size = at;
    count = count + entries.length; // publishes the entries
  }

  /** An append failed and the file could not be cut back: it may hold a partial entry. */
  static final class BrokenSegmentException extends IOException {
    private static final long serialVersionUID = 1L;

    BrokenSegmentException(IOException cause) {
      super(cause.toString(), cause);
    }
  }

  // ---- completion state, under the spool's index lock ----

  boolean isCompleted(int index) {
    int word = index >>> 6;
    return word < completed.length && (completed[word] & (1L << index)) != 0;
  }

  /** Marks entry {@code index} completed; false if it already was. */
  boolean markCompleted(int index) {
    int word = index >>> 6;
    if (word >= completed.length) {
      completed = Arrays.copyOf(completed, Math.max(word + 1, completed.length * 2));
    }
    long bit = 1L << index;
    if ((completed[word] & bit) != 0) {
      return false;
    }
    completed[word] |= bit;
    completedCount++;
    return true;
  }

  /** The first entry at or after {@code index} not completed, or {@code count} if none. */
  int nextPending(int index, int count) {
    int i = index;
    while (i < count) {
      int word = i >>> 6;
      if (word >= completed.length) {
        return i;
      }
      long free = ~completed[word] & (-1L << i);
      if (free != 0) {
        int found = (word << 6) + Long.numberOfTrailingZeros(free);
        return Math.min(found, count);
      }
      i = (word + 1) << 6;
    }
    return count;
  }

  int completedCount() {
    return completedCount;
  }

  boolean allCompleted() {
    return completedCount == count;
  }

  /** Queues a mark to be written by the next flush. */
  void queueMark(int index) {
    if (unwrittenCount == unwrittenMarks.length) {
      unwrittenMarks = Arrays.copyOf(unwrittenMarks, unwrittenMarks.length * 2);
    }
    unwrittenMarks[unwrittenCount++] = index;
  }

  /** The marks queued since the last call, as one batch ready to write, or null without any. */
  @Nullable ByteBuffer takeMarks() {
    if (unwrittenCount == 0) {
      return null;
    }
    ByteBuffer batch = markBatch(unwrittenMarks, unwrittenCount);
    unwrittenCount = 0;
    if (unwrittenMarks.length > 4096) {
      unwrittenMarks = new int[64];
    }
    return batch;
  }

  static ByteBuffer markBatch(int[] offsets, int n) {
    ByteBuffer batch = ByteBuffer.allocate(8 + 4 * n);
    batch.putInt(n).putInt(0);
    for (int i = 0; i < n; i++) {
      batch.putInt(offsets[i]);
    }
    batch.flip();
    batch.putInt(4, markChecksum(batch, n));
    return batch;
  }

  static int markChecksum(ByteBuffer batch, int n) {
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    int at = batch.position();
    crc.update(batch.duplicate().position(at).limit(at + 4));
    crc.update(batch.duplicate().position(at + 8).limit(at + 8 + 4 * n));
    return (int) crc.getValue();
  }

  /**
   * Appends a batch of marks to the marks file (written, not forced); only the spool's flusher calls
   * this, outside the index lock.
   */
  void writeMarks(ByteBuffer batch) throws IOException {
    FileChannel done = doneChannel;
    if (done == null) {
      done = FileChannel.open(doneFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      doneSize = done.size();
      doneChannel = done;
    }
    long at = doneSize;
    while (batch.hasRemaining()) {
      at += done.write(batch, at);
    }
    doneSize = at;
  }

  void forceMarks() throws IOException {
    FileChannel done = doneChannel;
    if (done != null) {
      done.force(false);
    }
  }

  /** Closes the files; {@code delete} also removes them (the segment file first: marks without it are ignored). */
  void close(boolean delete) throws IOException {
    try {
      channel.close();
      FileChannel done = doneChannel;
      if (done != null) {
        done.close();
      }
    } finally {
      if (delete) {
        Files.deleteIfExists(file);
        Files.deleteIfExists(doneFile);
      }
    }
  }

  @Override
  public String toString() {
    return file.getFileName() + " (" + count + " records, " + completedCount + " completed)";
  }
}
