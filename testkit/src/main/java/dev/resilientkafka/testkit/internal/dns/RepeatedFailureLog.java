package dev.resilientkafka.testkit.internal.dns;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;

/**
 * Logs a failure that may repeat in a serving loop at WARN the first time and at DEBUG afterwards, so
 * that a broken socket is visible without flooding the log.
 */
final class RepeatedFailureLog {
  private final AtomicBoolean warned = new AtomicBoolean();

  void log(Logger log, String message, Exception failure) {
    if (warned.compareAndSet(false, true)) {
      log.warn("{} (repeats log at DEBUG)", message, failure);
    } else {
      log.debug(message, failure);
    }
  }
}
