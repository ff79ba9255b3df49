package dev.resilientkafka.benchmarks;

/**
 * Durations and load of the fault scenarios, in seconds and records per second.
 *
 * @param baseline steady sending before the first fault
 * @param settle quiet time after each fault, once the cluster is whole again
 * @param pausedFor how long a leader stays SIGSTOPped
 * @param stallFor how long the broker of the 6-broker run stays SIGSTOPped
 * @param rate records per second each client is offered
 * @param moreFaults also a rolling restart on new IPs, a SIGKILLed leader and two brokers down
 * @param killedFor how long a SIGKILLed leader stays down ({@code moreFaults})
 * @param twoDownFor how long two brokers stay down together ({@code moreFaults})
 */
public record ChurnSchedule(int baseline, int settle, int pausedFor, int stallFor, int rate, boolean moreFaults,
    int killedFor, int twoDownFor) {
  /** The quick suite: a leader SIGSTOPped for 20 s and every broker moved at once. */
  public static final ChurnSchedule QUICK = new ChurnSchedule(10, 10, 20, 20, 500, false, 0, 0);
  /** The full suite: as quick, longer, plus a rolling restart, a SIGKILLed leader and two brokers down 180 s. */
  public static final ChurnSchedule FULL = new ChurnSchedule(20, 20, 30, 30, 500, true, 30, 180);
  /** A run of a minute or two, to check the harness. */
  public static final ChurnSchedule SMOKE = new ChurnSchedule(3, 3, 5, 5, 200, false, 0, 0);
}
