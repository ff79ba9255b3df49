package dev.resilientkafka.internal.spool;

import java.time.Duration;

/**
 * What {@link Spool#open} found in the directory: records not yet acknowledged when the previous process
 * ended, and what it repaired.
 *
 * @param records records to send again, in append order
 * @param bytes their size on disk
 * @param oldestAcceptedAtMillis when the oldest of them was accepted (epoch ms), or -1 without any
 * @param tornTails segments whose last record was cut short (the process died mid-write) and truncated
 * @param tornBytes bytes cut off those tails
 * @param segments segment files found
 * @param took how long recovery took
 */
public record RecoveryReport(long records, long bytes, long oldestAcceptedAtMillis, int tornTails, long tornBytes,
    int segments, Duration took) {}
