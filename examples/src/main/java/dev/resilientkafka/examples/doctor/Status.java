package dev.resilientkafka.examples.doctor;

/** The verdict of one {@link Finding}, ordered from good to bad. */
public enum Status {
  /** The rule holds. */
  PASS,
  /** The cluster works but is weaker than it should be (durability, cost, one failure from trouble). */
  WARN,
  /** The rule is broken: an outage or data loss waits for the next broker failure, or is happening. */
  FAIL
}
