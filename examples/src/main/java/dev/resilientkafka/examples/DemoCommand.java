package dev.resilientkafka.examples;

import java.util.List;

/**
 * {@code resilient-kafka demo}: runs {@link Demo} on the embedded local cluster. The JVM must have been
 * started with the testkit's hosts file ({@code -Djdk.net.hosts.file=...}); the launcher script does
 * that for this subcommand.
 */
public final class DemoCommand implements Subcommand {
  @Override
  public String name() {
    return "demo";
  }

  @Override
  public String summary() {
    return "start a local 3-broker cluster and replay the article's scenarios against it";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of();
  }

  @Override
  public String description() {
    return """
        Starts 1 controller and 3 brokers (racks zone-a/b/c) on loopback addresses with a DNS server
        that answers like Kubernetes' cluster DNS, then runs the scenarios and prints what happened.
        Needs -Djdk.net.hosts.file=<file> on the JVM (bin/resilient-kafka sets it).
        Exit codes: 0 the demo ran, 3 it failed.""";
  }

  @Override
  public int run(ParsedOptions options, CommandIo io) throws Exception {
    if (System.getProperty("jdk.net.hosts.file") == null) {
      io.err().println("error: demo needs the JVM started with -Djdk.net.hosts.file=<file> "
          + "(the testkit's name table); run it through bin/resilient-kafka demo");
      return ExitCodes.USAGE;
    }
    Demo.main(new String[0]);
    return ExitCodes.OK;
  }
}
