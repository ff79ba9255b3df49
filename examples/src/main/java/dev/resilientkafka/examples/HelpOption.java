package dev.resilientkafka.examples;

import picocli.CommandLine.Option;

/** {@code -h}/{@code --help} on every subcommand (a picocli mixin). */
public final class HelpOption {
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
  boolean help;
}
