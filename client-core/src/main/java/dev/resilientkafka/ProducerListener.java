package dev.resilientkafka;

/**
 * Events of a {@link ResilientProducer}; every method has a no-op default. Methods are called from the
 * producer's own threads (Kafka's I/O thread, the dispatcher) or the sending thread, so they must be
 * fast and thread-safe; exceptions they throw are logged and ignored.
 */
public interface ProducerListener {
  /** A listener that does nothing. */
  ProducerListener NONE = new ProducerListener() {};

  /** The producer is built and about to accept records; {@code producer} can be queried for its state. */
  default void onStart(ResilientProducer<?, ?> producer) {}

  /**
   * A record that waited (queued in the buffer, or in flight longer than usual during an outage) was
   * delivered in the end.
   */
  default void onRecovered(String topic) {}

  /**
   * A record an earlier process left in the durable spool is sent again; its first attempt's outcome is
   * unknown, so it may reach the topic twice, both times with the same record id.
   */
  default void onResent(String topic) {}

  /** A record was not kept because the buffer was full; {@code policy} is the policy that applied. */
  default void onDropped(String topic, OverflowPolicy policy) {}

  /** A record's callback was told it failed, with this cause (dropped records included). */
  default void onFailed(String topic, FailureCause cause) {}

  /**
   * A transactional call ({@code initTransactions}, {@code beginTransaction}, {@code
   * sendOffsetsToTransaction}, {@code commitTransaction}, {@code abortTransaction}) threw {@link
   * DeliveryFailedException} with this cause, e.g. {@link FailureCause#FENCED} when another producer took
   * over the {@code transactional.id}. A transaction can fail without any record failing (fenced at the
   * commit), so this is not covered by {@link #onFailed}. Called on the thread that made the call.
   */
  default void onTransactionFailed(String operation, FailureCause cause) {}

  /** The producer is closed; remove whatever {@link #onStart} registered. */
  default void onClose() {}
}
