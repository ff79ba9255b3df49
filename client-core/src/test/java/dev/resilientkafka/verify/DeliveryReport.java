package dev.resilientkafka.verify;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link DeliveryChecker} found for one run, named after Jepsen's Kafka checker: lost writes (acked,
 * never read), duplicates (a value read more than once; "unremovable" when the copies do not share one
 * record-id header, so a consumer could not drop them), reordering (a key's sequence going backwards in
 * its partition), and position mismatches (a partition's consumer position minus its beginning offset
 * differing from the records read from it). Immutable.
 */
record DeliveryReport(
    String run,
    long sent,
    long acked,
    long failed,
    long consumed,
    long lost,
    long duplicates,
    long unremovableDuplicates,
    long duplicateIds,
    long reordered,
    long positionMismatches,
    long unknownValues,
    long failedButWritten,
    long callbacksTwice,
    long longestAckGapMs) {

  /** One line with every count, for the surefire output. */
  String summary() {
    return String.format(
        "%-22s sent=%d acked=%d failed=%d consumed=%d lost=%d duplicates=%d (unremovable=%d, repeated ids=%d) "
            + "reordered=%d position-mismatches=%d unknown=%d failed-but-written=%d callbacks-twice=%d longest-ack-gap=%dms",
        run, sent, acked, failed, consumed, lost, duplicates, unremovableDuplicates, duplicateIds, reordered,
        positionMismatches, unknownValues, failedButWritten, callbacksTwice, longestAckGapMs);
  }

  /** Prints {@link #summary()} to stdout. */
  DeliveryReport print() {
    System.out.println("DELIVERY " + summary());
    return this;
  }

  /**
   * The guarantees: every record's callback ran exactly once, nothing acked was lost, no duplicate that
   * the record-id header could not remove, no reordering, positions equal records read, and nothing read
   * that was never sent. {@code context} (e.g. the seed) is put in every failure message.
   */
  void assertGuarantees(String context) {
    String as = summary() + " " + context;
    assertThat(acked + failed).as("every record's callback ran: " + as).isEqualTo(sent);
    assertThat(callbacksTwice).as("callbacks that ran twice: " + as).isZero();
    assertThat(lost).as("lost writes (acked, not consumed): " + as).isZero();
    assertThat(unremovableDuplicates).as("duplicates the record-id header cannot remove: " + as).isZero();
    assertThat(reordered).as("per-key order violations: " + as).isZero();
    assertThat(positionMismatches).as("partitions whose position != records consumed: " + as).isZero();
    assertThat(unknownValues).as("values read that were never sent: " + as).isZero();
    assertThat(consumed).as("records read = acked + failed-but-written + duplicates: " + as)
        .isEqualTo(acked - lost + failedButWritten + duplicates);
  }
}
