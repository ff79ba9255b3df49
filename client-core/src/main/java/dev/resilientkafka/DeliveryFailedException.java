package dev.resilientkafka;

import java.util.Objects;
import org.apache.kafka.common.KafkaException;
import org.jspecify.annotations.Nullable;

/**
 * A record was not delivered, or a transactional call failed; {@link #failureCause()} names why, {@link
 * #recovery()} says what the application can do next, and {@link #getCause()} is the original Kafka
 * exception when there was one. Given to the record's callback and future, thrown by {@link
 * ResilientProducer#send} under {@link OverflowPolicy#FAIL} or in a transaction that must be aborted, and
 * thrown by the transactional methods of {@link ResilientProducer}. Immutable.
 *
 * <p>For the transactional methods the cause follows the classes of Kafka's KIP-1050, so code written
 * against them keeps working: {@link Recovery#RETRY} comes with a {@link
 * org.apache.kafka.common.errors.RetriableException} ({@code TimeoutException}), {@link
 * Recovery#ABORT_TRANSACTION} with a {@link org.apache.kafka.common.errors.TransactionAbortableException},
 * {@link Recovery#CLOSE_PRODUCER} with an {@link org.apache.kafka.common.errors.ApplicationRecoverableException}
 * ({@code ProducerFencedException}, {@code InvalidProducerEpochException}) or another fatal Kafka exception.
 */
public final class DeliveryFailedException extends KafkaException {
  private static final long serialVersionUID = 1L;

  /** What the application can do after the failure. */
  public enum Recovery {
    /** The failure concerns this record only; the producer keeps working (records outside transactions). */
    NONE,
    /**
     * Call the same method again ({@code initTransactions}, {@code commitTransaction}, {@code
     * abortTransaction}): Kafka may still complete it. The cause is a {@code RetriableException}.
     */
    RETRY,
    /**
     * Call {@code abortTransaction()}, then run the transaction again (a read-process-write loop re-reads
     * from the last committed offsets). The cause of a failed transactional call is a {@code
     * TransactionAbortableException}; a record's callback gets this when its failure dooms its transaction.
     */
    ABORT_TRANSACTION,
    /**
     * Close this producer; a new one (with the same {@code transactional.id}) can carry on once the cause
     * is dealt with. The cause is an {@code ApplicationRecoverableException} when this producer was fenced,
     * another fatal Kafka exception otherwise (authorization, unsupported broker version).
     */
    CLOSE_PRODUCER
  }

  private final FailureCause failureCause;
  private final Recovery recovery;

  /**
   * A failure that concerns one record only ({@link Recovery#NONE}).
   *
   * @param failureCause why the record was not delivered
   * @param message what happened, for people
   * @param cause the Kafka exception behind it, if any
   */
  public DeliveryFailedException(FailureCause failureCause, String message, @Nullable Throwable cause) {
    this(failureCause, Recovery.NONE, message, cause);
  }

  /**
   * @param failureCause why the record or the call failed
   * @param recovery what the application can do next
   * @param message what happened, for people
   * @param cause the Kafka exception behind it, if any
   */
  public DeliveryFailedException(FailureCause failureCause, Recovery recovery, String message,
      @Nullable Throwable cause) {
    super(failureCause + ": " + message, cause);
    this.failureCause = Objects.requireNonNull(failureCause, "failureCause");
    this.recovery = Objects.requireNonNull(recovery, "recovery");
  }

  /** Why the record was not delivered, or the call failed. */
  public FailureCause failureCause() {
    return failureCause;
  }

  /** What the application can do next; {@link Recovery#NONE} for records outside transactions. */
  public Recovery recovery() {
    return recovery;
  }
}
