package dev.resilientkafka.internal.producer;

import dev.resilientkafka.DeliveryFailedException;
import dev.resilientkafka.FailureCause;
import dev.resilientkafka.OverflowPolicy;
import dev.resilientkafka.ProducerListener;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the application a record's outcome: its future, its callback, the listeners (and so the meters).
 * Never called with a lock of the producer held. What a callback throws, {@code Error}s included, is
 * logged (WARN once, then DEBUG) and never reaches the thread that completed the record: that thread
 * may be Kafka's I/O thread or the dispatcher, and neither may die of an application's bug.
 * Thread-safe.
 */
final class OutcomeReporter {
  private static final Logger LOG = LoggerFactory.getLogger(OutcomeReporter.class);
  private static final Set<FailureCause> WARNED = EnumSet.noneOf(FailureCause.class);
  private static final AtomicBoolean CALLBACK_FAILURE_WARNED = new AtomicBoolean();

  private final ProducerListener listener;

  OutcomeReporter(ProducerListener listener) {
    this.listener = listener;
  }

  ProducerListener listener() {
    return listener;
  }

  /** The record was acknowledged; its outcome is already set. */
  void succeeded(PendingRecord record, RecordMetadata metadata, boolean recovered) {
    callback(record.callback, metadata, null, record);
    if (recovered) {
      listener.onRecovered(record.topic());
    }
  }

  /** Builds the failure a record is completed with. */
  static DeliveryFailedException failure(PendingRecord record, FailureCause cause, @Nullable OverflowPolicy dropped,
      @Nullable String detail, @Nullable Throwable error) {
    int partition = record.partitionForApplication();
    String where = record.topic() + (partition >= 0 ? "-" + partition : "");
    String message = dropped != null
        ? (cause == FailureCause.SPOOL_FULL ? "spool full" : "buffer full") + ", record for " + where
            + " dropped under policy " + dropped + (detail != null ? " (" + detail + ")" : "")
        : "record for " + where + " not delivered"
            + (detail != null ? ": " + detail : error == null ? "" : " (" + error.getClass().getSimpleName() + ")");
    return new DeliveryFailedException(cause, TransactionCoordinator.recoveryOf(record, cause), message, error);
  }

  /** The record failed with {@code failure}; its outcome is already set. */
  void failed(PendingRecord record, DeliveryFailedException failure, @Nullable OverflowPolicy dropped) {
    logOnce(failure.failureCause(), failure);
    Long timestamp = record.timestamp();
    callback(record.callback, new RecordMetadata(new TopicPartition(record.topic(), record.partitionForApplication()), -1, -1,
        timestamp == null ? -1 : timestamp, -1, -1), failure, record);
    if (dropped != null) {
      listener.onDropped(record.topic(), dropped);
    }
    listener.onFailed(record.topic(), failure.failureCause());
  }

  private static void logOnce(FailureCause cause, Exception failure) {
    boolean first;
    synchronized (WARNED) {
      first = WARNED.add(cause);
    }
    if (first) {
      LOG.warn("a record failed: {}; further failures with this cause are logged at DEBUG", failure.getMessage());
    } else {
      LOG.debug("a record failed: {}", failure.getMessage());
    }
  }

  private static void callback(@Nullable Callback callback, RecordMetadata metadata, @Nullable Exception e,
      PendingRecord record) {
    if (callback == null) {
      return;
    }
    try {
      callback.onCompletion(metadata, e);
    } catch (Throwable thrown) {
      if (thrown instanceof VirtualMachineError fatal && !(thrown instanceof StackOverflowError)) {
        throw fatal;
      }
      // an application bug that usually throws for every record: say it once, loudly, then quietly
      if (CALLBACK_FAILURE_WARNED.compareAndSet(false, true)) {
        LOG.warn("the callback of a {} threw; ignored (further callback failures at DEBUG)", record, thrown);
      } else {
        LOG.debug("the callback of a {} threw; ignored", record, thrown);
      }
    }
  }
}
