package dev.resilientkafka.internal.spool;

import static dev.resilientkafka.internal.spool.SpoolRecords.assertIs;
import static dev.resilientkafka.internal.spool.SpoolRecords.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentSpoolTest {
  private static final long BOUND = 64L * 1024 * 1024;

  @TempDir
  Path dir;

  @Test
  void recordsNotCompletedComeBackInAppendOrderAfterReopen() {
    List<Long> sequences = new ArrayList<>();
    try (Spool spool = Spool.open(dir, BOUND, FsyncPolicy.ALWAYS)) {
      assertThat(spool.recovery().records()).isZero();
      for (int n = 0; n < 300; n++) {
        sequences.add(spool.append(record(n, 10 + n * 7)));
      }
      for (int n = 0; n < 300; n += 3) {
        spool.complete(sequences.get(n));
      }
      assertThat(spool.records()).isEqualTo(200);
    }
    assertThat(sequences).isSorted().doesNotHaveDuplicates();
    try (Spool spool = Spool.open(dir, BOUND, FsyncPolicy.ALWAYS)) {
      RecoveryReport report = spool.recovery();
      assertThat(report.records()).isEqualTo(200);
      assertThat(report.bytes()).isEqualTo(spool.bytes()).isPositive();
      assertThat(report.tornTails()).isZero();
      assertThat(report.oldestAcceptedAtMillis()).isEqualTo(record(1, 0).acceptedAtMillis());
      List<SpooledRecord> pending = spool.readPending(0, 1000, Long.MAX_VALUE);
      assertThat(pending).hasSize(200);
      int i = 0;
      for (int n = 0; n < 300; n++) {
        if (n % 3 != 0) {
          assertIs(pending.get(i++), n, 10 + n * 7, sequences.get(n));
        }
      }
      // appends go on after the recovered ones
      assertThat(spool.append(record(300, 5))).isEqualTo(sequences.get(299) + 1);
    }
  }

  @Test
  void readPendingStartsAtTheSequenceAndStopsAtTheLimits() {
    try (Spool spool = Spool.open(dir, BOUND, FsyncPolicy.NEVER)) {
      for (int n = 0; n < 100; n++) {
        spool.append(record(n, 100));
      }
      spool.complete(11);
      long entry = spool.bytes() / 100;
      assertThat(spool.readPending(10, 5, Long.MAX_VALUE)).extracting(SpooledRecord::sequence)
          .containsExactly(10L, 12L, 13L, 14L, 15L);
      assertThat(spool.readPending(0, 1000, 1)).extracting(SpooledRecord::sequence).containsExactly(0L);
      assertThat(spool.readPending(0, 1000, 3 * entry)).extracting(SpooledRecord::sequence).containsExactly(0L, 1L, 2L);
      assertThat(spool.readPending(100, 10, Long.MAX_VALUE)).isEmpty();
      assertThat(spool.readPending(Long.MAX_VALUE, 10, Long.MAX_VALUE)).isEmpty();
      assertThatThrownBy(() -> spool.readPending(0, 0, 1)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("maxRecords");
    }
  }

  @Test
  void concurrentAppendsUnderAlwaysAllComeBackOnce() throws Exception {
    Map<Long, Long> numberBySequence = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    // small segments: group commits that span a roll
    try (Spool spool = SegmentSpool.open(dir, BOUND, FsyncPolicy.ALWAYS, 16 * 1024)) {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          for (int i = 0; i < 150; i++) {
            long n = thread * 1000L + i;
            numberBySequence.put(spool.append(record(n, 200)), n);
          }
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(numberBySequence).hasSize(600);
    try (Spool spool = Spool.open(dir, BOUND, FsyncPolicy.ALWAYS)) {
      List<SpooledRecord> pending = spool.readPending(0, 10_000, Long.MAX_VALUE);
      assertThat(pending).extracting(SpooledRecord::sequence).isSorted().hasSize(600)
          .containsExactlyInAnyOrderElementsOf(numberBySequence.keySet());
      for (SpooledRecord r : pending) {
        assertIs(r, numberBySequence.get(r.sequence()), 200, r.sequence());
      }
    }
  }

  @Test
  void aSegmentIsDeletedOnceAllItsRecordsAreCompleted() throws IOException {
    List<Long> sequences = new ArrayList<>();
    try (Spool spool = SegmentSpool.open(dir, BOUND, FsyncPolicy.parse("20"), 16 * 1024)) {
      for (int n = 0; n < 200; n++) {
        sequences.add(spool.append(record(n, 1024)));
      }
      assertThat(logFiles()).hasSizeGreaterThan(10);
      for (int n = 0; n < 199; n++) {
        spool.complete(sequences.get(n));
      }
      // the active segment (holding the last record) stays; every older one goes with its marks
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(logFiles()).hasSize(1));
      assertThat(spool.records()).isEqualTo(1);
    }
    String active = logFiles().get(0).getFileName().toString().replace(".log", "");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(name -> !name.equals("spool.lock")))
          .allMatch(name -> name.startsWith(active));
    }
    try (Spool spool = SegmentSpool.open(dir, BOUND, FsyncPolicy.ALWAYS, 16 * 1024)) {
      assertThat(spool.recovery().records()).isEqualTo(1);
      assertThat(spool.readPending(0, 100, Long.MAX_VALUE)).extracting(SpooledRecord::sequence)
          .containsExactly(sequences.get(199));
    }
  }

  @Test
  void recordsCompletedAsTheyAreAppendedAcrossManySegmentsNeverDeleteTheActiveOne() throws Exception {
    try (Spool spool = SegmentSpool.open(dir, BOUND, FsyncPolicy.parse("5"), 8 * 1024)) {
      long deadline = System.nanoTime() + Duration.ofMillis(1500).toNanos();
      long n = 0;
      while (System.nanoTime() < deadline) {
        // every record completed at once: each segment, the active one too, is soon all completed
        spool.complete(spool.append(record(n++, 1000)));
      }
      long last = spool.append(record(n, 1000));
      assertThat(spool.readPending(0, 10, Long.MAX_VALUE)).extracting(SpooledRecord::sequence).containsExactly(last);
      assertThat(n).isGreaterThan(100);
    }
    try (Spool spool = SegmentSpool.open(dir, BOUND, FsyncPolicy.ALWAYS, 8 * 1024)) {
      assertThat(spool.recovery().records()).isEqualTo(1);
      assertThat(logFiles()).hasSizeLessThanOrEqualTo(2);
    }
  }

  @Test
  void theBoundRefusesWithFullAndCompletionsMakeRoom() {
    try (Spool spool = Spool.open(dir, 10 * 1024, FsyncPolicy.NEVER)) {
      List<Long> sequences = new ArrayList<>();
      SpoolException full = null;
      for (int n = 0; n < 20 && full == null; n++) {
        try {
          sequences.add(spool.append(record(n, 1000)));
        } catch (SpoolException e) {
          full = e;
        }
      }
      assertThat(full).isNotNull();
      assertThat(full.reason()).isEqualTo(SpoolException.Reason.FULL);
      assertThat(full.getMessage()).contains(dir.toString(), "resilient.spool.max.bytes", "10240");
      assertThat(sequences).hasSize(9);
      assertThat(spool.bytes()).isLessThanOrEqualTo(10 * 1024);
      spool.complete(sequences.get(0));
      assertThat(spool.append(record(99, 1000))).isEqualTo(sequences.get(8) + 1);
      assertThatThrownBy(() -> spool.append(record(100, 1000))).isInstanceOf(SpoolException.class)
          .extracting(e -> ((SpoolException) e).reason()).isEqualTo(SpoolException.Reason.FULL);
    }
  }

  @Test
  void aTailCutMidRecordIsTruncatedReportedAndItsStaleMarkIgnored() throws IOException {
    try (Spool spool = Spool.open(dir, BOUND, FsyncPolicy.ALWAYS)) {
      for (int n = 0; n < 10; n++) {
        spool.append(record(n, 500));
      }
      spool.complete(9); // its mark is written at close, then its record is cut off below
    }
    Path segment = logFiles().get(0);
    long size = Files.size(segment);
    cut(segment, size - 100);
    try (Spool spool = Spool.open(dir, BOUND, FsyncPolicy.ALWAYS)) {
      RecoveryReport report = spool.recovery();
      assertThat(report.tornTails()).isEqualTo(1);
      assertThat(report.records()).isEqualTo(9);
      assertThat(report.tornBytes()).isEqualTo(size - 100 - Files.size(segment)).isPositive();
      // the new record takes sequence 9: the old mark of 9 must not complete it
      assertThat(spool.append(record(10, 500))).isEqualTo(9);
    }
    try (Spool spool = Spool.open(dir, BOUND, FsyncPolicy.ALWAYS)) {
      assertThat(spool.recovery().tornTails()).isZero();
      List<SpooledRecord> pending = spool.readPending(0, 100, Long.MAX_VALUE);
      assertThat(pending).hasSize(10);
      assertIs(pending.get(9), 10, 500, 9);
    }
  }

  @Test
  void aDamagedRecordFollowedByIntactOnesIsRefusedNamingFileAndOffset() throws IOException {
    long offset;
    try (Spool spool = Spool.open(dir, BOUND, FsyncPolicy.ALWAYS)) {
      for (int n = 0; n < 10; n++) {
        spool.append(record(n, 500));
      }
      offset = Segment.HEADER;
      for (int n = 0; n < 4; n++) {
        offset += EntryCodec.encode(record(n, 500)).remaining();
      }
    }
    Path segment = logFiles().get(0);
    long size = Files.size(segment);
    try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
      file.seek(offset + 200);
      int b = file.read();
      file.seek(offset + 200);
      file.write(b ^ 0x10);
    }
    assertThatThrownBy(() -> Spool.open(dir, BOUND, FsyncPolicy.ALWAYS))
        .isInstanceOf(SpoolException.class)
        .hasMessageContaining(segment.toString())
        .hasMessageContaining("offset " + offset)
        .hasMessageContaining("truncate -s " + offset)
        .extracting(e -> ((SpoolException) e).reason()).isEqualTo(SpoolException.Reason.IO);
    assertThat(Files.size(segment)).as("nothing cut").isEqualTo(size);
    // the refusal released the lock: after the manual fix the spool opens with what preceded the damage
    cut(segment, offset);
    try (Spool spool = Spool.open(dir, BOUND, FsyncPolicy.ALWAYS)) {
      assertThat(spool.recovery().records()).isEqualTo(4);
    }
  }

  @Test
  void aSecondOpenInTheSameProcessIsLocked() {
    try (Spool spool = Spool.open(dir, BOUND, FsyncPolicy.ALWAYS)) {
      assertThatThrownBy(() -> Spool.open(dir, BOUND, FsyncPolicy.ALWAYS))
          .isInstanceOf(SpoolException.class)
          .hasMessageContaining(dir.toString())
          .hasMessageContaining(ProcessHandle.current().pid() + "@")
          .extracting(e -> ((SpoolException) e).reason()).isEqualTo(SpoolException.Reason.LOCKED);
      assertThat(spool.append(record(1, 10))).isZero();
    }
    try (Spool spool = Spool.open(dir, BOUND, FsyncPolicy.ALWAYS)) {
      assertThat(spool.recovery().records()).isEqualTo(1);
    }
  }

  @Test
  void badArgumentsAreNamed() {
    assertThatThrownBy(() -> Spool.open(dir, 0, FsyncPolicy.ALWAYS)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid value 0 for configuration resilient.spool.max.bytes: the bound on bytes of records not"
            + " yet acknowledged must be > 0");
    try (Spool spool = Spool.open(dir, BOUND, FsyncPolicy.ALWAYS)) {
      spool.append(record(0, 1));
      assertThatThrownBy(() -> spool.complete(1)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("sequence 1 was never appended");
      spool.complete(0);
      spool.complete(0);
      assertThat(spool.records()).isZero();
      assertThat(spool.bytes()).isZero();
    }
  }

  @Test
  void theOldestPendingRecordMovesOnAsRecordsComplete() {
    try (Spool spool = Spool.open(dir, BOUND, FsyncPolicy.NEVER)) {
      assertThat(spool.oldestAcceptedAtMillis()).isEqualTo(-1);
      for (int n = 0; n < 3; n++) {
        spool.append(record(n, 10));
      }
      assertThat(spool.oldestAcceptedAtMillis()).isEqualTo(record(0, 0).acceptedAtMillis());
      spool.complete(0);
      assertThat(spool.oldestAcceptedAtMillis()).isEqualTo(record(1, 0).acceptedAtMillis());
      spool.complete(1);
      spool.complete(2);
      assertThat(spool.oldestAcceptedAtMillis()).isEqualTo(-1);
    }
  }

  @Test
  void appendAfterCloseIsRefused() {
    Spool spool = Spool.open(dir, BOUND, FsyncPolicy.ALWAYS);
    spool.close();
    spool.close();
    assertThatThrownBy(() -> spool.append(record(0, 1))).isInstanceOf(SpoolException.class)
        .hasMessageContaining("closed");
  }

  private List<Path> logFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".log")).sorted().toList();
    }
  }

  private static void cut(Path file, long size) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(size);
    }
  }
}
