package dev.resilientkafka.examples;

import java.util.List;

/**
 * One {@code resilient-kafka <name>} subcommand. To add one (the console producer and consumer are
 * next), implement this and list it in {@link ResilientKafkaCli#subcommands()}: parsing, {@code --help}
 * and the usage-error exit code come from the CLI.
 *
 * <p>Implementations are stateless; {@link #run} is called once per process.
 */
public interface Subcommand {
  /** The word on the command line, e.g. {@code doctor}. */
  String name();

  /** One line for the list of subcommands. */
  String summary();

  /** The options it accepts ({@code --help} is implied). */
  List<OptionSpec> options();

  /** Paragraphs printed by {@code --help} after the option list: what it does, exit codes. */
  String description();

  /**
   * Runs the command.
   *
   * @return an exit code from {@link ExitCodes}
   * @throws UsageException if a value is missing or invalid (the CLI prints it and exits with {@link
   *     ExitCodes#USAGE})
   * @throws Exception anything else: the CLI reports it on {@code err} and exits with {@link
   *     ExitCodes#UNREACHABLE}
   */
  int run(ParsedOptions options, CommandIo io) throws Exception;
}
