package dev.resilientkafka.testkit;

/** What the testkit last did to a broker (its pod), as an operator would see it. */
public enum BrokerState {
  /** The process runs; it may still be starting (see {@link LocalKafkaCluster#awaitReady}). */
  RUNNING,
  /** SIGSTOPped: hangs with its connections open. */
  PAUSED,
  /** Stopped cleanly (SIGTERM, controlled shutdown); the pod is deleted, so DNS has no record for it. */
  STOPPED,
  /** SIGKILLed: the pod still exists with its address, the container is dead. */
  KILLED,
  /** The node is gone: no process, no address, no DNS record, until it is started again. */
  PENDING
}
