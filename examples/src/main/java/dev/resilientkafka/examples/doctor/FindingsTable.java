package dev.resilientkafka.examples.doctor;

import java.io.PrintStream;
import java.util.List;

/**
 * Prints findings as a fixed-width table, one row per finding, with the fix on the line below each
 * WARN and FAIL, and a summary line: {@code 9 PASS, 1 WARN, 2 FAIL}.
 */
public final class FindingsTable {
  private FindingsTable() {}

  /** Prints the table and the summary line. */
  public static void print(List<Finding> findings, PrintStream out) {
    int check = Math.max("CHECK".length(), findings.stream().mapToInt(f -> f.check().length()).max().orElse(0));
    int subject = Math.max("SUBJECT".length(), findings.stream().mapToInt(f -> f.subject().length()).max().orElse(0));
    String row = "%-6s %-" + check + "s  %-" + subject + "s  %s%n";
    out.printf(row, "STATUS", "CHECK", "SUBJECT", "DETAIL");
    for (Finding f : findings) {
      out.printf(row, f.status(), f.check(), f.subject(), f.detail());
      if (f.status() != Status.PASS && !f.fix().isEmpty()) {
        out.printf("%-6s %-" + check + "s  fix: %s%n", "", "", f.fix());
      }
    }
    out.println();
    out.printf("%d PASS, %d WARN, %d FAIL%n", count(findings, Status.PASS), count(findings, Status.WARN),
        count(findings, Status.FAIL));
  }

  static long count(List<Finding> findings, Status status) {
    return findings.stream().filter(f -> f.status() == status).count();
  }
}
