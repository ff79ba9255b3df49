package dev.resilientkafka.examples;

import dev.resilientkafka.examples.console.ConsoleConsumerCommand;
import dev.resilientkafka.examples.console.ConsoleProducerCommand;
import dev.resilientkafka.examples.doctor.DoctorCommand;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code resilient-kafka} command: {@code resilient-kafka <subcommand> [options]}, parsed by picocli,
 * with {@code --help} (and {@code help <subcommand>}) for the command and each subcommand. Unknown
 * subcommands and options end with a message that names them and the closest accepted ones, and exit code
 * {@link ExitCodes#USAGE}; a cluster that cannot be reached ends with {@link ExitCodes#UNREACHABLE} and its
 * root cause (the name that did not resolve and the resolver asked).
 *
 * <p>Run it through {@code examples/bin/resilient-kafka} or {@code java -jar
 * examples/target/resilient-kafka.jar}.
 */
@Command(
    name = "resilient-kafka",
    synopsisSubcommandLabel = "<subcommand>",
    description = "Kafka's console tools with the resilient clients, a cluster doctor, and a local demo.",
    subcommands = {
      ConsoleProducerCommand.class,
      ConsoleConsumerCommand.class,
      DoctorCommand.class,
      DemoCommand.class,
      CommandLine.HelpCommand.class
    },
    mixinStandardHelpOptions = true,
    versionProvider = ResilientKafkaCli.Version.class,
    footerHeading = "%n",
    footer = "Run 'resilient-kafka <subcommand> --help' for the options of each.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:ok",
      "1:findings: a doctor FAIL, an unsafe drain, an undelivered record",
      ExitCodes.USAGE_HELP,
      ExitCodes.UNREACHABLE_HELP
    })
public final class ResilientKafkaCli implements Callable<Integer> {
  @Spec CommandSpec spec;

  /** Runs the CLI and exits the JVM with its exit code. */
  public static void main(String[] args) {
    quietKafkaLogging();
    int code = run(CommandIo.system(), args);
    System.out.flush();
    System.err.flush();
    System.exit(code);
  }

  /**
   * Runs one command line over {@code io}.
   *
   * @return the exit code, see {@link ExitCodes}
   */
  public static int run(CommandIo io, String... args) {
    return commandLine(io).execute(args);
  }

  /** The picocli command line of the CLI, writing to {@code io}, with this CLI's error handling and exit codes. */
  public static CommandLine commandLine(CommandIo io) {
    CommandLine cli = new CommandLine(new ResilientKafkaCli(), new Factory(io));
    // wide enough that option names and the doctor's rules stay on one line each
    cli.setUsageHelpWidth(120);
    cli.setUsageHelpLongOptionsMaxWidth(40);
    cli.setOut(new PrintWriter(io.out(), true));
    cli.setErr(new PrintWriter(io.err(), true));
    cli.setParameterExceptionHandler(ResilientKafkaCli::usageError);
    cli.setExecutionExceptionHandler((e, command, parsed) -> failed(e, command));
    cli.getSubcommands().get("doctor").getCommandSpec().usageMessage()
        .footerHeading("%nRules checked (PASS / WARN / FAIL, with the fix for each WARN and FAIL):%n")
        .footer(DoctorCommand.rules().toArray(String[]::new));
    return cli;
  }

  /** Without a subcommand: the usage on stderr, a usage error. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }

  private static int usageError(ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    PrintWriter err = command.getErr();
    if (e instanceof UnmatchedArgumentException unmatched && command.getParent() == null
        && !unmatched.getUnmatched().isEmpty() && !unmatched.getUnmatched().get(0).startsWith("-")) {
      err.println("error: unknown subcommand '" + unmatched.getUnmatched().get(0) + "'; accepted: "
          + String.join(", ", command.getSubcommands().keySet()));
    } else {
      err.println("error: " + e.getMessage());
    }
    UnmatchedArgumentException.printSuggestions(e, err);
    err.println("Run '" + command.getCommandSpec().qualifiedName() + " --help' for usage.");
    return ExitCodes.USAGE;
  }

  private static int failed(Exception e, CommandLine command) {
    PrintWriter err = command.getErr();
    if (e instanceof UsageException) {
      err.println("error: " + e.getMessage());
      err.println("Run '" + command.getCommandSpec().qualifiedName() + " --help' for usage.");
      return ExitCodes.USAGE;
    }
    if (e instanceof ClusterUnreachableException) {
      err.println("error: " + e.getMessage());
      return ExitCodes.UNREACHABLE;
    }
    err.println("error: " + command.getCommandName() + " failed: " + rootCauses(e));
    e.printStackTrace(err);
    return ExitCodes.UNREACHABLE;
  }

  /**
   * The messages of {@code e} and its causes, outermost first, without repeats: Kafka's "Failed to create
   * new KafkaAdminClient" says little; what it wraps says why.
   */
  public static String rootCauses(Throwable e) {
    Set<String> messages = new LinkedHashSet<>();
    for (Throwable t = e; t != null; t = t.getCause()) {
      messages.add(t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
      if (t.getCause() == t) {
        break;
      }
    }
    return String.join(": ", messages);
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

  /** Gives subcommands that want them the streams to talk through ({@code Command(CommandIo)}). */
  private record Factory(CommandIo io) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> type) throws Exception {
      try {
        Constructor<K> withIo = type.getDeclaredConstructor(CommandIo.class);
        withIo.setAccessible(true);
        return withIo.newInstance(io);
      } catch (NoSuchMethodException e) {
        return CommandLine.defaultFactory().create(type);
      }
    }
  }

  /** {@code --version}: the examples jar's version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = ResilientKafkaCli.class.getPackage().getImplementationVersion();
      return new String[] {"resilient-kafka " + (version == null ? "(development build)" : version)};
    }
  }
}
