package dev.resilientkafka.examples;

import dev.resilientkafka.examples.console.ConsoleConsumerCommand;
import dev.resilientkafka.examples.console.ConsoleProducerCommand;
import dev.resilientkafka.examples.doctor.DoctorCommand;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The {@code resilient-kafka} command: {@code resilient-kafka <subcommand> [options]}, with {@code
 * --help} for the command and each subcommand. Unknown subcommands and options end with a message that
 * names them and lists what is accepted, and exit code {@link ExitCodes#USAGE}.
 *
 * <p>Run it through {@code examples/bin/resilient-kafka} or {@code java -jar
 * examples/target/resilient-kafka.jar}.
 */
public final class ResilientKafkaCli {
  private static final String COMMAND = "resilient-kafka";

  private final List<Subcommand> subcommands;

  /**
   * @param subcommands the subcommands offered, in the order help lists them
   */
  public ResilientKafkaCli(List<Subcommand> subcommands) {
    this.subcommands = List.copyOf(subcommands);
  }

  /** The subcommands of the shipped CLI, in the order help lists them. */
  public static List<Subcommand> subcommands() {
    return List.of(new ConsoleProducerCommand(), new ConsoleConsumerCommand(), new DoctorCommand(), new DemoCommand());
  }

  /** Runs the CLI and exits the JVM with its exit code. */
  public static void main(String[] args) {
    quietKafkaLogging();
    int code = new ResilientKafkaCli(subcommands()).run(Arrays.asList(args), CommandIo.system());
    System.out.flush();
    System.err.flush();
    System.exit(code);
  }

  /**
   * The output is the command's table or records: Kafka's client chatter (config dumps at INFO, repeated
   * connection warnings while a broker is down) stays out of it unless asked for with {@code
   * -Dorg.slf4j.simpleLogger.*}. Set as properties, not a properties file, so that broker JVMs started
   * from this classpath by the demo keep their logs.
   */
  private static void quietKafkaLogging() {
    setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    setIfAbsent("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  /**
   * Runs one command line.
   *
   * @return the exit code, see {@link ExitCodes}
   */
  public int run(List<String> args, CommandIo io) {
    if (args.isEmpty()) {
      printUsage(io.err());
      return ExitCodes.USAGE;
    }
    String first = args.get(0);
    if (first.equals("--help") || first.equals("-h")) {
      printUsage(io.out());
      return ExitCodes.OK;
    }
    if (first.equals("help")) {
      if (args.size() == 1) {
        printUsage(io.out());
        return ExitCodes.OK;
      }
      Optional<Subcommand> target = find(args.get(1));
      if (target.isEmpty()) {
        return unknownSubcommand(args.get(1), io);
      }
      printHelp(target.get(), io.out());
      return ExitCodes.OK;
    }
    Optional<Subcommand> subcommand = find(first);
    if (subcommand.isEmpty()) {
      return unknownSubcommand(first, io);
    }
    Subcommand command = subcommand.get();
    try {
      ParsedOptions options =
          ParsedOptions.parse(COMMAND + " " + command.name(), command.options(), args.subList(1, args.size()));
      if (options.helpRequested()) {
        printHelp(command, io.out());
        return ExitCodes.OK;
      }
      return command.run(options, io);
    } catch (UsageException e) {
      io.err().println("error: " + e.getMessage());
      io.err().println("Run '" + COMMAND + " " + command.name() + " --help' for usage.");
      return ExitCodes.USAGE;
    } catch (Exception e) {
      io.err().println("error: " + command.name() + " failed: " + e);
      e.printStackTrace(io.err());
      return ExitCodes.UNREACHABLE;
    }
  }

  private Optional<Subcommand> find(String name) {
    return subcommands.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  private int unknownSubcommand(String name, CommandIo io) {
    String what = name.startsWith("-") ? "unknown option " + name : "unknown subcommand '" + name + "'";
    io.err().println("error: " + what + "; accepted subcommands: " + names() + " (and --help)");
    io.err().println("Run '" + COMMAND + " --help' for usage.");
    return ExitCodes.USAGE;
  }

  private String names() {
    return subcommands.stream().map(Subcommand::name).collect(Collectors.joining(", "));
  }

  private void printUsage(PrintStream out) {
    out.println("Usage: " + COMMAND + " <subcommand> [options]");
    out.println();
    out.println("Subcommands:");
    int width = subcommands.stream().mapToInt(s -> s.name().length()).max().orElse(0);
    for (Subcommand s : subcommands) {
      out.printf("  %-" + width + "s  %s%n", s.name(), s.summary());
    }
    out.println();
    out.println("Run '" + COMMAND + " <subcommand> --help' for the options of each.");
    out.println("Exit codes: 0 ok, 1 findings (a FAIL, an unsafe drain, an undelivered record), 2 usage error, 3 cluster unreachable or error.");
  }

  private static void printHelp(Subcommand command, PrintStream out) {
    out.println("Usage: " + COMMAND + " " + command.name() + (command.options().isEmpty() ? "" : " [options]"));
    out.println();
    out.println(command.summary());
    out.println();
    out.println("Options:");
    List<OptionSpec> options = command.options();
    int width = Math.max("--help".length(),
        options.stream().mapToInt(o -> o.synopsis().length()).max().orElse(0));
    for (OptionSpec option : options) {
      out.printf("  %-" + width + "s  %s%s%n", option.synopsis(), option.description(),
          option.repeatable() ? " (repeatable)" : "");
    }
    out.printf("  %-" + width + "s  %s%n", "--help", "print this help");
    out.println();
    out.println(command.description().strip());
  }
}
