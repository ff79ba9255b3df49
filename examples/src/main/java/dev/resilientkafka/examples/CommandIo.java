package dev.resilientkafka.examples;

import java.io.InputStream;
import java.io.PrintStream;

/**
 * The streams a subcommand talks through: records or lines in, results on {@code out}, diagnostics on
 * {@code err}. {@link #system()} is the process's own.
 *
 * @param in standard input (the console producer reads lines from it)
 * @param out results (tables, consumed records)
 * @param err diagnostics and usage errors
 */
public record CommandIo(InputStream in, PrintStream out, PrintStream err) {
  /** The process's standard streams. */
  public static CommandIo system() {
    return new CommandIo(System.in, System.out, System.err);
  }
}
