package dev.resilientkafka.benchmarks;

/**
 * Durations of the churn schedule, in seconds.
 *
 * @param baseline steady sending before the first fault
 * @param settle quiet time after each fault, once the cluster is whole again
 * @param killedFor how long a SIGKILLed leader stays down
 * @param pausedFor how long a leader stays SIGSTOPped
 * @param twoDownFor how long two brokers stay down together
 * @param stallFor how long the broker of the 6-broker run stays SIGSTOPped
 * @param rate records per second each client is offered
 */
public record ChurnSchedule(int baseline, int settle, int killedFor, int pausedFor, int twoDownFor, int stallFor,
    int rate) {
  /**
   * The quick suite: every fault, shorter quiet times, two brokers down for 60 s (shorter than Kafka's
   * default {@code delivery.timeout.ms} of 120 s, so the plain producer's losses show in the full suite only).
   */
  public static final ChurnSchedule QUICK = new ChurnSchedule(10, 5, 10, 20, 60, 15, 200);
  /** The full suite: the schedule, two brokers down for 180 s. */
  public static final ChurnSchedule FULL = new ChurnSchedule(30, 30, 30, 20, 180, 30, 200);
}
