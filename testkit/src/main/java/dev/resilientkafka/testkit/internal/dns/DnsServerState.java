package dev.resilientkafka.testkit.internal.dns;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the query threads read on every query: the current records, TTL and faults, each an immutable
 * value behind a volatile field, so that a change made on any thread is seen by the next query without
 * locking. Writers serialize among themselves (see {@code KubeDnsServer}); this class does not.
 */
public final class DnsServerState {
  private volatile ClusterRecords records = ClusterRecords.empty();
  private volatile long ttlSeconds;
  private volatile InjectedFaults faults = InjectedFaults.none();
  private final AtomicLong queries = new AtomicLong();

  public DnsServerState(long ttlSeconds) {
    this.ttlSeconds = ttlSeconds;
  }

  public ClusterRecords records() {
    return records;
  }

  public void records(ClusterRecords records) {
    this.records = records;
  }

  public long ttlSeconds() {
    return ttlSeconds;
  }

  public void ttlSeconds(long ttlSeconds) {
    this.ttlSeconds = ttlSeconds;
  }

  public InjectedFaults faults() {
    return faults;
  }

  public void faults(InjectedFaults faults) {
    this.faults = faults;
  }

  /** Queries answered or dropped so far. */
  public long queries() {
    return queries.get();
  }

  void countQuery() {
    queries.incrementAndGet();
  }
}
