package dev.resilientkafka.benchmarks.spool;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.jspecify.annotations.Nullable;

/**
 * H2's MVStore: a record is a map entry under its id, completion a remove. A commit writes a new version
 * (a chunk) and {@code sync()} forces it; ALWAYS shares one commit and sync among concurrent appends
 * (group commit, done here since MVStore has none), INTERVAL commits and syncs every 100 ms.
 */
final class MvStoreCandidate implements StoreCandidate {
  private final MVStore store;
  private final MVMap<Long, byte[]> map;
  private final AtomicLong ids = new AtomicLong();
  private final Durability durability;
  private final ReentrantLock commitLock = new ReentrantLock();
  private volatile long commitsStarted;
  private volatile long commitsFinished;
  private final @Nullable Thread syncer;
  private volatile boolean closing;

  MvStoreCandidate(Path dir, Durability durability) {
    this.durability = durability;
    store = new MVStore.Builder().fileName(dir.resolve("spool.mv").toString()).open();
    map = store.openMap("spool");
    Long last = map.lastKey();
    ids.set(last == null ? 0 : last + 1);
    if (durability == Durability.INTERVAL) {
      syncer = new Thread(() -> {
        while (!closing) {
          try {
            Thread.sleep(100);
          } catch (InterruptedException e) {
            return;
          }
          commitAndSync();
        }
      }, "mvstore-syncer");
      syncer.setDaemon(true);
      syncer.start();
    } else {
      syncer = null;
    }
  }

  @Override
  public long append(byte[] record) {
    long id = ids.getAndIncrement();
    map.put(id, record);
    if (durability == Durability.ALWAYS) {
      // a commit that starts after this read includes the put
      long seen = commitsStarted;
      commitLock.lock();
      try {
        if (commitsFinished <= seen) {
          commitAndSync();
        }
      } finally {
        commitLock.unlock();
      }
    }
    return id;
  }

  private void commitAndSync() {
    commitLock.lock();
    try {
      long number = commitsStarted + 1;
      commitsStarted = number;
      store.commit();
      store.sync();
      commitsFinished = number;
    } finally {
      commitLock.unlock();
    }
  }

  @Override
  public void complete(long id) {
    map.remove(id);
  }

  @Override
  public long readAllPending() {
    long count = 0;
    for (var it = map.cursor(null); it.hasNext(); ) {
      it.next();
      if (it.getValue().length > 0) {
        count++;
      }
    }
    return count;
  }

  @Override
  public void close() throws Exception {
    closing = true;
    if (syncer != null) {
      // no interrupt: an interrupt inside MVStore's I/O closes its file channel for good
      syncer.join();
    }
    store.commit();
    store.close();
  }
}
