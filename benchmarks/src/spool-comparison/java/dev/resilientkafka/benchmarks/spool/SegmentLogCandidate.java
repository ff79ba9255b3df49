package dev.resilientkafka.benchmarks.spool;

import dev.resilientkafka.internal.spool.FsyncPolicy;
import dev.resilientkafka.internal.spool.Spool;
import dev.resilientkafka.internal.spool.SpooledRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The spool's own segment files, through {@link Spool} itself (the benchmark measures an internal type on
 * purpose: it is what the library ships).
 */
final class SegmentLogCandidate implements StoreCandidate {
  private static final List<Map.Entry<String, byte @Nullable []>> HEADERS =
      List.of(Map.entry("resilient-record-id", "01JT0000000000000000000000".getBytes(StandardCharsets.UTF_8)));
  private final Spool spool;

  SegmentLogCandidate(Path dir, Durability durability) {
    FsyncPolicy policy = switch (durability) {
      case ALWAYS -> FsyncPolicy.ALWAYS;
      case INTERVAL -> FsyncPolicy.parse("100");
      case NONE -> FsyncPolicy.NEVER;
    };
    spool = Spool.open(dir, Long.MAX_VALUE, policy);
  }

  @Override
  public long append(byte[] record) {
    // the record's value is the payload less what the spool's own encoding adds (topic, header, times)
    return spool.append(new SpooledRecord(-1, "orders", -1, System.currentTimeMillis(), null, record, HEADERS,
        System.currentTimeMillis()));
  }

  @Override
  public void complete(long id) {
    spool.complete(id);
  }

  @Override
  public long readAllPending() {
    long count = 0;
    long from = 0;
    while (true) {
      List<SpooledRecord> batch = spool.readPending(from, 10_000, 16L * 1024 * 1024);
      if (batch.isEmpty()) {
        return count;
      }
      count += batch.size();
      from = batch.get(batch.size() - 1).sequence() + 1;
    }
  }

  @Override
  public void close() {
    spool.close();
  }
}
