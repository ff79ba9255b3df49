package dev.resilientkafka.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilientkafka.examples.doctor.DoctorChecks;
import org.junit.jupiter.api.Test;

/** The command line as a new user meets it, in a separate JVM: help, typos, exit codes. No cluster. */
class CliUsageTest {

  @Test
  void helpListsEverySubcommandAndExitsZero() {
    CliProcess.Result result = CliProcess.run("--help");
    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.stdout()).contains("Usage: resilient-kafka [-hV] <subcommand>", "console-producer",
        "console-consumer", "doctor", "demo", "Exit codes:", "2   usage error", "3   the cluster could not be reached");
  }

  @Test
  void noArgumentsPrintsUsageToStderrAndExitsTwo() {
    CliProcess.Result result = CliProcess.run();
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.stderr()).contains("Usage: resilient-kafka");
  }

  @Test
  void doctorHelpListsItsOptionsAndEveryRule() {
    CliProcess.Result result = CliProcess.run("doctor", "--help");
    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.stdout()).contains("--bootstrap-server=<host:port,...>", "--bootstrap-service=<service[:port]>",
        "--dns-server=<host:port>", "--command-config=<file>", "--expected-brokers=<n>", "--drain=<broker-id>",
        "--timeout-ms=<ms>", "--help", "Exit codes:", "1   at least one FAIL", "publishNotReadyAddresses");
    DoctorChecks.standard().forEach(check -> assertThat(result.stdout()).contains(check.id(), check.rule()));
    assertThat(CliProcess.run("help", "doctor").stdout()).isEqualTo(result.stdout());
  }

  @Test
  void unknownSubcommandIsNamedWithTheAcceptedOnes() {
    CliProcess.Result result = CliProcess.run("docter", "--bootstrap-server", "127.0.0.1:1");
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.stderr()).contains("unknown subcommand 'docter'; accepted: console-producer, console-consumer, doctor, demo, help",
        "Did you mean: resilient-kafka doctor",
        "Run 'resilient-kafka --help' for usage.");
    assertThat(result.stdout()).isEmpty();
  }

  @Test
  void unknownOptionIsNamedWithTheAcceptedOnes() {
    CliProcess.Result result = CliProcess.run("doctor", "--bootstrap-servers", "127.0.0.1:1");
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.stderr()).contains("Unknown options: '--bootstrap-servers'",
        "Possible solutions: --bootstrap-server, --bootstrap-service", "Run 'resilient-kafka doctor --help' for usage.");
  }

  @Test
  void missingAndInvalidValuesAreUsageErrors() {
    CliProcess.Result missing = CliProcess.run("doctor");
    assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(missing.stderr()).contains("needs --bootstrap-server <host:port,...> or --bootstrap-service");

    CliProcess.Result noValue = CliProcess.run("doctor", "--bootstrap-server");
    assertThat(noValue.exitCode()).as(noValue.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(noValue.stderr()).contains("Missing required parameter for option '--bootstrap-server'");

    CliProcess.Result badDrain = CliProcess.run("doctor", "--bootstrap-server", "127.0.0.1:1", "--drain", "kafka-1");
    assertThat(badDrain.exitCode()).as(badDrain.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(badDrain.stderr()).contains("Invalid value for option '--drain': 'kafka-1' is not an int");

    CliProcess.Result badExpected = CliProcess.run("doctor", "--bootstrap-server", "127.0.0.1:1", "--expected-brokers", "0");
    assertThat(badExpected.exitCode()).as(badExpected.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(badExpected.stderr()).contains("invalid value 0 for --expected-brokers: must be 1 or more");

    CliProcess.Result noFile = CliProcess.run("doctor", "--bootstrap-server", "127.0.0.1:1", "--command-config", "/nonexistent/admin.properties");
    assertThat(noFile.exitCode()).as(noFile.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(noFile.stderr()).contains("cannot read --command-config /nonexistent/admin.properties");
  }

  @Test
  void unreachableClusterExitsThreeWithinTheTimeout() {
    // 127.0.0.1:1 refuses connections: the doctor must give up after --timeout-ms, not hang
    CliProcess.Result result = CliProcess.run("doctor", "--bootstrap-server", "127.0.0.1:1", "--timeout-ms", "3000");
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(result.stderr()).contains("cannot reach the cluster at 127.0.0.1:1 (--bootstrap-server) within 3000 ms");
    assertThat(result.millis()).isLessThan(15_000);
  }

  @Test
  void aBootstrapNameThatDoesNotResolveIsNamedWithTheResolverAsked() {
    CliProcess.Result result = CliProcess.run("doctor", "--bootstrap-server", "kafka-0.no-such-service.invalid:9092",
        "--timeout-ms", "3000");
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.UNREACHABLE);
    // the test JVMs resolve through the testkit's hosts file, so that is the resolver named
    assertThat(result.stderr()).contains("cannot resolve the bootstrap name kafka-0.no-such-service.invalid",
        "the hosts file " + System.getProperty("jdk.net.hosts.file"))
        .doesNotContain("Failed to create new KafkaAdminClient");
  }

  @Test
  void everySubcommandThatTalksToAClusterTakesTheSameBootstrapOptions() {
    for (String subcommand : new String[] {"console-producer", "console-consumer", "doctor"}) {
      CliProcess.Result help = CliProcess.run(subcommand, "--help");
      assertThat(help.stdout()).as(subcommand).contains("--bootstrap-server=<host:port,...>",
          "--bootstrap-service=<service[:port]>", "--dns-server=<host:port>", "Exit codes:");
    }
  }
}
