package dev.resilientkafka.benchmarks.spool;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/**
 * RocksDB (the store Kafka Streams uses) with default options: a record is a put under its big-endian id,
 * completion a delete (not synced: a lost delete only sends the record again). ALWAYS puts with
 * {@code sync=true}, which RocksDB group-commits across concurrent writers; INTERVAL syncs the WAL every
 * 100 ms.
 */
final class RocksDbCandidate implements StoreCandidate {
  static {
    RocksDB.loadLibrary();
  }

  private final Options options = new Options().setCreateIfMissing(true);
  private final RocksDB db;
  private final WriteOptions putOptions;
  private final WriteOptions deleteOptions = new WriteOptions().setSync(false);
  private final AtomicLong ids = new AtomicLong();
  private final @Nullable ScheduledExecutorService syncer;

  RocksDbCandidate(Path dir, Durability durability) throws Exception {
    db = RocksDB.open(options, dir.toString());
    putOptions = new WriteOptions().setSync(durability == Durability.ALWAYS);
    try (RocksIterator last = db.newIterator()) {
      last.seekToLast();
      if (last.isValid()) {
        ids.set(ByteBuffer.wrap(last.key()).getLong() + 1);
      }
    }
    if (durability == Durability.INTERVAL) {
      syncer = Executors.newSingleThreadScheduledExecutor();
      syncer.scheduleWithFixedDelay(() -> {
        try {
          db.flushWal(true);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, 100, 100, TimeUnit.MILLISECONDS);
    } else {
      syncer = null;
    }
  }

  private static byte[] key(long id) {
    return ByteBuffer.allocate(8).putLong(id).array();
  }

  @Override
  public long append(byte[] record) throws Exception {
    long id = ids.getAndIncrement();
    db.put(putOptions, key(id), record);
    return id;
  }

  @Override
  public void complete(long id) throws Exception {
    db.delete(deleteOptions, key(id));
  }

  @Override
  public long readAllPending() {
    long count = 0;
    try (RocksIterator it = db.newIterator()) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        if (it.value().length > 0) {
          count++;
        }
      }
    }
    return count;
  }

  @Override
  public void close() throws Exception {
    if (syncer != null) {
      syncer.shutdown();
      syncer.awaitTermination(10, TimeUnit.SECONDS);
    }
    db.flushWal(true);
    db.close();
    putOptions.close();
    deleteOptions.close();
    options.close();
  }
}
