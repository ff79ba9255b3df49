package dev.resilientkafka.examples;

/**
 * A command line that cannot be run, found after parsing (a value picocli cannot judge, such as a
 * {@code key=value} pair or an unreadable file): the message names the argument and what is accepted,
 * and the command ends with {@link ExitCodes#USAGE}.
 */
public final class UsageException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what is wrong, naming the argument and the accepted values
   */
  public UsageException(String message) {
    super(message);
  }
}
