package dev.resilientkafka.examples;

/**
 * Exit codes of every {@code resilient-kafka} subcommand, for scripts; each subcommand's {@code --help}
 * lists what they mean for it.
 *
 * <ul>
 *   <li>{@value #OK}: the command did its job; for {@code doctor}: no check FAILed (WARNs allowed), for
 *       {@code doctor --drain}: the broker can go down now, for {@code console-producer}: every record
 *       was delivered.
 *   <li>{@value #FINDINGS}: the cluster is not as it should be; {@code doctor}: at least one FAIL,
 *       {@code doctor --drain}: draining the broker now would drop partitions below min ISR, {@code
 *       console-producer}: at least one record ended undelivered.
 *   <li>{@value #USAGE}: the command line is wrong (unknown subcommand or option, missing or bad value).
 *   <li>{@value #UNREACHABLE}: the cluster could not be reached (a name that does not resolve, no broker
 *       answering) or answered with an error.
 * </ul>
 */
public final class ExitCodes {
  /** Success, or no FAIL found. */
  public static final int OK = 0;
  /** At least one FAIL, the drain is not safe, or a record was not delivered. */
  public static final int FINDINGS = 1;
  /** Wrong command line. */
  public static final int USAGE = 2;
  /** The cluster could not be reached or refused a request. */
  public static final int UNREACHABLE = 3;

  /** The help line of {@link #USAGE}, the same for every subcommand. */
  static final String USAGE_HELP = "2:usage error: unknown option, missing or invalid value";
  /** The help line of {@link #UNREACHABLE}, the same for every subcommand. */
  static final String UNREACHABLE_HELP = "3:the cluster could not be reached (a name that does not resolve, no "
      + "broker answering) or refused a request";

  private ExitCodes() {}
}
