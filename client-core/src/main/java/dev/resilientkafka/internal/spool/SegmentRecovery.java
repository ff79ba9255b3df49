package dev.resilientkafka.internal.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a spool directory back at open: every segment's entries checked (length, checksum, sequence), a
 * torn tail cut off, a damaged entry followed by intact ones refused, the completion marks applied.
 * Single-threaded, before the spool takes appends.
 */
final class SegmentRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(SegmentRecovery.class);
  private static final int CHUNK = 4 * 1024 * 1024;

  final List<Segment> segments = new ArrayList<>();
  int tornTails;
  long tornBytes;
  int segmentFiles;

  private final Path directory;

  private SegmentRecovery(Path directory) {
    this.directory = directory;
  }

  /**
   * The segments of {@code directory} in sequence order, checked and repaired; the caller owns their
   * channels.
   *
   * @throws IOException naming the file and offset of damage that recovery must not repair
   */
  static SegmentRecovery run(Path directory) throws IOException {
    SegmentRecovery recovery = new SegmentRecovery(directory);
    try {
      recovery.readAll();
    } catch (IOException | RuntimeException e) {
      for (Segment segment : recovery.segments) {
        try {
          segment.close(false);
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
    return recovery;
  }

  private void readAll() throws IOException {
    List<Long> firsts = new ArrayList<>();
    List<Path> orphans = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (name.endsWith(Segment.LOG) && isSequence(name, Segment.LOG)) {
          firsts.add(Long.parseLong(name.substring(0, name.length() - Segment.LOG.length())));
        } else if (name.endsWith(".tmp")) {
          orphans.add(file);
        }
      }
    }
    firsts.sort(null);
    segmentFiles = firsts.size();
    long next = 0;
    for (int i = 0; i < firsts.size(); i++) {
      long first = firsts.get(i);
      if (first < next) {
        throw new IOException("Spool segment " + Segment.logFile(directory, first) + " overlaps the one before it"
            + " (which ends at sequence " + (next - 1) + "): the directory holds files of two spools");
      }
      Segment segment = scan(Segment.logFile(directory, first), first);
      segments.add(segment);
      next = first + segment.count();
    }
    // marks whose segment is gone: the segment was deleted (its records all completed) before them
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + Segment.DONE)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (!isSequence(name, Segment.DONE)
            || !firsts.contains(Long.parseLong(name.substring(0, name.length() - Segment.DONE.length())))) {
          orphans.add(file);
        }
      }
    }
    for (Path orphan : orphans) {
      Files.deleteIfExists(orphan);
    }
  }

  private static boolean isSequence(String name, String suffix) {
    String digits = name.substring(0, name.length() - suffix.length());
    return digits.length() == 20 && digits.chars().allMatch(c -> c >= '0' && c <= '9');
  }

  private Segment scan(Path file, long first) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      long fileSize = channel.size();
      if (fileSize < Segment.HEADER) {
        // created, and the process died before its header was written
        torn(file, channel, 0, fileSize, "the header is cut short");
        ByteBuffer header = ByteBuffer.allocate(Segment.HEADER)
            .putInt(Segment.MAGIC).putInt(Segment.VERSION).putLong(first).flip();
        while (header.hasRemaining()) {
          channel.write(header, header.position());
        }
        channel.force(false);
        Segment segment = Segment.recovered(file, first, channel, Segment.HEADER, new int[0], 0);
        readMarks(segment);
        return segment;
      }
      ByteBuffer header = ByteBuffer.allocate(Segment.HEADER);
      readFully(channel, header, 0);
      int magic = header.getInt(0);
      int version = header.getInt(4);
      if (magic != Segment.MAGIC || version != Segment.VERSION || header.getLong(8) != first) {
        throw new IOException("Spool segment " + file + " is not a segment of this spool format (magic "
            + Integer.toHexString(magic) + ", version " + version + ", first sequence " + header.getLong(8)
            + "; expected " + Integer.toHexString(Segment.MAGIC) + ", " + Segment.VERSION + ", " + first
            + "): move it out of the directory");
      }
      int[] ends = new int[1024];
      int count = 0;
      ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK).limit(0);
      long bufferAt = Segment.HEADER;
      long at = Segment.HEADER;
      while (at < fileSize) {
        int rel = (int) (at - bufferAt);
        if (buffer.limit() - rel < EntryCodec.PREFIX) {
          buffer = refill(channel, buffer, at, CHUNK, fileSize);
          bufferAt = at;
          rel = 0;
          if (buffer.limit() < EntryCodec.PREFIX) {
            return damaged(file, channel, first, ends, count, at, fileSize, "its length is cut short");
          }
        }
        int length = buffer.getInt(rel);
        long size = EntryCodec.PREFIX + (long) length;
        if (length < EntryCodec.MIN_BODY || at + size > fileSize) {
          return damaged(file, channel, first, ends, count, at, fileSize,
              "its length " + length + " does not fit (" + (fileSize - at) + " bytes left in the file)");
        }
        if (buffer.limit() - rel < size) {
          buffer = refill(channel, buffer, at, (int) size, fileSize);
          bufferAt = at;
          rel = 0;
        }
        if (!EntryCodec.intact(buffer, rel, (int) size)) {
          return damaged(file, channel, first, ends, count, at, fileSize, "its checksum does not match");
        }
        long sequence = EntryCodec.sequence(buffer, rel);
        if (sequence != first + count) {
          return damaged(file, channel, first, ends, count, at, fileSize,
              "it holds sequence " + sequence + " where " + (first + count) + " belongs");
        }
        if (count == ends.length) {
          ends = Arrays.copyOf(ends, count * 2);
        }
        at += size;
        ends[count++] = (int) at;
      }
      Segment segment = Segment.recovered(file, first, channel, fileSize, ends, count);
      readMarks(segment);
      return segment;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /**
   * The entry at {@code at} is not intact. If an intact entry follows it, the damage is in the middle and
   * must not be skipped; otherwise it is a tail cut short by a crash and is cut off.
   */
  private Segment damaged(Path file, FileChannel channel, long first, int[] ends, int count, long at, long fileSize,
      String why) throws IOException {
    long expected = first + count;
    long intactAt = intactEntryAfter(channel, at, fileSize, expected);
    if (intactAt >= 0) {
      throw new IOException("Spool segment " + file + " is damaged at offset " + at + " (the entry of sequence "
          + expected + ": " + why + ") and intact records follow at offset " + intactAt + "; the spool does not"
          + " skip records. To keep the records before the damage and drop the rest of this file, stop the"
          + " application, copy the directory aside and cut the file there (truncate -s " + at + " " + file
          + "); or remove the spool directory to start empty");
    }
    torn(file, channel, at, fileSize, why);
    Segment segment = Segment.recovered(file, first, channel, at, ends, count);
    readMarks(segment);
    return segment;
  }

  private void torn(Path file, FileChannel channel, long at, long fileSize, String why) throws IOException {
    channel.truncate(at);
    channel.force(false);
    tornTails++;
    tornBytes += fileSize - at;
    LOG.warn("Spool segment {}: the last {} bytes from offset {} are a record cut short ({}), most likely written"
        + " when the process or machine died; cut them off. The record was not reported accepted unless the"
        + " fsync policy allowed losing it.", file, fileSize - at, at, why);
  }

  /** The offset of an intact entry with a sequence at or after {@code expected} past {@code at}, or -1. */
  private static long intactEntryAfter(FileChannel channel, long at, long fileSize, long expected)
      throws IOException {
    long span = fileSize - at;
    if (span > Integer.MAX_VALUE) {
      return at + 1; // cannot look: refuse rather than cut off what may be intact
    }
    ByteBuffer tail = ByteBuffer.allocate((int) span);
    readFully(channel, tail, at);
    long maxSequence = expected + span / (EntryCodec.PREFIX + EntryCodec.MIN_BODY);
    for (int q = 1; q + EntryCodec.PREFIX + EntryCodec.MIN_BODY <= span; q++) {
      int length = tail.getInt(q);
      if (length < EntryCodec.MIN_BODY || q + EntryCodec.PREFIX + (long) length > span) {
        continue;
      }
      long sequence = EntryCodec.sequence(tail, q);
      if (sequence >= expected && sequence <= maxSequence && EntryCodec.intact(tail, q, EntryCodec.PREFIX + length)) {
        return at + q;
      }
    }
    return -1;
  }

  /**
   * Applies the segment's completion marks. A batch cut short or damaged ends the marks (the records it
   * named are sent again); marks beyond the segment's records (their records were in a torn tail) are
   * dropped, so that they never complete a later record that takes the same sequence.
   */
  private void readMarks(Segment segment) throws IOException {
    Path done = segment.doneFile;
    if (!Files.exists(done)) {
      return;
    }
    ByteBuffer marks = ByteBuffer.wrap(Files.readAllBytes(done));
    int count = segment.count();
    boolean rewrite = false;
    while (marks.remaining() >= 8) {
      int at = marks.position();
      int n = marks.getInt(at);
      if (n <= 0 || (marks.remaining() - 8) / 4 < n || Segment.markChecksum(marks, n) != marks.getInt(at + 4)) {
        LOG.warn("Spool marks file {}: the batch at offset {} is cut short or damaged; the {} bytes from there are"
            + " dropped (the records they marked completed will be sent again)", done, at, marks.remaining());
        rewrite = true;
        marks.position(marks.limit());
        break;
      }
      for (int i = 0; i < n; i++) {
        int offset = marks.getInt(at + 8 + 4 * i);
        if (offset >= 0 && offset < count) {
          segment.markCompleted(offset);
        } else {
          rewrite = true;
        }
      }
      marks.position(at + 8 + 4 * n);
    }
    if (marks.hasRemaining()) {
      rewrite = true;
    }
    if (rewrite) {
      rewriteMarks(segment);
    }
  }

  /** Replaces the marks file by one batch of the marks that count, atomically. */
  private void rewriteMarks(Segment segment) throws IOException {
    int[] offsets = new int[segment.completedCount()];
    int n = 0;
    for (int i = 0; i < segment.count(); i++) {
      if (segment.isCompleted(i)) {
        offsets[n++] = i;
      }
    }
    Path tmp = segment.doneFile.resolveSibling(segment.doneFile.getFileName() + ".tmp");
    try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      if (n > 0) {
        ByteBuffer batch = Segment.markBatch(offsets, n);
        while (batch.hasRemaining()) {
          out.write(batch);
        }
      }
      out.force(false);
    }
    Files.move(tmp, segment.doneFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    SegmentSpool.forceDirectory(directory);
  }

  static void readFully(FileChannel channel, ByteBuffer buffer, long at) throws IOException {
    long position = at;
    while (buffer.hasRemaining()) {
      int read = channel.read(buffer, position);
      if (read < 0) {
        throw new IOException("unexpected end of file at offset " + position);
      }
      position += read;
    }
  }

  /** The buffer (a larger one if {@code wanted} does not fit) filled from {@code at}. */
  private static ByteBuffer refill(FileChannel channel, ByteBuffer buffer, long at, int wanted, long fileSize)
      throws IOException {
    ByteBuffer target = wanted > buffer.capacity() ? ByteBuffer.allocateDirect(wanted) : buffer;
    target.clear();
    readUpTo(channel, target, at, fileSize);
    return target.flip();
  }

  private static void readUpTo(FileChannel channel, ByteBuffer buffer, long at, long fileSize) throws IOException {
    long position = at;
    while (buffer.hasRemaining() && position < fileSize) {
      int read = channel.read(buffer, position);
      if (read < 0) {
        break;
      }
      position += read;
    }
  }
}
