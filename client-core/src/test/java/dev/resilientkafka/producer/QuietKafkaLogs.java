package dev.resilientkafka.producer;

/** Keeps the Kafka clients' INFO chatter (hundreds of MB over a long fault) out of the test output. */
final class QuietKafkaLogs {
  private QuietKafkaLogs() {}

  static void apply() {
    if (System.getProperty("org.slf4j.simpleLogger.log.org.apache.kafka") == null) {
      System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "warn");
    }
  }
}
