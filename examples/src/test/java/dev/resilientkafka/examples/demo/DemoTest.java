package dev.resilientkafka.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilientkafka.examples.CliProcess;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's demo, run the way a user runs it ({@code resilient-kafka demo} in its own JVM): it must
 * replay every broker fault and end with nothing lost, duplicated or reordered by the resilient producer.
 */
class DemoTest {

  @Test
  void demoReplaysTheScenariosAndTheResilientProducerLosesNothing() {
    CliProcess.Result result = CliProcess.runLong(300, "demo");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.stdout())
        .contains("healthy: three brokers", "drained (leader of partition 0)", "rescheduled: back with a new pod IP",
            "two of three brokers down", "pod Pending, no DNS record", "replaced: new node, new IP, empty disk",
            "every broker killed and restarted on new IPs")
        .contains("new plain client with the old IP list: cannot bootstrap")
        .contains("new resilient client with the Service:  bootstrapped through DNS and acked a record");
    List<String> resilient = summaryRow(result.stdout(), "resilient");
    // producer sent acked app-error arrived lost dups reorders ...
    long sent = Long.parseLong(resilient.get(1));
    assertThat(sent).as("records the resilient producer sent").isGreaterThan(1_000);
    assertThat(resilient.get(2)).as("acked").isEqualTo(resilient.get(1));
    assertThat(resilient.get(3)).as("app-error").isEqualTo("0");
    assertThat(resilient.get(4)).as("arrived").isEqualTo(resilient.get(1));
    assertThat(resilient.get(5)).as("lost").isEqualTo("0");
    assertThat(resilient.get(6)).as("duplicates").isEqualTo("0");
    assertThat(resilient.get(7)).as("reorders").isEqualTo("0");
    List<String> plain = summaryRow(result.stdout(), "plain");
    System.out.printf("demo: resilient sent %s lost %s; plain sent %s lost %s; %d ms%n",
        resilient.get(1), resilient.get(5), plain.get(1), plain.get(5), result.millis());
  }

  private static List<String> summaryRow(String stdout, String producer) {
    return stdout.lines()
        .filter(line -> line.startsWith(producer + " "))
        .reduce((first, second) -> second) // the summary table comes last
        .map(line -> Arrays.asList(line.trim().split("\\s+")))
        .orElseThrow(() -> new AssertionError("no summary row for " + producer + " in:\n" + stdout));
  }
}
