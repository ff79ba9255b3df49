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
 * The bound's records and bytes share one atomic word. Lincheck's model checker explores the
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
