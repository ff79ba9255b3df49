package dev.resilientkafka.examples.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilientkafka.examples.CliProcess;
import dev.resilientkafka.examples.ExitCodes;
import org.junit.jupiter.api.Test;

/**
 * The console tools' command lines as a user meets them, each in its own JVM, without a cluster: help,
 * refused acks, unknown flags and properties, bootstrap mistakes. Every one of these fails before a
 * client is built, so nothing here needs a broker.
 */
class ConsoleUsageTest {

  @Test
  void producerHelpListsKafkasFlagsAndTheResilientOnes() {
    CliProcess.Result result = CliProcess.run("console-producer", "--help");
    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.stdout()).contains("--bootstrap-server=<host:port,...>", "--bootstrap-service=<service[:port]>",
        "--dns-server=<host:port>", "--topic=<topic>", "--command-property, --producer-property=<key=value>",
        "repeatable", "--command-config, --producer.config=<file>", "--property, --reader-property=<key=value>",
        "parse.key", "key.separator", "--request-required-acks=<all|-1>", "resilient.availability.mode=true",
        "--rack=<rack>", "ISR_SHORTFALL", "delivered <n>, failed <n>", "Exit codes:",
        "1   at least one record undelivered");
  }

  @Test
  void consumerHelpListsKafkasFlagsAndSaysWhatPrintBrokerShows() {
    CliProcess.Result result = CliProcess.run("console-consumer", "--help");
    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.stdout()).contains("--bootstrap-server=<host:port,...>", "--bootstrap-service=<service[:port]>",
        "--dns-server=<host:port>", "--topic=<topic>", "--group=<group-id>", "--from-beginning",
        "--command-property, --consumer-property=<key=value>", "--command-config, --consumer.config=<file>",
        "print.key", "key.separator", "--max-messages=<n>", "--timeout-ms=<ms>", "--rack=<rack>", "--print-broker",
        "Kafka does not tell which broker a single record came from", "preferred-read-replica", "Exit codes:");
  }

  @Test
  void acksOtherThanAllAreRefusedNamingTheAvailabilityMode() {
    CliProcess.Result result = CliProcess.run("console-producer", "--bootstrap-server", "127.0.0.1:1", "--topic", "t",
        "--request-required-acks", "1");
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.stderr()).contains("invalid value 1 for --request-required-acks", "accepted values are all, -1",
        "--producer-property resilient.availability.mode=true");

    CliProcess.Result nonsense = CliProcess.run("console-producer", "--bootstrap-server", "127.0.0.1:1", "--topic", "t",
        "--request-required-acks", "2", "--producer-property", "resilient.availability.mode=true");
    assertThat(nonsense.exitCode()).as(nonsense.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(nonsense.stderr()).contains("invalid value 2 for --request-required-acks");
  }

  @Test
  void unknownFlagsAndPropertiesAreNamedWithTheAcceptedOnes() {
    CliProcess.Result flag = CliProcess.run("console-consumer", "--bootstrap-server", "127.0.0.1:1", "--topic", "t",
        "--from-begining");
    assertThat(flag.exitCode()).as(flag.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(flag.stderr()).contains("Unknown option: '--from-begining'", "Possible solutions: --from-beginning",
        "Run 'resilient-kafka console-consumer --help' for usage.");

    CliProcess.Result property = CliProcess.run("console-producer", "--bootstrap-server", "127.0.0.1:1", "--topic", "t",
        "--property", "parse.keys=true");
    assertThat(property.exitCode()).as(property.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(property.stderr()).contains("unknown --property parse.keys; accepted: ignore.error, key.separator, parse.key");

    CliProcess.Result pair = CliProcess.run("console-producer", "--bootstrap-server", "127.0.0.1:1", "--topic", "t",
        "--producer-property", "linger.ms");
    assertThat(pair.exitCode()).as(pair.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(pair.stderr()).contains("invalid value linger.ms for --producer-property: expected key=value");
  }

  @Test
  void bootstrapMustBeGivenOnceAndDnsServerOnlyWithAService() {
    CliProcess.Result none = CliProcess.run("console-consumer", "--topic", "t");
    assertThat(none.exitCode()).as(none.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(none.stderr()).contains("needs --bootstrap-server <host:port,...> or --bootstrap-service");

    CliProcess.Result both = CliProcess.run("console-producer", "--topic", "t", "--bootstrap-server", "127.0.0.1:1",
        "--bootstrap-service", "kafka-svc");
    assertThat(both.exitCode()).as(both.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(both.stderr()).contains("give either --bootstrap-server (bootstrap.servers) or --bootstrap-service");

    CliProcess.Result dns = CliProcess.run("console-producer", "--topic", "t", "--bootstrap-server", "127.0.0.1:1",
        "--dns-server", "127.0.0.1:53");
    assertThat(dns.exitCode()).as(dns.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(dns.stderr()).contains("--dns-server is only used with --bootstrap-service");
  }

  @Test
  void invalidClientSettingIsAUsageErrorNamingTheKey() {
    CliProcess.Result result = CliProcess.run("console-producer", "--bootstrap-server", "127.0.0.1:1", "--topic", "t",
        "--producer-property", "acks=1");
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.stderr()).contains("invalid producer configuration", "acks");
  }
}
