package dev.resilientkafka.examples;

/**
 * The cluster cannot be reached for a reason found before any Kafka client ran (a bootstrap name that
 * does not resolve, a headless Service without pods): the message names the name and where it was
 * looked up, and the command ends with {@link ExitCodes#UNREACHABLE}.
 */
public final class ClusterUnreachableException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what could not be reached, naming the name and the resolver or DNS server asked
   * @param cause the underlying failure, if any
   */
  public ClusterUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
