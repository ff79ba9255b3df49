package dev.resilientkafka.internal.rack;

/** A discovery step that applied but failed; the message says what went wrong and what to check. */
public final class RackLookupException extends Exception {
  private static final long serialVersionUID = 1L;

  private final boolean unreachable;

  public RackLookupException(String message) {
    this(message, null, false);
  }

  public RackLookupException(String message, Throwable cause) {
    this(message, cause, false);
  }

  RackLookupException(String message, @org.jspecify.annotations.Nullable Throwable cause, boolean unreachable) {
    super(message, cause);
    this.unreachable = unreachable;
  }

  /**
   * True when nothing answered at the endpoint's address (refused, timed out, no route): another step
   * asking the same address would wait for nothing too.
   */
  public boolean unreachable() {
    return unreachable;
  }
}
