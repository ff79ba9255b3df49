package dev.resilientkafka.spring;

/**
 * The application asks for a transactional producer factory ({@code
 * spring.kafka.producer.transaction-id-prefix}), which {@code ResilientProducer} cannot give yet, and has
 * not opted into plain transactional producers; {@link ResilientKafkaFailureAnalyzer} explains both ways
 * out. Immutable.
 */
final class TransactionsNotSupportedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final String transactionIdPrefix;

  TransactionsNotSupportedException(String transactionIdPrefix) {
    super("transaction-id-prefix '" + transactionIdPrefix + "' is set, but ResilientProducer does not support "
        + "transactions; set " + ResilientKafkaProperties.PREFIX + ".producer.plain-transactions=true to use plain "
        + "KafkaProducers for them");
    this.transactionIdPrefix = transactionIdPrefix;
  }

  String transactionIdPrefix() {
    return transactionIdPrefix;
  }
}
