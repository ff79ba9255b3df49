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
   * @param maxBytes the bound on bytes of records not yet completed
   * @throws SpoolException LOCKED naming the directory and the holder, or IO
   */
  static Spool open(Path directory, long maxBytes, FsyncPolicy fsync) {
    throw new UnsupportedOperationException("the segment-file spool is being built");
  }

  /** What opening found and repaired. */
  RecoveryReport recovery();

  /**
   * Appends {@code record} (its sequence ignored) and returns its sequence; durable under the fsync
   * policy when it returns.
   *
   * @throws SpoolException FULL when the bound is reached or the disk is full, IO otherwise
   */
  long append(SpooledRecord record);

  /**
   * Records not completed with a sequence of at least {@code fromSequence}, in append order, at most
   * {@code maxRecords} and about {@code maxBytes}; read from disk. Used to send again what was recovered
   * and what was accepted while memory was full.
   */
  List<SpooledRecord> readPending(long fromSequence, int maxRecords, long maxBytes);

  /** The record left the spool: acknowledged, or failed for good. Cheap, never blocks on disk. */
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
