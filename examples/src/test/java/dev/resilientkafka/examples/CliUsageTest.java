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
    assertThat(result.stdout()).contains("Usage: resilient-kafka <subcommand>", "console-producer", "console-consumer", "doctor", "demo", "Exit codes");
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
    assertThat(result.stdout()).contains("--bootstrap-server <host:port,...>", "--command-config <file>",
        "--drain <broker-id>", "--timeout-ms <ms>", "--help", "Exit codes");
    DoctorChecks.standard().forEach(check -> assertThat(result.stdout()).contains(check.id(), check.rule()));
    assertThat(CliProcess.run("help", "doctor").stdout()).isEqualTo(result.stdout());
  }

  @Test
  void unknownSubcommandIsNamedWithTheAcceptedOnes() {
    CliProcess.Result result = CliProcess.run("docter", "--bootstrap-server", "x:9092");
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.stderr()).contains("unknown subcommand 'docter'", "accepted subcommands: console-producer, console-consumer, doctor, demo");
    assertThat(result.stdout()).isEmpty();
  }

  @Test
  void unknownOptionIsNamedWithTheAcceptedOnes() {
    CliProcess.Result result = CliProcess.run("doctor", "--bootstrap-servers", "x:9092");
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.stderr()).contains("unknown option --bootstrap-servers for resilient-kafka doctor",
        "accepted: --bootstrap-server, --command-config, --drain, --timeout-ms, --help");
  }

  @Test
  void missingAndInvalidValuesAreUsageErrors() {
    CliProcess.Result missing = CliProcess.run("doctor");
    assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(missing.stderr()).contains("doctor needs --bootstrap-server");

    CliProcess.Result noValue = CliProcess.run("doctor", "--bootstrap-server");
    assertThat(noValue.exitCode()).as(noValue.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(noValue.stderr()).contains("--bootstrap-server needs a value");

    CliProcess.Result badDrain = CliProcess.run("doctor", "--bootstrap-server", "x:9092", "--drain", "kafka-1");
    assertThat(badDrain.exitCode()).as(badDrain.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(badDrain.stderr()).contains("invalid value kafka-1 for --drain: must be an integer");

    CliProcess.Result noFile = CliProcess.run("doctor", "--bootstrap-server", "x:9092", "--command-config", "/nonexistent/admin.properties");
    assertThat(noFile.exitCode()).as(noFile.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(noFile.stderr()).contains("cannot read --command-config /nonexistent/admin.properties");
  }

  @Test
  void unreachableClusterExitsThreeWithinTheTimeout() {
    // 127.0.0.1:1 refuses connections: the doctor must give up after --timeout-ms, not hang
    CliProcess.Result result = CliProcess.run("doctor", "--bootstrap-server", "127.0.0.1:1", "--timeout-ms", "3000");
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(result.stderr()).contains("cannot reach the cluster at 127.0.0.1:1 within 3000 ms");
    assertThat(result.millis()).isLessThan(15_000);
  }
}
