package dev.resilientkafka.examples.doctor;

import dev.resilientkafka.examples.CliProcess;
import java.util.List;

/** Reads the doctor's table back: the rows of one check, with their status and subject. */
final class DoctorOutput {
  private DoctorOutput() {}

  /** The table rows ({@code STATUS CHECK SUBJECT DETAIL}) of one check. */
  static List<String> rows(CliProcess.Result result, String check) {
    return result.stdout().lines()
        .filter(line -> line.matches("^(PASS|WARN|FAIL)\\s+" + java.util.regex.Pattern.quote(check) + "\\s.*"))
        .toList();
  }

  /** The statuses of one check's rows about {@code subject} (e.g. {@code topic orders}). */
  static List<String> statuses(CliProcess.Result result, String check, String subject) {
    return rows(result, check).stream()
        .filter(line -> line.contains(" " + subject + " "))
        .map(line -> line.substring(0, 4))
        .toList();
  }
}
