package dev.resilientkafka.internal.producer;

import dev.resilientkafka.FailureCause;
import dev.resilientkafka.internal.cluster.ClusterView;
import dev.resilientkafka.internal.cluster.ClusterView.PartitionState;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TransactionAbortableException;
import org.apache.kafka.common.errors.TransactionAbortedException;
import org.apache.kafka.common.utils.Utils;
import org.jspecify.annotations.Nullable;

/**
 * Names why records of a partition are not delivered, from state rather than from exception text: the
 * exception class when it says enough (TLS/SASL, a record the cluster refuses for good), else whether
 * any broker answers, else the partition's leader and in-sync replicas against the topic's {@code
 * min.insync.replicas}. Partition state comes from the shared {@link ClusterView} when it probed in the
 * last few seconds (it does while records are not acknowledged), else from the inner producer's own
 * metadata. Thread-safe; never blocks.
 */
final class FailureClassifier {
  /** Kafka's topic of transaction coordinator state; a coordinator is the leader of one of its partitions. */
  static final String TRANSACTION_STATE_TOPIC = "__transaction_state";

  private final Producer<byte[], byte[]> inner;
  private final ClusterView view;

  FailureClassifier(Producer<byte[], byte[]> inner, ClusterView view) {
    this.inner = inner;
    this.view = view;
  }

  /** Why a record for {@code partition} (-1 when unknown) failed with {@code error} (null: none seen). */
  FailureCause classify(String topic, int partition, @Nullable Throwable error) {
    FailureCause transactional = transactionCause(error);
    if (transactional != null) {
      return transactional;
    }
    if (error instanceof TransactionAbortableException abortable && abortable.getCause() != null) {
      // Kafka wraps the failure that made the transaction abortable (e.g. retries exhausted): name that one
      error = abortable.getCause();
    }
    if (authenticationCause(error) != null || view.authenticationFailure() != null) {
      return FailureCause.AUTHENTICATION;
    }
    if (error != null && !(error instanceof RetriableException) && !(error instanceof TimeoutException)) {
      return FailureCause.REJECTED;
    }
    ClusterView.Reachability reachability = view.recentReachability();
    if (reachability == ClusterView.Reachability.NAMES_UNRESOLVED) {
      return FailureCause.DNS;
    }
    if (reachability == ClusterView.Reachability.UNREACHABLE) {
      return FailureCause.BROKERS_UNREACHABLE;
    }
    Map<Integer, PartitionState> states = partitions(topic);
    Integer min = view.minInsyncReplicas(topic);
    if (partition >= 0) {
      PartitionState state = states.get(partition);
      return state == null ? FailureCause.TIMEOUT : causeOf(state, min);
    }
    for (PartitionState state : states.values()) {
      FailureCause cause = causeOf(state, min);
      if (cause != FailureCause.TIMEOUT) {
        return cause;
      }
    }
    return FailureCause.TIMEOUT;
  }

  /** Why a record was refused for good when handed over (not retriable): the transaction's state, else REJECTED. */
  FailureCause refusal(Throwable refused) {
    FailureCause transactional = transactionCause(refused);
    return transactional != null ? transactional : authenticationCause(refused) != null
        ? FailureCause.AUTHENTICATION : FailureCause.REJECTED;
  }

  /** FENCED or ABORTED when {@code error} says so (anywhere in its cause chain), else null. */
  static @Nullable FailureCause transactionCause(@Nullable Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException) {
        return FailureCause.FENCED;
      }
      if (t instanceof TransactionAbortedException
          || (t instanceof TransactionAbortableException && t.getCause() == null)) {
        return FailureCause.ABORTED;
      }
    }
    return null;
  }

  /**
   * Why a call to the transaction coordinator of {@code transactionalId} did not complete: no broker
   * answers, or the coordinator's partition of {@code __transaction_state} as the cluster view last probed
   * it (the producer reports the topic as stalled while such a call waits), else TIMEOUT.
   */
  FailureCause classifyCoordinator(String transactionalId, @Nullable Throwable error) {
    return classify(TRANSACTION_STATE_TOPIC, coordinatorPartition(transactionalId), error);
  }

  /** For people: what the cluster view saw of the coordinator's partition. */
  String describeCoordinator(String transactionalId) {
    int partition = coordinatorPartition(transactionalId);
    String described = describe(TRANSACTION_STATE_TOPIC);
    return partition < 0 ? described : "the transaction coordinator (" + TRANSACTION_STATE_TOPIC + "-" + partition
        + "): " + described;
  }

  /** Kafka's choice of the {@code __transaction_state} partition for an id; -1 while its count is unknown. */
  private int coordinatorPartition(String transactionalId) {
    Map<Integer, PartitionState> recent = view.recentPartitions(TRANSACTION_STATE_TOPIC);
    return recent == null || recent.isEmpty() ? -1 : Utils.abs(transactionalId.hashCode()) % recent.size();
  }

  private static FailureCause causeOf(PartitionState state, @Nullable Integer minIsr) {
    if (!state.hasLeader()) {
      return FailureCause.LEADER_UNAVAILABLE;
    }
    return minIsr != null && state.inSyncReplicas() < minIsr ? FailureCause.ISR_SHORTFALL : FailureCause.TIMEOUT;
  }

  /** How many partitions of {@code topics} have fewer in-sync replicas than their topic's minimum. */
  int partitionsBelowMinIsr(Collection<String> topics) {
    int count = 0;
    for (String topic : topics) {
      Integer min = view.minInsyncReplicas(topic);
      if (min == null) {
        continue;
      }
      for (PartitionState state : partitions(topic).values()) {
        if (state.inSyncReplicas() < min) {
          count++;
        }
      }
    }
    return count;
  }

  /** For people: the partitions of {@code topic} that cannot take writes, and why. */
  String describe(String topic) {
    ClusterView.Reachability reachability = view.recentReachability();
    if (reachability != null && reachability != ClusterView.Reachability.REACHABLE) {
      return switch (reachability) {
        case NAMES_UNRESOLVED -> "no broker answers and the bootstrap names do not resolve";
        case AUTHENTICATION_FAILED -> "the brokers refuse this client's TLS/SASL handshake";
        default -> "no broker of " + view.cluster() + " answers";
      };
    }
    Integer min = view.minInsyncReplicas(topic);
    Map<Integer, PartitionState> states = new TreeMap<>(partitions(topic));
    StringBuilder text = new StringBuilder();
    states.forEach((partition, state) -> {
      FailureCause cause = causeOf(state, min);
      if (cause == FailureCause.LEADER_UNAVAILABLE) {
        text.append(text.isEmpty() ? "" : "; ").append("partition ").append(partition).append(" has no leader");
      } else if (cause == FailureCause.ISR_SHORTFALL) {
        text.append(text.isEmpty() ? "" : "; ").append("partition ").append(partition).append(" has ")
            .append(state.inSyncReplicas()).append(" in-sync replica(s) of ").append(state.replicas())
            .append(", below min.insync.replicas=").append(min);
      }
    });
    return text.isEmpty() ? "the brokers do not acknowledge them yet (no cause visible)" : text.toString();
  }

  private Map<Integer, PartitionState> partitions(String topic) {
    Map<Integer, PartitionState> recent = view.recentPartitions(topic);
    if (recent != null) {
      return recent;
    }
    if (topic.equals(TRANSACTION_STATE_TOPIC)) {
      return Map.of(); // asking the inner producer would add an internal topic to its metadata
    }
    List<PartitionInfo> infos;
    try {
      infos = inner.partitionsFor(topic);
    } catch (KafkaException e) {
      return Map.of();
    }
    Map<Integer, PartitionState> states = new HashMap<>();
    for (PartitionInfo info : infos) {
      states.put(info.partition(), new PartitionState(info.leader() != null && !info.leader().isEmpty(),
          info.inSyncReplicas() == null ? 0 : info.inSyncReplicas().length,
          info.replicas() == null ? 0 : info.replicas().length));
    }
    return states;
  }

  static @Nullable AuthenticationException authenticationCause(@Nullable Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof AuthenticationException authentication) {
        return authentication;
      }
    }
    return null;
  }

  @Nullable AuthenticationException authenticationFailure() {
    return view.authenticationFailure();
  }
}
