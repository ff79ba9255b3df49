package dev.resilientkafka;

/**
 * Why a record was not delivered, classified from the cluster's state at the time of the failure (the
 * partition's leader and in-sync replicas against the topic's {@code min.insync.replicas}, broker
 * reachability, name resolution), not from exception messages.
 */
public enum FailureCause {
  /** The partition's in-sync replicas were fewer than the topic's {@code min.insync.replicas}. */
  ISR_SHORTFALL,
  /** The partition had no leader. */
  LEADER_UNAVAILABLE,
  /** No broker of the cluster could be reached. */
  BROKERS_UNREACHABLE,
  /** The brokers' names did not resolve. */
  DNS,
  /**
   * The TLS or SASL handshake with the brokers failed (untrusted certificate, a certificate that does not
   * name the broker, bad credentials): the cluster answers, but not to this client. The Kafka {@code
   * AuthenticationException} is in the cause chain.
   */
  AUTHENTICATION,
  /** The record's deadline passed and no more specific cause was visible. */
  TIMEOUT,
  /** The cluster or the client refused the record for good (too large, not authorized, invalid). */
  REJECTED,
  /** The buffer was full and the overflow policy did not keep the record. */
  BUFFER_FULL,
  /**
   * The durable spool ({@code resilient.spool.dir}) was full (its bound, {@code resilient.spool.max.bytes},
   * reached, or its disk full) and the overflow policy did not keep the record.
   */
  SPOOL_FULL,
  /** The producer was closed before the record could be delivered. */
  CLOSED,
  /**
   * Transactions only: another producer with the same {@code transactional.id} took over (it called
   * {@code initTransactions()}), or the broker ended this producer's epoch (its transaction ran longer than
   * {@code transaction.timeout.ms}). Only closing this producer helps; a new one with the same id carries
   * on. Kafka's {@code ProducerFencedException} or {@code InvalidProducerEpochException} is in the cause
   * chain.
   */
  FENCED,
  /**
   * Transactions only: the record was not written because its transaction was aborted ({@code
   * abortTransaction()}) or must be aborted (another record of it, or a call on it, failed first). Consumers
   * reading with {@code isolation.level=read_committed} never see it.
   */
  ABORTED
}
