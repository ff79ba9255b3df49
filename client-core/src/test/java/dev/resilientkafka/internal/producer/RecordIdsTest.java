package dev.resilientkafka.internal.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * Ids taken by many threads at once, each in its own blocks of the counter, never repeat: checked on the
 * prefix and counter alone (the 16 characters after the time), which are unique whatever the clock does.
 */
class RecordIdsTest {

  @Test
  void idsFromEightThreadsAcrossManyBlocksAreUniquePrintableUlids() throws InterruptedException {
    assertUniqueFromEightThreads(new RecordIds());
  }

  @Test
  void idsStayUniqueAcrossTheWrapOfTheFortyBitCounter() throws InterruptedException {
    assertUniqueFromEightThreads(new RecordIds((1L << 40) - 3 * RecordIds.BLOCK - 5));
  }

  private static void assertUniqueFromEightThreads(RecordIds ids) throws InterruptedException {
    int perThread = 5 * RecordIds.BLOCK + 7; // several blocks each, the last one part-used
    List<List<byte[]>> taken = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    CountDownLatch start = new CountDownLatch(1);
    for (int t = 0; t < 8; t++) {
      List<byte[]> mine = new ArrayList<>();
      taken.add(mine);
      threads.add(new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < perThread; i++) {
          mine.add(ids.next());
        }
      }));
    }
    threads.forEach(Thread::start);
    start.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    Set<String> unique = new HashSet<>();
    for (List<byte[]> mine : taken) {
      assertThat(mine).hasSize(perThread);
      for (byte[] id : mine) {
        String text = new String(id, StandardCharsets.US_ASCII);
        assertThat(text).matches("[0-9A-HJKMNP-TV-Z]{26}");
        unique.add(text.substring(10));
      }
    }
    assertThat(unique).hasSize(8 * perThread);
  }
}
