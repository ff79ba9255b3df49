package dev.resilientkafka.examples.doctor;

import java.util.Objects;

/**
 * One row of the doctor's table.
 *
 * @param check the {@link Check#id()} that produced it
 * @param status PASS, WARN or FAIL
 * @param subject what it is about: {@code cluster}, {@code topic orders}, {@code broker 2}
 * @param detail what was found, with the numbers
 * @param fix how to make it PASS; empty for PASS
 */
public record Finding(String check, Status status, String subject, String detail, String fix) {
  /** Checks that no component is null. */
  public Finding {
    Objects.requireNonNull(check, "check");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(fix, "fix");
  }

  /** A PASS row. */
  public static Finding pass(String check, String subject, String detail) {
    return new Finding(check, Status.PASS, subject, detail, "");
  }

  /** A WARN row with its fix. */
  public static Finding warn(String check, String subject, String detail, String fix) {
    return new Finding(check, Status.WARN, subject, detail, fix);
  }

  /** A FAIL row with its fix. */
  public static Finding fail(String check, String subject, String detail, String fix) {
    return new Finding(check, Status.FAIL, subject, detail, fix);
  }
}
