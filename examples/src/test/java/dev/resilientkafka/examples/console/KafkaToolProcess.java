package dev.resilientkafka.examples.console;

import dev.resilientkafka.examples.CliProcess;
import java.util.List;

/**
 * Runs one of Apache Kafka's own command-line tools ({@code org.apache.kafka.tools.ConsoleProducer},
 * {@code org.apache.kafka.tools.consumer.ConsoleConsumer}) in a new JVM on the test classpath, with the
 * same name-resolution properties as {@link CliProcess}, so that it reaches the testkit's pods by name.
 */
final class KafkaToolProcess {
  static final String CONSOLE_PRODUCER = "org.apache.kafka.tools.ConsoleProducer";
  static final String CONSOLE_CONSUMER = "org.apache.kafka.tools.consumer.ConsoleConsumer";
  private static final long TIMEOUT_SECONDS = 60;
  private static final List<String> QUIET_LOGS = List.of(
      "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dorg.slf4j.simpleLogger.log.org.apache.kafka=error");

  private KafkaToolProcess() {}

  /** Runs {@code mainClass} with {@code args}, writing {@code stdin} and closing it. */
  static CliProcess.Result run(String mainClass, String stdin, String... args) {
    return CliProcess.runMain(mainClass, mainClass, stdin, TIMEOUT_SECONDS, "256m", QUIET_LOGS, args);
  }
}
