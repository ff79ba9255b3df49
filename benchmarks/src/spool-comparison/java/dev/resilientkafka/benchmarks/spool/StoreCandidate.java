package dev.resilientkafka.benchmarks.spool;

import java.nio.file.Path;

/**
 * One store under test, driven like the spool: append a record (durable under the {@link Durability} when
 * the call returns), complete it a few ms later from another thread, and read back whatever is pending
 * after a restart. Thread-safe for appends from several threads and completions from one.
 */
interface StoreCandidate extends AutoCloseable {
  /** How appends are made durable. */
  enum Durability {
    /** Forced by a background thread every 100 ms. */
    INTERVAL,
    /** Forced before append returns; concurrent appends share a force where the store allows it. */
    ALWAYS,
    /** Not forced (filling a store for the recovery run); closing forces. */
    NONE
  }

  /** Appends {@code record}; returns the id to complete it with. */
  long append(byte[] record) throws Exception;

  /** The record left the store. Called from one thread, the way Kafka's I/O thread would. */
  void complete(long id) throws Exception;

  /** Reads every pending record once, in append order, and returns how many there were. */
  long readAllPending() throws Exception;

  @Override
  void close() throws Exception;

  /** Opens candidate {@code name} in {@code dir}. */
  static StoreCandidate open(String name, Path dir, Durability durability) throws Exception {
    return switch (name) {
      case "segment-log" -> new SegmentLogCandidate(dir, durability);
      case "rocksdb" -> new RocksDbCandidate(dir, durability);
      case "mvstore" -> new MvStoreCandidate(dir, durability);
      case "chronicle" -> new ChronicleQueueCandidate(dir, durability);
      default -> throw new IllegalArgumentException("unknown candidate " + name
          + "; accepted: segment-log, rocksdb, mvstore, chronicle");
    };
  }
}
