package dev.resilientkafka.internal.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recovery of a million records: what a restart after a long outage reads back. The time is printed, not
 * asserted (the store comparison benchmark measures speed on purpose); the records must all be there.
 */
class SpoolRecoveryScaleTest {
  private static final int RECORDS = 1_000_000;
  private static final int VALUE_BYTES = 100;

  @TempDir
  Path dir;

  @Test
  void aMillionPendingRecordsAreRecoveredInOrder() {
    long appendStart = System.nanoTime();
    byte[] value = new byte[VALUE_BYTES];
    List<Map.Entry<String, byte @Nullable []>> headers =
        List.of(Map.entry("resilient-record-id", "01JREC0000000000000000000000".getBytes(StandardCharsets.UTF_8)));
    try (Spool spool = Spool.open(dir, Long.MAX_VALUE, FsyncPolicy.NEVER)) {
      for (int n = 0; n < RECORDS; n++) {
        // the timestamp carries the number, checked against the sequence below
        spool.append(new SpooledRecord(-1, "orders", -1, n, null, value, headers, n));
      }
      // a tenth completed, spread over the log: recovery must apply the marks too
      for (int n = 0; n < RECORDS; n += 10) {
        spool.complete(n);
      }
    }
    long appendMillis = (System.nanoTime() - appendStart) / 1_000_000;
    long start = System.nanoTime();
    try (Spool spool = Spool.open(dir, Long.MAX_VALUE, FsyncPolicy.NEVER)) {
      long openMillis = (System.nanoTime() - start) / 1_000_000;
      RecoveryReport report = spool.recovery();
      List<SpooledRecord> first = spool.readPending(0, 1000, Long.MAX_VALUE);
      long sequence = 0;
      long read = 0;
      long readStart = System.nanoTime();
      for (List<SpooledRecord> batch = first; !batch.isEmpty();
          batch = spool.readPending(sequence, 10_000, 16L * 1024 * 1024)) {
        for (SpooledRecord r : batch) {
          assertThat(r.sequence() % 10).isNotZero();
          assertThat(r.timestamp()).isEqualTo(r.sequence());
          read++;
        }
        sequence = batch.get(batch.size() - 1).sequence() + 1;
      }
      long readMillis = (System.nanoTime() - readStart) / 1_000_000;
      System.out.printf("1M records (%d bytes on disk, %d segments): appended and completed in %d ms, open with"
          + " recovery %d ms (report: %d ms), read back %d records in %d ms%n", report.bytes(), report.segments(),
          appendMillis, openMillis, report.took().toMillis(), read, readMillis);
      assertThat(report.records()).isEqualTo(RECORDS - RECORDS / 10);
      assertThat(read).isEqualTo(report.records());
      assertThat(first.get(0).value()).isEqualTo(value);
      assertThat(first.get(0).headers()).hasSize(1);
    }
  }
}
