package dev.resilientkafka.examples;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code resilient-kafka demo}: runs {@link Demo} on the embedded local cluster. The JVM must have been
 * started with the testkit's hosts file ({@code -Djdk.net.hosts.file=...}); the launcher script does
 * that for this subcommand.
 */
@Command(
    name = "demo",
    description = {
      "Start a local 3-broker cluster and run the failure scenarios against it.",
      "",
      "Starts 1 controller and 3 brokers (racks zone-a/b/c) on loopback addresses with a DNS server that "
          + "answers like Kubernetes' cluster DNS, then drains, kills, re-IPs and replaces brokers while a plain "
          + "and a resilient producer write, and prints what each lost. Needs -Djdk.net.hosts.file=<file> on the "
          + "JVM (bin/resilient-kafka sets it)."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the demo ran", "1:the resilient producer lost a record", ExitCodes.USAGE_HELP,
      "3:the demo failed"})
public final class DemoCommand implements Callable<Integer> {
  @Mixin HelpOption help;

  private final CommandIo io;

  DemoCommand(CommandIo io) {
    this.io = io;
  }

  @Override
  public Integer call() throws Exception {
    if (System.getProperty("jdk.net.hosts.file") == null) {
      io.err().println("error: demo needs the JVM started with -Djdk.net.hosts.file=<file> "
          + "(the testkit's name table); run it through bin/resilient-kafka demo");
      return ExitCodes.USAGE;
    }
    Demo.main(new String[0]);
    return ExitCodes.OK;
  }
}
