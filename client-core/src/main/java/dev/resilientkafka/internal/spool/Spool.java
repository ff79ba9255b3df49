package dev.resilientkafka.internal.spool;

import java.nio.file.Path;
import java.util.List;

/**
 * A directory of append-only segment files holding the records a producer accepted and Kafka has not yet
 * acknowledged (see ARCHITECTURE.md, "Durable spool"). One process per directory (a lock file names the
 * holder). Thread-safe: {@link #append} from any number of senders, {@link #complete} from Kafka's I/O
 * thread, {@link #readPending} from the producer's dispatcher.
 */
public interface Spool extends AutoCloseable {
  /**
   * Opens (creating if needed) the spool in {@code directory}: takes its lock, recovers what is there
   * (checksums verified, a torn tail truncated and reported, completed records skipped).
   *
   * <p>Recovery reads every segment file once (about 1 s per GB from the page cache); a torn tail (the
   * process or machine died mid-write) is cut off, reported in {@link #recovery()} and logged at WARN; an
   * entry that is damaged while intact ones follow it is refused (IO, naming the file and offset, with the
   * manual fix) rather than skipped. One INFO line tells what was recovered.
   *
   * @param directory created if missing; one process (and one spool) per directory
   * @param maxBytes the bound on bytes of records not yet completed ({@code resilient.spool.max.bytes}), > 0
   * @param fsync when appends are forced to disk ({@code resilient.spool.fsync})
   * @throws SpoolException LOCKED naming the directory and the holder ({@code pid@host since <time>}), or IO
   *     naming the file (and offset) that cannot be used
   * @throws IllegalArgumentException if {@code maxBytes} is not positive
   */
  static Spool open(Path directory, long maxBytes, FsyncPolicy fsync) {
    return SegmentSpool.open(directory, maxBytes, fsync, SegmentSpool.DEFAULT_SEGMENT_BYTES);
  }

  /** What opening found and repaired. */
  RecoveryReport recovery();

  /**
   * Appends {@code record} (its sequence ignored) and returns its sequence; durable under the fsync
   * policy when it returns.
   *
   * @throws SpoolException FULL when the bound is reached or the disk is full (the message names the
   *     directory and the bound or the free space), IO otherwise (also after {@link #close}, and for every
   *     append after a write or fsync failed: the spool then needs a restart); a record whose fsync failed
   *     is marked completed, so a restart sends it again only if the process dies before the mark is written
   */
  long append(SpooledRecord record);

  /**
   * Records not completed with a sequence of at least {@code fromSequence}, in append order, at most
   * {@code maxRecords} and about {@code maxBytes}; read from disk. Used to send again what was recovered
   * and what was accepted while memory was full. Returns at least one record when one is pending, even if
   * it is larger than {@code maxBytes}; an empty list when none is.
   *
   * @throws SpoolException IO if a record no longer matches its checksum
   * @throws IllegalArgumentException if {@code maxRecords} is not positive
   */
  List<SpooledRecord> readPending(long fromSequence, int maxRecords, long maxBytes);

  /**
   * The record left the spool: acknowledged, or failed for good. Cheap, never blocks on disk or on a
   * lock (the mark is queued; a background thread writes marks every fsync interval, or 100 ms). A mark
   * lost in a crash only makes the record be sent again. Completing a record twice is harmless.
   *
   * @throws IllegalArgumentException if {@code sequence} was never returned by {@link #append}
   */
  void complete(long sequence);

  /** Records not completed. */
  long records();

  /** Bytes on disk of records not completed. */
  long bytes();

  /** When the oldest record not completed was accepted (epoch ms), or -1 without any. */
  long oldestAcceptedAtMillis();

  /** The directory. */
  Path directory();

  /** Forces what was appended and completed to disk, releases the lock. */
  @Override
  void close();
}
