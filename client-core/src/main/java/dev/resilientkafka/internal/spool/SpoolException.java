package dev.resilientkafka.internal.spool;

/**
 * The spool cannot do what was asked; {@link #reason()} says which kind of failure it is, the message
 * names the directory and what to do.
 */
public final class SpoolException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The kinds of spool failure. */
  public enum Reason {
    /** Another process (or another producer of this JVM) holds the directory. */
    LOCKED,
    /** The bound ({@code resilient.spool.max.bytes}) is reached or the disk is full. */
    FULL,
    /** The directory cannot be created, read or written. */
    IO
  }

  private final Reason reason;

  public SpoolException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public SpoolException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
