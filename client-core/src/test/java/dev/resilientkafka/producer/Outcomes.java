package dev.resilientkafka.producer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilientkafka.DeliveryFailedException;
import dev.resilientkafka.FailureCause;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Callback;

/** Every callback outcome by record number; fails the test if a callback runs twice. */
final class Outcomes {
  private final Map<Integer, Exception> failures = new ConcurrentHashMap<>();
  private final Map<Integer, Long> acked = new ConcurrentHashMap<>();
  private final Map<Integer, AtomicInteger> ackedByPartition = new ConcurrentHashMap<>();
  private final AtomicInteger twice = new AtomicInteger();
  private final AtomicLong lastAckNanos = new AtomicLong(System.nanoTime());
  private final AtomicLong longestAckGapNanos = new AtomicLong();

  Callback callback(int n) {
    AtomicInteger calls = new AtomicInteger();
    return (metadata, e) -> {
      if (calls.incrementAndGet() > 1) {
        twice.incrementAndGet();
      }
      if (e == null) {
        long now = System.nanoTime();
        long previous = lastAckNanos.getAndSet(now);
        longestAckGapNanos.accumulateAndGet(now - previous, Math::max);
        acked.put(n, metadata.offset());
        ackedByPartition.computeIfAbsent(metadata.partition(), p -> new AtomicInteger()).incrementAndGet();
      } else {
        failures.put(n, e);
      }
    };
  }

  /** Restarts the ack-gap clock (call when sending starts). */
  void startClock() {
    lastAckNanos.set(System.nanoTime());
    longestAckGapNanos.set(0);
  }

  long longestAckGapMs() {
    return longestAckGapNanos.get() / 1_000_000;
  }

  int completed() {
    return failures.size() + acked.size();
  }

  int acked() {
    return acked.size();
  }

  /** Records acknowledged on {@code partition}. */
  int ackedOn(int partition) {
    AtomicInteger count = ackedByPartition.get(partition);
    return count == null ? 0 : count.get();
  }

  java.util.Set<Integer> ackedNumbers() {
    return acked.keySet();
  }

  Map<Integer, Exception> failures() {
    return failures;
  }

  List<Integer> failedWith(FailureCause cause) {
    List<Integer> numbers = new ArrayList<>();
    failures.forEach((n, e) -> {
      if (e instanceof DeliveryFailedException d && d.failureCause() == cause) {
        numbers.add(n);
      }
    });
    numbers.sort(null);
    return numbers;
  }

  void assertNoCallbackTwice() {
    assertThat(twice.get()).as("callbacks completed more than once").isZero();
  }
}
