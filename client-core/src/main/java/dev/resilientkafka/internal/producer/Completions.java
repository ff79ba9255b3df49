package dev.resilientkafka.internal.producer;

import dev.resilientkafka.DeliveryFailedException;
import dev.resilientkafka.FailureCause;
import dev.resilientkafka.OverflowPolicy;
import dev.resilientkafka.ProducerListener;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outcomes decided under the buffer's lock and reported after it is released, so that user callbacks
 * and listeners never run while the lock is held. One instance per operation; not thread-safe.
 */
final class Completions {
  private static final Logger log = LoggerFactory.getLogger(Completions.class);
  private static final Set<FailureCause> warned = EnumSet.noneOf(FailureCause.class);
  private static final java.util.concurrent.atomic.AtomicBoolean CALLBACK_FAILURE_WARNED =
      new java.util.concurrent.atomic.AtomicBoolean();

  private record Outcome(PendingRecord record, @Nullable RecordMetadata metadata, boolean recovered,
      @Nullable FailureCause cause, @Nullable Throwable error, @Nullable OverflowPolicy dropped) {}

  private final ProducerListener listener;
  private final List<Outcome> outcomes = new ArrayList<>(2);

  Completions(ProducerListener listener) {
    this.listener = listener;
  }

  void succeeded(PendingRecord record, RecordMetadata metadata, boolean recovered) {
    outcomes.add(new Outcome(record, metadata, recovered, null, null, null));
  }

  void failed(PendingRecord record, FailureCause cause, @Nullable Throwable error) {
    outcomes.add(new Outcome(record, null, false, cause, error, null));
  }

  void dropped(PendingRecord record, OverflowPolicy policy) {
    outcomes.add(new Outcome(record, null, false, FailureCause.BUFFER_FULL, null, policy));
  }

  boolean isEmpty() {
    return outcomes.isEmpty();
  }

  /** Completes every future, calls every callback, tells the listener; each record exactly once. */
  void run() {
    for (Outcome outcome : outcomes) {
      PendingRecord record = outcome.record;
      if (outcome.cause == null) {
        RecordMetadata metadata = outcome.metadata;
        if (metadata != null && record.future.complete(metadata)) {
          callback(record, metadata, null);
          if (outcome.recovered) {
            listener.onRecovered(record.topic);
          }
        }
        continue;
      }
      DeliveryFailedException failure = new DeliveryFailedException(outcome.cause, describe(outcome), outcome.error);
      if (!record.future.fail(failure)) {
        continue;
      }
      logOnce(outcome.cause, failure);
      callback(record, new RecordMetadata(new TopicPartition(record.topic, record.partition), -1, -1,
          record.timestamp == null ? -1 : record.timestamp, -1, -1), failure);
      if (outcome.dropped != null) {
        listener.onDropped(record.topic, outcome.dropped);
      }
      listener.onFailed(record.topic, outcome.cause);
    }
    outcomes.clear();
  }

  private static String describe(Outcome outcome) {
    String where = outcome.record.topic + (outcome.record.partition >= 0 ? "-" + outcome.record.partition : "");
    if (outcome.dropped != null) {
      return "buffer full, record for " + where + " dropped under policy " + outcome.dropped;
    }
    return "record for " + where + " not delivered"
        + (outcome.error == null ? "" : " (" + outcome.error.getClass().getSimpleName() + ")");
  }

  private static void logOnce(FailureCause cause, Exception failure) {
    boolean first;
    synchronized (warned) {
      first = warned.add(cause);
    }
    if (first) {
      log.warn("a record failed: {}; further failures with this cause are logged at DEBUG", failure.getMessage());
    } else {
      log.debug("a record failed: {}", failure.getMessage());
    }
  }

  private static void callback(PendingRecord record, RecordMetadata metadata, @Nullable Exception e) {
    if (record.callback == null) {
      return;
    }
    try {
      record.callback.onCompletion(metadata, e);
    } catch (RuntimeException thrown) {
      // an application bug that usually throws for every record: say it once, loudly, then quietly
      if (CALLBACK_FAILURE_WARNED.compareAndSet(false, true)) {
        log.warn("the callback of a record for {} threw; ignored (further callback failures at DEBUG)",
            record.topic, thrown);
      } else {
        log.debug("the callback of a record for {} threw; ignored", record.topic, thrown);
      }
    }
  }
}
