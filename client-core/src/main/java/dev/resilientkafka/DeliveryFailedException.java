package dev.resilientkafka;

import org.apache.kafka.common.KafkaException;
import org.jspecify.annotations.Nullable;

/**
 * A record was not delivered; {@link #failureCause()} names why and {@link #getCause()} is the original
 * Kafka exception when there was one. Given to the record's callback and future, and thrown by {@link
 * ResilientProducer#send} under {@link OverflowPolicy#FAIL}. Immutable.
 */
public final class DeliveryFailedException extends KafkaException {
  private static final long serialVersionUID = 1L;

  private final FailureCause failureCause;

  /**
   * @param failureCause why the record was not delivered
   * @param message what happened, for people
   * @param cause the Kafka exception behind it, if any
   */
  public DeliveryFailedException(FailureCause failureCause, String message, @Nullable Throwable cause) {
    super(failureCause + ": " + message, cause);
    this.failureCause = failureCause;
  }

  /** Why the record was not delivered. */
  public FailureCause failureCause() {
    return failureCause;
  }
}
