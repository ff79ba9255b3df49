package dev.resilientkafka.examples.console;

import dev.resilientkafka.DeliveryFailedException;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Counts what the console producer sent, what was delivered and what failed, and reports each record
 * that ends undelivered on {@code err} with its {@link dev.resilientkafka.FailureCause}. Thread-safe:
 * completions arrive on the producer's threads.
 */
final class DeliveryTally {
  private final PrintStream err;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();

  DeliveryTally(PrintStream err) {
    this.err = err;
  }

  /** A record was handed to {@code send()}. */
  void sent() {
    sent.incrementAndGet();
  }

  /** A record was acknowledged. */
  void delivered() {
    delivered.incrementAndGet();
  }

  /** The record of {@code lineNumber} ended undelivered (its callback failed, or {@code send()} threw). */
  void failed(long lineNumber, @Nullable String key, Throwable error) {
    failed.incrementAndGet();
    String cause = cause(error);
    String detail = String.valueOf(error.getMessage());
    if (detail.startsWith(cause + ": ")) {
      detail = detail.substring(cause.length() + 2); // DeliveryFailedException's message starts with its cause
    }
    err.println("undelivered: line " + lineNumber + (key == null ? "" : " (key " + key + ")") + ": cause " + cause
        + ": " + detail);
  }

  /** A line could not be turned into a record and was not sent. */
  void skipped(long lineNumber, String reason) {
    skipped.incrementAndGet();
    err.println("skipped: line " + lineNumber + ": " + reason);
  }

  /** The {@link dev.resilientkafka.FailureCause} name, or the exception's class for anything else. */
  static String cause(Throwable error) {
    return error instanceof DeliveryFailedException failure
        ? failure.failureCause().name()
        : error.getClass().getSimpleName();
  }

  /** Whether every line was sent and every record delivered. */
  boolean allDelivered() {
    return failed.get() == 0 && skipped.get() == 0 && delivered.get() == sent.get();
  }

  /** One line: sent, delivered, failed (and skipped lines when there were any). */
  String summary() {
    long notCompleted = sent.get() - delivered.get() - failed.get();
    return "console-producer: sent " + sent.get() + ", delivered " + delivered.get() + ", failed " + failed.get()
        + (skipped.get() > 0 ? ", skipped " + skipped.get() + " line(s)" : "")
        + (notCompleted > 0 ? ", not completed " + notCompleted : "");
  }
}
