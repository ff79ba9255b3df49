package dev.resilientkafka.examples.doctor;

import java.util.List;

/**
 * One rule of a durable deployment, evaluated on a {@link ClusterSnapshot}. Implementations are stateless,
 * thread-safe and never touch the network: everything they need is in the snapshot, so they can be
 * tested on snapshots built by hand.
 */
public interface Check {
  /** A short stable id shown in the table, e.g. {@code replication-factor}. */
  String id();

  /** The rule in one sentence, e.g. "every topic has replication factor 3 or more". */
  String rule();

  /**
   * Evaluates the rule.
   *
   * @return at least one finding: one PASS row when the rule holds, else one row per offending subject
   */
  List<Finding> evaluate(ClusterSnapshot cluster);
}
