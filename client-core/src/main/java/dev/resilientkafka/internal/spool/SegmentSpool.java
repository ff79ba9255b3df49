package dev.resilientkafka.internal.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool as a directory of segment files (see {@link Segment} and {@link EntryCodec} for the format,
 * ARCHITECTURE.md "Durable spool" for why this and not an embedded store).
 *
 * <p>Appends are written under one lock. Under {@link FsyncPolicy#always()} they are group-committed: the
 * appender that takes the commit lock writes every waiting record in one gathering write and forces
 * once; the others park until it is done. Completions go to a lock-free queue; the flusher thread
 * (every fsync interval, or 100 ms) applies them to the per-segment bitsets, writes them as marks, forces
 * the marks and deletes segments whose records are all completed. Readers of the bound ({@link #bytes()}, a full {@link
 * #append}) apply waiting completions first, so the bound never counts a record Kafka already
 * acknowledged.
 */
final class SegmentSpool implements Spool {
  static final long DEFAULT_SEGMENT_BYTES = 64L * 1024 * 1024;
  private static final Logger LOG = LoggerFactory.getLogger(SegmentSpool.class);
  private static final Duration MARKS_INTERVAL = Duration.ofMillis(100);
  private static final int READ_CHUNK = 1024 * 1024;
  private static final String MAX_BYTES_KEY = "resilient.spool.max.bytes";

  private final Path directory;
  private final long maxBytes;
  private final FsyncPolicy fsync;
  private final long segmentBytes;
  private final SpoolLock lock;
  private final RecoveryReport recovery;
  private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();

  private final ReentrantLock appendLock = new ReentrantLock();
  /** Takes appends; replaced under the append lock. */
  private volatile Segment active;
  private long nextSequence; // under the append lock
  /** Sequence of the last record written to a file, and of the last one forced. */
  private volatile long written;
  private volatile long durable;
  private final ReentrantLock forceLock = new ReentrantLock();
  /** Appends waiting for a group commit under {@code always}, and who leads the next one. */
  private final ConcurrentLinkedQueue<Waiter> waiting = new ConcurrentLinkedQueue<>();
  private final ReentrantLock commitLock = new ReentrantLock();
  private volatile @Nullable IOException broken;

  private final AtomicLong pendingRecords = new AtomicLong();
  private final AtomicLong pendingBytes = new AtomicLong();
  private final ConcurrentLinkedQueue<Long> completions = new ConcurrentLinkedQueue<>();
  /** Guards the segments' completion state, reading, and removing segments. */
  private final ReentrantLock indexLock = new ReentrantLock();
  private long oldestSequenceSeen = -1; // under the index lock, with the value below
  private long oldestAcceptedAt = -1;

  private final Thread flusher;
  private volatile boolean closing;
  private boolean closed; // under the append lock
  private boolean flushFailureLogged;

  private SegmentSpool(Path directory, long maxBytes, FsyncPolicy fsync, long segmentBytes, SpoolLock lock,
      SegmentRecovery found, long startNanos) throws IOException {
    this.directory = directory;
    this.maxBytes = maxBytes;
    this.fsync = fsync;
    this.segmentBytes = segmentBytes;
    this.lock = lock;
    List<Segment> kept = new ArrayList<>();
    for (int i = 0; i < found.segments.size(); i++) {
      Segment segment = found.segments.get(i);
      boolean last = i == found.segments.size() - 1;
      if (!last && segment.allCompleted()) {
        segment.close(true);
      } else {
        kept.add(segment);
      }
    }
    Segment last;
    if (kept.isEmpty()) {
      last = Segment.create(directory, 0);
      last.channel.force(false);
      forceDirectory(directory);
    } else {
      last = kept.get(kept.size() - 1);
    }
    kept.forEach(s -> segments.put(s.firstSequence, s));
    segments.put(last.firstSequence, last);
    last.active = true;
    active = last;
    nextSequence = last.firstSequence + last.count();
    written = nextSequence - 1;
    durable = written;
    long records = 0;
    long bytes = 0;
    for (Segment segment : segments.values()) {
      for (int i = segment.nextPending(0, segment.count()); i < segment.count();
          i = segment.nextPending(i + 1, segment.count())) {
        records++;
        bytes += segment.end(i) - segment.start(i);
      }
    }
    pendingRecords.set(records);
    pendingBytes.set(bytes);
    long oldest = oldestPending();
    this.recovery = new RecoveryReport(records, bytes, oldest, found.tornTails, found.tornBytes, found.segmentFiles,
        Duration.ofNanos(System.nanoTime() - startNanos));
    this.flusher = new Thread(this::flushLoop, "resilient-spool-flusher-" + directory.getFileName());
    flusher.setDaemon(true);
    flusher.start();
  }

  /** {@link Spool#open} with the segment size chosen (tests use small segments). */
  static Spool open(Path directory, long maxBytes, FsyncPolicy fsync, long segmentBytes) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("Invalid value " + maxBytes + " for configuration " + MAX_BYTES_KEY
          + ": the bound on bytes of records not yet acknowledged must be > 0");
    }
    long start = System.nanoTime();
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new SpoolException(SpoolException.Reason.IO, "Cannot create the spool directory " + directory + ": " + e,
          e);
    }
    SpoolLock lock = SpoolLock.take(directory);
    SegmentRecovery found = null;
    try {
      found = SegmentRecovery.run(directory);
      SegmentSpool spool = new SegmentSpool(directory, maxBytes, fsync, segmentBytes, lock, found, start);
      RecoveryReport report = spool.recovery;
      LOG.info("Spool {}: {} records to send again ({} bytes{}) in {} segment files, {} torn tails ({} bytes cut"
          + " off); recovered in {} ms; fsync {}, bound {} bytes", directory, report.records(), report.bytes(),
          report.oldestAcceptedAtMillis() < 0 ? ""
              : ", oldest accepted " + Duration.ofMillis(System.currentTimeMillis() - report.oldestAcceptedAtMillis())
                  .toSeconds() + " s ago",
          report.segments(), report.tornTails(), report.tornBytes(), report.took().toMillis(), describe(fsync),
          maxBytes);
      return spool;
    } catch (IOException | RuntimeException e) {
      if (found != null) {
        for (Segment segment : found.segments) {
          try {
            segment.close(false);
          } catch (IOException suppressed) {
            e.addSuppressed(suppressed);
          }
        }
      }
      lock.close();
      if (e instanceof SpoolException spoolException) {
        throw spoolException;
      }
      throw new SpoolException(SpoolException.Reason.IO, "Cannot open the spool in " + directory + ": "
          + e.getMessage(), e);
    }
  }

  private static String describe(FsyncPolicy fsync) {
    return fsync.always() ? "always" : fsync.never() ? "never" : "every " + fsync.interval().toMillis() + " ms";
  }

  @Override
  public RecoveryReport recovery() {
    return recovery;
  }

  @Override
  public long append(SpooledRecord record) {
    ByteBuffer entry;
    try {
      entry = EntryCodec.encode(record);
    } catch (IllegalArgumentException e) {
      throw new SpoolException(SpoolException.Reason.IO, "Cannot spool a record of topic " + record.topic() + ": "
          + e.getMessage(), e);
    }
    int size = entry.remaining();
    reserve(size);
    if (fsync.always()) {
      return appendForced(entry, size);
    }
    long sequence;
    appendLock.lock();
    try {
      checkTakingRecords();
      Segment segment = active;
      if (segment.count() > 0 && segment.size() + size > segmentBytes) {
        segment = roll(segment);
      }
      sequence = nextSequence;
      EntryCodec.seal(entry, sequence);
      segment.append(entry);
      nextSequence = sequence + 1;
      pendingRecords.incrementAndGet();
      written = sequence;
    } catch (IOException e) {
      pendingBytes.addAndGet(-size);
      if (e instanceof Segment.BrokenSegmentException) {
        broken = e;
      }
      throw writeFailed(e, size);
    } catch (RuntimeException e) {
      pendingBytes.addAndGet(-size);
      throw e;
    } finally {
      appendLock.unlock();
    }
    return sequence;
  }

  /** Under the append lock. */
  private void checkTakingRecords() {
    if (closed) {
      throw new SpoolException(SpoolException.Reason.IO, "The spool in " + directory + " is closed");
    }
    IOException failed = broken;
    if (failed != null) {
      throw new SpoolException(SpoolException.Reason.IO, "The spool in " + directory + " stopped taking records"
          + " after a write or fsync failed (" + failed + "); restart the application to recover", failed);
    }
  }

  /** An append under {@code always} waiting for its group commit. */
  private static final class Waiter {
    final ByteBuffer entry;
    final int size;
    final Thread thread = Thread.currentThread();
    long sequence = -1; // written by the leader before done
    @Nullable SpoolException failure;
    volatile boolean done;

    Waiter(ByteBuffer entry, int size) {
      this.entry = entry;
      this.size = size;
    }
  }

  /**
   * Group commit: the appender that gets the commit lock leads, writing every waiting record in one
   * gathering write and forcing once; the others park until their record is durable (or failed), or
   * until the lock is free for one of them to lead the next group.
   */
  private long appendForced(ByteBuffer entry, int size) {
    Waiter me = new Waiter(entry, size);
    waiting.add(me);
    boolean interrupted = false;
    while (!me.done) {
      if (commitLock.tryLock()) {
        try {
          if (!me.done) {
            commitWaiting();
          }
        } finally {
          commitLock.unlock();
        }
        Waiter next = waiting.peek();
        if (next != null) {
          LockSupport.unpark(next.thread); // it leads the next group
        }
      } else {
        LockSupport.park(this);
        // a pending interrupt would make park return at once: keep it for the caller, not for the loop
        interrupted |= Thread.interrupted();
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    SpoolException failure = me.failure;
    if (failure != null) {
      throw failure;
    }
    return me.sequence;
  }

  /** Under the commit lock: writes and forces every waiting record, then releases their appenders. */
  private void commitWaiting() {
    List<Waiter> group = new ArrayList<>();
    for (Waiter w = waiting.poll(); w != null; w = waiting.poll()) {
      group.add(w);
    }
    int writtenCount = 0;
    try {
      appendLock.lock();
      try {
        checkTakingRecords();
        while (writtenCount < group.size()) {
          Segment segment = active;
          // the records that fit in the active segment; at least one when it is empty
          int end = writtenCount;
          long bytes = segment.size();
          while (end < group.size() && (segment.count() == 0 && end == writtenCount
              || bytes + group.get(end).size <= segmentBytes)) {
            bytes += group.get(end).size;
            end++;
          }
          if (end == writtenCount) {
            roll(segment);
            continue;
          }
          ByteBuffer[] entries = new ByteBuffer[end - writtenCount];
          for (int i = writtenCount; i < end; i++) {
            Waiter w = group.get(i);
            w.sequence = nextSequence + (i - writtenCount);
            EntryCodec.seal(w.entry, w.sequence);
            entries[i - writtenCount] = w.entry;
          }
          segment.append(entries);
          nextSequence += entries.length;
          pendingRecords.addAndGet(entries.length);
          this.written = nextSequence - 1;
          writtenCount = end;
        }
      } finally {
        appendLock.unlock();
      }
      forceUpTo(this.written);
    } catch (IOException e) {
      if (e instanceof Segment.BrokenSegmentException || writtenCount == group.size()) {
        // after a failed fsync the kernel may have dropped the dirty pages (a later fsync can succeed
        // without them): take no more records
        broken = e;
      }
      fail(group, writtenCount, writeFailed(e, group.get(Math.min(writtenCount, group.size() - 1)).size));
    } catch (RuntimeException e) {
      fail(group, writtenCount, e instanceof SpoolException spoolException ? spoolException
          : new SpoolException(SpoolException.Reason.IO, "Cannot write to the spool in " + directory + ": " + e, e));
    } finally {
      for (Waiter w : group) {
        w.done = true;
        if (w.thread != Thread.currentThread()) {
          LockSupport.unpark(w.thread);
        }
      }
    }
  }

  /**
   * Fails a group: records already written but not known durable are completed (their appenders are told
   * they were not accepted, so they must not be sent again), the others give their room back.
   */
  private void fail(List<Waiter> group, int written, SpoolException failure) {
    for (int i = 0; i < group.size(); i++) {
      Waiter w = group.get(i);
      if (i < written) {
        completions.add(w.sequence);
      } else {
        pendingBytes.addAndGet(-w.size);
      }
      w.failure = failure;
    }
  }

  /** Takes room for {@code size} bytes under the bound, applying waiting completions if it looks full. */
  private void reserve(int size) {
    boolean drained = false;
    while (true) {
      long current = pendingBytes.get();
      if (current + size > maxBytes) {
        if (!drained) {
          drainCompletions();
          drained = true;
          continue;
        }
        throw new SpoolException(SpoolException.Reason.FULL, "The spool in " + directory + " is full: " + current
            + " bytes of records not yet acknowledged, a record of " + size + " bytes would pass the bound of "
            + maxBytes + " bytes (" + MAX_BYTES_KEY + ")");
      }
      if (pendingBytes.compareAndSet(current, current + size)) {
        return;
      }
    }
  }

  private SpoolException writeFailed(IOException e, int size) {
    long free = -1;
    try {
      free = Files.getFileStore(directory).getUsableSpace();
    } catch (IOException ignored) {
      // report the write failure without the free space
    }
    if (free >= 0 && free < Math.max(size, 1) + 64 * 1024) {
      return new SpoolException(SpoolException.Reason.FULL, "The disk of the spool directory " + directory
          + " is full (" + free + " bytes free): " + e.getMessage(), e);
    }
    return new SpoolException(SpoolException.Reason.IO, "Cannot write to the spool in " + directory + ": " + e, e);
  }

  /**
   * Starts a new segment after {@code full}; under the append lock. The full segment is forced whatever
   * the policy (once per segment, cheap), so that only the last segment can ever have a torn tail.
   */
  private Segment roll(Segment full) throws IOException {
    full.channel.force(false);
    Segment next = Segment.create(directory, nextSequence);
    forceDirectory(directory);
    next.active = true; // before the flusher can see it: an active segment is never deleted
    segments.put(next.firstSequence, next);
    active = next;
    full.active = false;
    return next;
  }

  /**
   * Makes every record up to {@code sequence} durable. Group commit: one caller forces for all records
   * written so far; the others wait on the lock and then find their record durable.
   */
  private void forceUpTo(long sequence) throws IOException {
    if (durable >= sequence) {
      return;
    }
    forceLock.lock();
    try {
      if (durable >= sequence) {
        return;
      }
      // written before active: a record of a segment rolled since was forced by the roll
      long target = written;
      active.channel.force(false);
      if (target > durable) {
        durable = target;
      }
    } finally {
      forceLock.unlock();
    }
  }

  @Override
  public List<SpooledRecord> readPending(long fromSequence, int maxRecords, long maxBytes) {
    if (maxRecords <= 0) {
      throw new IllegalArgumentException("maxRecords must be > 0, was " + maxRecords);
    }
    List<SpooledRecord> records = new ArrayList<>();
    long bytes = 0;
    indexLock.lock();
    try {
      applyCompletions();
      Long startKey = segments.floorKey(fromSequence);
      Map<Long, Segment> from = startKey == null ? segments : segments.tailMap(startKey);
      for (Segment segment : from.values()) {
        int count = segment.count();
        int i = segment.nextPending((int) Math.min(count, Math.max(0, fromSequence - segment.firstSequence)), count);
        while (i < count && records.size() < maxRecords && (records.isEmpty() || bytes < maxBytes)) {
          // one read for a run of entries, completed ones between them included
          int last = i;
          int taken = 1;
          long runBytes = segment.end(i) - segment.start(i);
          while (last + 1 < count && records.size() + taken < maxRecords && bytes + runBytes < maxBytes
              && segment.end(last + 1) - segment.start(i) <= READ_CHUNK) {
            last++;
            if (!segment.isCompleted(last)) {
              taken++;
              runBytes += segment.end(last) - segment.start(last);
            }
          }
          int start = segment.start(i);
          ByteBuffer run = ByteBuffer.allocate(segment.end(last) - start);
          SegmentRecovery.readFully(segment.channel, run, start);
          for (int k = i; k <= last; k++) {
            if (segment.isCompleted(k)) {
              continue;
            }
            int at = segment.start(k) - start;
            int size = segment.end(k) - segment.start(k);
            if (!EntryCodec.intact(run, at, size) || EntryCodec.sequence(run, at) != segment.firstSequence + k) {
              throw new SpoolException(SpoolException.Reason.IO, "Spool segment " + segment.file
                  + " was damaged after it was opened: the record of sequence " + (segment.firstSequence + k)
                  + " at offset " + segment.start(k) + " no longer matches its checksum");
            }
            records.add(EntryCodec.decode(run, at));
            bytes += size;
          }
          i = segment.nextPending(last + 1, count);
        }
        if (records.size() >= maxRecords || (!records.isEmpty() && bytes >= maxBytes)) {
          break;
        }
      }
    } catch (IOException e) {
      throw new SpoolException(SpoolException.Reason.IO, "Cannot read the spool in " + directory + ": " + e, e);
    } finally {
      indexLock.unlock();
    }
    return records;
  }

  @Override
  public void complete(long sequence) {
    if (sequence < 0 || sequence > written) {
      throw new IllegalArgumentException("sequence " + sequence + " was never appended to the spool in "
          + directory);
    }
    completions.add(sequence);
  }

  private void drainCompletions() {
    if (completions.isEmpty()) {
      return;
    }
    indexLock.lock();
    try {
      applyCompletions();
    } finally {
      indexLock.unlock();
    }
  }

  /** Under the index lock. */
  private void applyCompletions() {
    Long sequence;
    while ((sequence = completions.poll()) != null) {
      Map.Entry<Long, Segment> entry = segments.floorEntry(sequence);
      if (entry == null) {
        continue; // its segment is gone: completed twice
      }
      Segment segment = entry.getValue();
      long index = sequence - segment.firstSequence;
      if (index >= segment.count() || !segment.markCompleted((int) index)) {
        continue;
      }
      segment.queueMark((int) index);
      pendingRecords.decrementAndGet();
      pendingBytes.addAndGet(-(segment.end((int) index) - segment.start((int) index)));
    }
  }

  @Override
  public long records() {
    drainCompletions();
    return pendingRecords.get();
  }

  @Override
  public long bytes() {
    drainCompletions();
    return pendingBytes.get();
  }

  @Override
  public long oldestAcceptedAtMillis() {
    indexLock.lock();
    try {
      applyCompletions();
      return oldestPending();
    } catch (IOException e) {
      throw new SpoolException(SpoolException.Reason.IO, "Cannot read the spool in " + directory + ": " + e, e);
    } finally {
      indexLock.unlock();
    }
  }

  /** Under the index lock (or before the spool is shared). */
  private long oldestPending() throws IOException {
    for (Segment segment : segments.values()) {
      int count = segment.count();
      int index = segment.nextPending(0, count);
      if (index < count) {
        long sequence = segment.firstSequence + index;
        if (sequence != oldestSequenceSeen) {
          ByteBuffer head = ByteBuffer.allocate(EntryCodec.PREFIX + 16);
          SegmentRecovery.readFully(segment.channel, head, segment.start(index));
          oldestAcceptedAt = EntryCodec.acceptedAtMillis(head, 0);
          oldestSequenceSeen = sequence;
        }
        return oldestAcceptedAt;
      }
    }
    return -1;
  }

  @Override
  public Path directory() {
    return directory;
  }

  private void flushLoop() {
    long periodNanos = (fsync.always() || fsync.never() ? MARKS_INTERVAL : fsync.interval()).toNanos();
    while (!closing) {
      LockSupport.parkNanos(this, periodNanos);
      if (closing) {
        break;
      }
      try {
        flush(false);
        flushFailureLogged = false;
      } catch (IOException | RuntimeException e) {
        if (!flushFailureLogged) {
          LOG.warn("Spool {}: writing completion marks or forcing records failed (retried every {} ms): {}",
              directory, TimeUnit.NANOSECONDS.toMillis(periodNanos), e.toString());
          flushFailureLogged = true;
        } else {
          LOG.debug("Spool {}: flush failed again", directory, e);
        }
      }
    }
  }

  /**
   * Forces records (under an interval policy, or when closing), then writes completion marks, then
   * deletes finished segments. Records first: a mark on disk never names a record that is not.
   */
  private void flush(boolean closing) throws IOException {
    if ((closing || !fsync.never()) && written > durable) {
      forceUpTo(written);
    }
    List<Segment> marked = new ArrayList<>();
    List<ByteBuffer> batches = new ArrayList<>();
    indexLock.lock();
    try {
      applyCompletions();
      for (Segment segment : segments.values()) {
        ByteBuffer batch = segment.takeMarks();
        if (batch != null) {
          marked.add(segment);
          batches.add(batch);
        }
      }
    } finally {
      indexLock.unlock();
    }
    for (int i = 0; i < marked.size(); i++) {
      marked.get(i).writeMarks(batches.get(i));
    }
    if (closing || !fsync.never()) {
      for (Segment segment : marked) {
        segment.forceMarks();
      }
    }
    indexLock.lock();
    try {
      for (Segment segment : segments.values()) {
        if (!segment.active && segment != active && segment.allCompleted()) {
          segments.remove(segment.firstSequence);
          segment.close(true);
        }
      }
    } finally {
      indexLock.unlock();
    }
  }

  static void forceDirectory(Path directory) throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // some systems cannot open a directory for reading; the file's own force still holds its data
      if (!Files.isDirectory(directory)) {
        throw e;
      }
    }
  }

  @Override
  public void close() {
    appendLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
    } finally {
      appendLock.unlock();
    }
    closing = true;
    LockSupport.unpark(flusher);
    boolean interrupted = false;
    while (flusher.isAlive()) {
      try {
        flusher.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    IOException failure = null;
    try {
      flush(true);
    } catch (IOException e) {
      failure = e;
    }
    for (Segment segment : segments.values()) {
      try {
        segment.close(false);
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    lock.close();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure != null) {
      throw new SpoolException(SpoolException.Reason.IO, "Closing the spool in " + directory + " failed: " + failure
          + "; records not marked completed are sent again at the next start", failure);
    }
  }

  @Override
  public String toString() {
    return "SegmentSpool[" + directory + ", " + pendingRecords.get() + " records, " + pendingBytes.get() + " bytes]";
  }
}
