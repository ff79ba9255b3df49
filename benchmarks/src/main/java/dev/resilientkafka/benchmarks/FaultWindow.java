package dev.resilientkafka.benchmarks;

/**
 * A fault of the churn schedule and when it lasted, in seconds since the schedule started.
 *
 * @param label what was done, e.g. {@code "SIGKILL leader kafka-1"}
 * @param startSecond when the fault began
 * @param endSecond when the cluster was whole again (brokers ready and in sync)
 */
public record FaultWindow(String label, double startSecond, double endSecond) {}
