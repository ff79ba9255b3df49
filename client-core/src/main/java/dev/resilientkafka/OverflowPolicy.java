package dev.resilientkafka;

/**
 * What {@link ResilientProducer#send} does when its buffer (records accepted but not yet acknowledged)
 * is full, configured by {@link ResilientProducerConfig#BUFFER_OVERFLOW_POLICY}. Whatever the policy,
 * a record that is not kept is reported to its callback and future with a {@link
 * DeliveryFailedException} of cause {@link FailureCause#BUFFER_FULL} and counted; nothing is lost
 * silently.
 */
public enum OverflowPolicy {
  /**
   * {@code send()} waits up to {@link ResilientProducerConfig#BUFFER_BLOCK_MS} for room, then fails the
   * new record (the default, like {@code KafkaProducer}'s {@code max.block.ms}).
   */
  BLOCK,
  /** The new record is not accepted; {@code send()} returns at once with a failed future. */
  DROP_NEWEST,
  /**
   * The oldest record that has not yet been handed to Kafka is evicted to make room; when every
   * buffered record has been handed to Kafka already, the new record is dropped instead.
   */
  DROP_OLDEST,
  /** {@code send()} throws a {@link DeliveryFailedException}. */
  FAIL
}
