package dev.resilientkafka.benchmarks;

/**
 * A fault of a scenario and when it lasted, in seconds since the scenario started.
 *
 * @param label what was done, e.g. {@code "SIGSTOP leader kafka-1 20 s"}
 * @param startSecond when the fault began
 * @param healedSecond when the fault was undone: the broker resumed, or the last moved broker ready
 * @param endSecond when the cluster was whole again (brokers ready and every partition in sync)
 */
public record FaultWindow(String label, double startSecond, double healedSecond, double endSecond) {}
