package dev.resilientkafka.benchmarks.spool;

import java.nio.file.Path;
import java.util.BitSet;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Chronicle Queue: records appended to one queue (memory-mapped files), completions appended as ids to a
 * second one; a record is pending if no completion names it (Chronicle cannot delete an entry: whole
 * cycle files are dropped once all their records completed, not done here). ALWAYS msyncs after each
 * append ({@code SyncMode.SYNC} and {@code appender.sync()}: no group commit across threads); INTERVAL
 * msyncs from the appending thread once 100 ms have passed since its last sync.
 */
final class ChronicleQueueCandidate implements StoreCandidate {
  private final ChronicleQueue data;
  private final ChronicleQueue acks;
  private final ThreadLocal<ExcerptAppender> appenders;
  private final ThreadLocal<long[]> lastSync = ThreadLocal.withInitial(() -> new long[1]);
  private final ExcerptAppender ackAppender;
  private final Durability durability;

  ChronicleQueueCandidate(Path dir, Durability durability) {
    this.durability = durability;
    // sync() is a no-op unless the queue is built with a sync mode
    SyncMode sync = durability == Durability.NONE ? SyncMode.NONE : SyncMode.SYNC;
    data = SingleChronicleQueueBuilder.binary(dir.resolve("data")).syncMode(sync).build();
    acks = SingleChronicleQueueBuilder.binary(dir.resolve("acks")).syncMode(sync).build();
    appenders = ThreadLocal.withInitial(data::createAppender);
    ackAppender = acks.createAppender();
  }

  @Override
  public long append(byte[] record) {
    ExcerptAppender appender = appenders.get();
    appender.writeBytes(Bytes.wrapForRead(record));
    if (durability == Durability.ALWAYS) {
      appender.sync();
    } else if (durability == Durability.INTERVAL) {
      long[] last = lastSync.get();
      long now = System.nanoTime();
      if (now - last[0] > 100_000_000L) {
        appender.sync();
        last[0] = now;
      }
    }
    return appender.lastIndexAppended();
  }

  @Override
  public void complete(long id) {
    // the acking thread is the only one to use this appender: Chronicle appenders are single-threaded
    try (DocumentContext dc = ackAppender.writingDocument()) {
      dc.wire().bytes().writeLong(id);
    }
  }

  @Override
  public long readAllPending() {
    BitSet acked = new BitSet();
    try (ExcerptTailer tailer = acks.createTailer()) {
      while (true) {
        try (DocumentContext dc = tailer.readingDocument()) {
          if (!dc.isPresent()) {
            break;
          }
          acked.set((int) dc.wire().bytes().readLong()); // one daily cycle: the low bits are the sequence
        }
      }
    }
    long count = 0;
    try (ExcerptTailer tailer = data.createTailer()) {
      while (true) {
        try (DocumentContext dc = tailer.readingDocument()) {
          if (!dc.isPresent()) {
            break;
          }
          if (!acked.get((int) dc.index()) && dc.wire().bytes().readRemaining() > 0) {
            count++;
          }
        }
      }
    }
    return count;
  }

  @Override
  public void close() {
    ackAppender.sync();
    ackAppender.close();
    data.close();
    acks.close();
  }
}
