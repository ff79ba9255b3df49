package dev.resilientkafka.internal.producer;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * How {@link RecordBuffer} gives a record to the inner Kafka producer. Plain producers hand it over
 * directly; a transactional one puts {@link TransactionCoordinator} in front, which lets a record through
 * only while its transaction is open and only when Kafka will take it (Kafka makes a transaction abortable
 * when its {@code send()} refuses a record). Implementations are thread-safe.
 */
@FunctionalInterface
interface HandOff {
  HandOff DIRECT = (inner, record, pending) -> inner.send(record, pending);

  /**
   * Hands {@code record} to {@code inner} with {@code pending} as its callback, or throws why not now: a
   * {@link org.apache.kafka.common.errors.RetriableException} or {@link
   * org.apache.kafka.common.errors.TimeoutException} keeps the record waiting (it is offered again),
   * anything else fails it.
   */
  void send(Producer<byte[], byte[]> inner, ProducerRecord<byte[], byte[]> record,
      PendingRecord pending);
}
