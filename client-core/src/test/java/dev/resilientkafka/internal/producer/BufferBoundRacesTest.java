package dev.resilientkafka.internal.producer;

import static dev.resilientkafka.internal.producer.ConcurrentRuns.check;
import static dev.resilientkafka.internal.producer.ConcurrentRuns.startAndJoin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;

/**
 * The bound keeps two running totals, room taken and room given back, each a word packing records and
 * bytes; senders check against the given-back total they last read. Lincheck's model checker explores the
 * interleavings of senders taking room and giving it back (as Kafka's I/O thread does): no interleaving
 * lets the counts pass either bound (three 1-byte records meet the record bound, two 6-byte ones the byte
 * bound), and every take given back leaves both at zero. The limits of the packed word are the accepted
 * ranges of the producer's configuration.
 */
class BufferBoundRacesTest {

  @Test
  void racingTakesAndGivesNeverPassEitherBoundAndReturnToZero() {
    // 300 interleavings of 3 x 2 operations: a few seconds of CPU, not fifteen (the build's other fork runs
    // cluster tests meanwhile, and a starved cluster test measures the machine, not the library)
    Lincheck.runConcurrentTest(300, () -> {
      BufferBound bound = new BufferBound(2, 10);
      AtomicInteger over = new AtomicInteger();
      AtomicInteger taken = new AtomicInteger();
      Runnable sender = () -> {
        for (int size : new int[] {1, 6}) {
          if (bound.tryTake(size)) {
            taken.incrementAndGet();
            if (bound.records() > 2 || bound.bytes() > 10) {
              over.incrementAndGet();
            }
            bound.give(size);
          }
        }
      };
      List<Thread> threads = List.of(new Thread(sender), new Thread(sender), new Thread(sender));
      startAndJoin(threads);
      check(over.get() == 0, "the counts passed a bound");
      check(bound.records() == 0 && bound.bytes() == 0, "room not given back: " + bound.records() + " records, "
          + bound.bytes() + " bytes");
    });
  }

  @Test
  void eachBoundRefusesOnItsOwnAndLargeBoundsDoNotSpillIntoTheRecordCount() {
    BufferBound byRecords = new BufferBound(1, 1_000);
    assertThat(byRecords.tryTake(1)).isTrue();
    assertThat(byRecords.tryTake(1)).as("record bound").isFalse();
    BufferBound byBytes = new BufferBound(10, 100);
    assertThat(byBytes.tryTake(60)).isTrue();
    assertThat(byBytes.tryTake(41)).as("byte bound").isFalse();
    assertThat(byBytes.tryTake(40)).isTrue();

    BufferBound largest = new BufferBound(BufferBound.MAX_RECORDS, BufferBound.MAX_BYTES);
    for (int i = 0; i < 256; i++) { // 256 x (2^31 - 1) = 2^39 - 256
      assertThat(largest.tryTake(Integer.MAX_VALUE)).isTrue();
    }
    assertThat(largest.records()).isEqualTo(256);
    assertThat(largest.bytes()).isEqualTo(256L * Integer.MAX_VALUE);
    assertThat(largest.tryTake(Integer.MAX_VALUE)).as("bytes would pass 2^39 - 1").isFalse();
    largest.give(Integer.MAX_VALUE);
    assertThat(largest.records()).isEqualTo(255);
    assertThat(largest.bytes()).isEqualTo(255L * Integer.MAX_VALUE);
  }

  /**
   * Each record adds 2^39 plus its size to the running totals, so they wrap past 2^64 about every 2^25
   * records (minutes at saturation): the room in use, their difference, is the same across the wrap.
   */
  @Test
  void theRunningTotalsWrapWithoutChangingTheRoomInUse() {
    long threeRecordsBeforeTheWrap = -3 * (1L << BufferBound.BYTE_BITS);
    BufferBound bound = new BufferBound(5, 1_000, threeRecordsBeforeTheWrap);
    for (int i = 0; i < 5; i++) {
      assertThat(bound.tryTake(100)).as("record %d", i).isTrue();
    }
    assertThat(bound.records()).isEqualTo(5);
    assertThat(bound.bytes()).isEqualTo(500);
    assertThat(bound.tryTake(1)).as("record bound, across the wrap").isFalse();
    bound.give(100);
    bound.give(100);
    assertThat(bound.records()).isEqualTo(3);
    assertThat(bound.tryTake(701)).as("byte bound: 300 + 701 > 1,000").isFalse();
    assertThat(bound.tryTake(700)).isTrue();
    assertThat(bound.bytes()).isEqualTo(1_000);
    for (int size : new int[] {100, 100, 100, 700}) {
      bound.give(size);
    }
    assertThat(bound.records()).isZero();
    assertThat(bound.bytes()).isZero();
    for (int i = 0; i < 100; i++) { // far past the wrap, the cached given-back total refreshed on the way
      assertThat(bound.tryTake(1_000)).isTrue();
      assertThat(bound.tryTake(1)).isFalse();
      bound.give(1_000);
    }
    assertThat(bound.records()).isZero();
  }

  @Test
  void thePackedWordsLimitsAreTheConfigurationsAcceptedRanges() {
    java.util.Map<String, Object> atLimits = java.util.Map.of(
        dev.resilientkafka.ResilientProducerConfig.BUFFER_MAX_RECORDS, (int) BufferBound.MAX_RECORDS,
        dev.resilientkafka.ResilientProducerConfig.BUFFER_MAX_BYTES, BufferBound.MAX_BYTES);
    assertThat(dev.resilientkafka.ResilientProducerConfig.configDef().parse(atLimits)).isNotEmpty();
    assertThatThrownBy(() -> dev.resilientkafka.ResilientProducerConfig.configDef().parse(java.util.Map.of(
        dev.resilientkafka.ResilientProducerConfig.BUFFER_MAX_RECORDS, (int) BufferBound.MAX_RECORDS + 1)))
        .hasMessageContaining(dev.resilientkafka.ResilientProducerConfig.BUFFER_MAX_RECORDS);
    assertThatThrownBy(() -> dev.resilientkafka.ResilientProducerConfig.configDef().parse(java.util.Map.of(
        dev.resilientkafka.ResilientProducerConfig.BUFFER_MAX_BYTES, BufferBound.MAX_BYTES + 1)))
        .hasMessageContaining(dev.resilientkafka.ResilientProducerConfig.BUFFER_MAX_BYTES);
  }

}
