package dev.resilientkafka.internal.rack;

/** A discovery step that applied but failed; the message says what went wrong and what to check. */
public final class RackLookupException extends Exception {
  private static final long serialVersionUID = 1L;

  public RackLookupException(String message) {
    super(message);
  }

  public RackLookupException(String message, Throwable cause) {
    super(message, cause);
  }
}
