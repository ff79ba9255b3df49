package dev.resilientkafka.internal.producer;

import static dev.resilientkafka.internal.producer.FailureClassifier.TRANSACTION_STATE_TOPIC;

import dev.resilientkafka.DeliveryFailedException;
import dev.resilientkafka.DeliveryFailedException.Recovery;
import dev.resilientkafka.FailureCause;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidPidMappingException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TransactionAbortableException;
import org.apache.kafka.common.errors.TransactionAbortedException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.jspecify.annotations.Nullable;

/**
 * The transactions of a producer with {@code transactional.id}, over an inner {@code KafkaProducer} whose
 * {@code max.block.ms} is 0.
 *
 * <p><b>Records.</b> A record is accepted only inside a transaction and counted in that transaction's
 * {@link Scope} until its callback has run. It reaches Kafka through this class's {@link HandOff} gate,
 * one record at a time, and only when Kafka will take it: inside a transaction Kafka's own {@code send()}
 * makes the whole transaction abortable when it refuses a record (no metadata for the topic yet, no room
 * in its accumulator), so the gate checks both first and otherwise keeps the record waiting in the
 * producer's queue, in order, like any refused record. Records of a transaction that must be aborted are
 * not handed over but failed ({@link FailureCause#ABORTED}).
 *
 * <p><b>Calls.</b> {@code initTransactions}, {@code commitTransaction} and {@code abortTransaction} of the
 * inner producer enqueue their request and, with {@code max.block.ms=0}, throw {@code TimeoutException}
 * at once; Kafka keeps the pending result and a repeated call returns it. This class repeats the call
 * (1 ms, doubling to 10 ms) until it returns, fails, or the user's {@code max.block.ms} has passed. A
 * commit first waits, within the same bound, until every record of the transaction was handed over and
 * acknowledged and its callback ran; only then does it ask the coordinator to commit. So a commit whose
 * records cannot be acknowledged (the ISR below {@code min.insync.replicas}, brokers unreachable) fails
 * before anything was asked of the coordinator, and the transaction can still be aborted. {@code
 * sendOffsetsToTransaction} returns once Kafka has queued the offsets: Kafka sends them before the commit
 * request, and a failure of theirs makes the commit fail.
 *
 * <p>Thread-safe. One lock orders hand-overs against state changes; callbacks never run under it.
 */
public final class TransactionCoordinator implements HandOff {
  /** A call waiting on the coordinator this long reports its topic as stalled to the cluster view. */
  private static final long STALLED_CALL_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long FIRST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final long LONGEST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  /** A commit starts another flush this often while records of the transaction are outstanding. */
  private static final long FLUSH_AGAIN_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  /** Room a record needs in Kafka's accumulator beyond twice its bytes: batch and record headers, varints. */
  private static final int RECORD_OVERHEAD_BYTES = 1024;

  /** Where the producer stands; Kafka's transaction states plus the two halves of a commit. */
  enum State {
    UNINITIALIZED, INITIALIZING, READY, IN_TRANSACTION,
    /** The commit waits for the transaction's records; nothing was asked of the coordinator yet. */
    COMMITTING,
    /** The coordinator was asked to commit; only a repeated commit may follow (as in Kafka). */
    ENDING_COMMIT,
    /** The transaction must be aborted. */
    ABORTABLE, ABORTING,
    /** Only closing helps (fenced, not authorized). */
    FATAL, CLOSED
  }

  private final Producer<byte[], byte[]> inner;
  private final RecordBuffer buffer;
  private final String transactionalId;
  private final Duration callTimeout;
  private final int batchSize;
  private final @Nullable Metric availableBytes;
  private final @Nullable Metric totalBytes;
  private final ReentrantLock lock = new ReentrantLock();
  /** Runs the inner producer's flush() for a commit: it blocks until Kafka completed what it holds. */
  private final ThreadPoolExecutor flusher;
  private final AtomicBoolean flushing = new AtomicBoolean();
  private volatile State state = State.UNINITIALIZED;
  private volatile @Nullable Scope scope;
  /** Why the producer is {@link State#FATAL} or the transaction {@link State#ABORTABLE}. */
  private volatile @Nullable DeliveryFailedException failure;
  /** When the call waiting on the coordinator began (nanoTime); 0 while none waits. */
  private volatile long callSinceNanos;

  TransactionCoordinator(ProducerSettings settings, Producer<byte[], byte[]> inner, RecordBuffer buffer) {
    this.inner = inner;
    this.buffer = buffer;
    this.transactionalId = java.util.Objects.requireNonNull(settings.transactionalId);
    this.callTimeout = settings.transactionCallTimeout;
    this.batchSize = settings.batchSize;
    this.availableBytes = producerMetric(inner, "buffer-available-bytes");
    this.totalBytes = producerMetric(inner, "buffer-total-bytes");
    this.flusher = new ThreadPoolExecutor(0, 1, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), task -> {
      Thread thread = new Thread(task, settings.transactionalId + "-commit-flush");
      thread.setDaemon(true);
      return thread;
    });
  }

  private static @Nullable Metric producerMetric(Producer<byte[], byte[]> inner, String name) {
    for (Map.Entry<MetricName, ? extends Metric> entry : inner.metrics().entrySet()) {
      if (entry.getKey().name().equals(name) && entry.getKey().group().equals("producer-metrics")) {
        return entry.getValue();
      }
    }
    return null;
  }

  // ------------------------------------------------------------------ records

  /** The records of one transaction not completed yet, and the first of them that failed. */
  static final class Scope {
    private final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicReference<@Nullable DeliveryFailedException> failed = new AtomicReference<>();

    @Nullable DeliveryFailedException failure() {
      return failed.get();
    }

    void failed(Exception error) {
      DeliveryFailedException failure = error instanceof DeliveryFailedException delivery ? delivery
          : new DeliveryFailedException(FailureCause.REJECTED, Recovery.ABORT_TRANSACTION,
              "a record of the transaction was not delivered", error);
      if (failed.compareAndSet(null, failure)) {
        synchronized (this) {
          notifyAll();
        }
      }
    }

    void settled() {
      if (outstanding.decrementAndGet() == 0) {
        synchronized (this) {
          notifyAll();
        }
      }
    }

    /** Waits until every record completed (callback run) or one failed; false when the deadline passed. */
    boolean awaitSettled(long deadlineNanos) throws InterruptedException {
      synchronized (this) {
        while (outstanding.get() > 0 && failed.get() == null) {
          long left = deadlineNanos - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          TimeUnit.NANOSECONDS.timedWait(this, left);
        }
      }
      return true;
    }

    int outstanding() {
      return outstanding.get();
    }
  }

  /**
   * The callback a transactional record carries: notes a failure before the application's callback runs
   * (a send() from that callback already sees the transaction doomed) and counts the record as settled
   * after it, so a commit returns only once every callback of the transaction has run, as Kafka's does.
   */
  static final class Enlisted implements Callback {
    final Scope scope;
    private final @Nullable Callback callback;

    Enlisted(Scope scope, @Nullable Callback callback) {
      this.scope = scope;
      this.callback = callback;
    }

    @Override
    public void onCompletion(RecordMetadata metadata, @Nullable Exception exception) {
      if (exception != null) {
        scope.failed(exception);
      }
      try {
        if (callback != null) {
          callback.onCompletion(metadata, exception);
        }
      } finally {
        scope.settled();
      }
    }
  }

  /** What the application can do about a failed record: abort its transaction, or close when fenced. */
  static Recovery recoveryOf(PendingRecord record, FailureCause cause) {
    if (!(record.callback instanceof Enlisted)) {
      return Recovery.NONE;
    }
    return cause == FailureCause.FENCED ? Recovery.CLOSE_PRODUCER : Recovery.ABORT_TRANSACTION;
  }

  /**
   * Accepts a record into the open transaction: {@code accept} gets the callback to give the buffer.
   *
   * @throws IllegalStateException outside a transaction
   * @throws DeliveryFailedException when the transaction must be aborted or the producer closed
   */
  public Future<RecordMetadata> send(@Nullable Callback callback, Function<Callback, Future<RecordMetadata>> accept) {
    Scope current;
    lock.lock();
    try {
      current = openScope("send");
      current.outstanding.incrementAndGet();
    } finally {
      lock.unlock();
    }
    boolean accepted = false;
    try {
      Future<RecordMetadata> future = accept.apply(new Enlisted(current, callback));
      accepted = true;
      return future;
    } finally {
      if (!accepted) {
        current.settled(); // refused synchronously (serializer, FAIL policy): not part of the transaction
      }
    }
  }

  /** The gate in front of the inner producer's {@code send()}; see the class comment. */
  @Override
  public void send(Producer<byte[], byte[]> inner, ProducerRecord<byte[], byte[]> record, PendingRecord pending) {
    Scope of = pending.callback instanceof Enlisted enlisted ? enlisted.scope : null;
    lock.lock();
    try {
      State now = state;
      if (now == State.CLOSED) {
        throw new HeldBack("the producer is closing");
      }
      DeliveryFailedException doomed = of == null ? null : of.failure();
      if (of == null || of != scope || (now != State.IN_TRANSACTION && now != State.COMMITTING) || doomed != null) {
        throw new TransactionAbortedException("not handed to Kafka: its transaction "
            + (now == State.ABORTING || of != scope ? "was aborted" : "must be aborted")
            + (doomed != null ? " (" + doomed.getMessage() + ")" : ""), doomed);
      }
      // Kafka's send() refuses at once without the topic's metadata or room, and then dooms the transaction
      List<PartitionInfo> partitions = inner.partitionsFor(record.topic()); // TimeoutException: not known yet
      Integer partition = record.partition();
      if (partition != null && partition >= partitions.size()) {
        throw new TimeoutException("partition " + partition + " of " + record.topic() + " is not in the metadata yet");
      }
      if (!roomFor(pending.sizeInBytes)) {
        throw new BufferExhaustedException("Kafka's accumulator has no room for the record now");
      }
      inner.send(record, pending);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Whether Kafka's accumulator can give the record a new batch without waiting: the hand-over lock makes
   * this exact, nothing else of this producer allocates from it meanwhile.
   */
  private boolean roomFor(int recordBytes) {
    if (availableBytes == null) {
      return true;
    }
    if (!(availableBytes.metricValue() instanceof Number available)) {
      return true;
    }
    long needed = Math.max(batchSize, 2L * recordBytes + RECORD_OVERHEAD_BYTES);
    if (totalBytes != null && totalBytes.metricValue() instanceof Number total) {
      needed = Math.min(needed, total.longValue()); // larger records: Kafka refuses them by size, not room
    }
    return available.doubleValue() >= needed;
  }

  /** A record that may not go to Kafka yet; it keeps waiting and is offered again. */
  private static final class HeldBack extends RetriableException {
    private static final long serialVersionUID = 1L;

    HeldBack(String message) {
      super(message);
    }
  }

  // ------------------------------------------------------------------ calls

  /**
   * {@code initTransactions()}: waits up to {@code max.block.ms} for the producer id (and for Kafka to
   * finish a transaction a previous producer with this id left open).
   */
  public void init() {
    requireNotOnCallbackThread("initTransactions");
    lock.lock();
    try {
      State from = state;
      if (from != State.UNINITIALIZED && from != State.INITIALIZING) {
        throw misuse("initTransactions", from);
      }
      state = State.INITIALIZING;
    } finally {
      lock.unlock();
    }
    awaitCoordinator("initTransactions", inner::initTransactions, () -> state = State.READY);
  }

  /** {@code beginTransaction()}: local, as in Kafka. */
  public void begin() {
    lock.lock();
    try {
      State from = state;
      if (from != State.READY) {
        throw misuse("beginTransaction", from);
      }
      try {
        inner.beginTransaction();
      } catch (RuntimeException e) {
        throw failed("beginTransaction", e);
      }
      scope = new Scope();
      state = State.IN_TRANSACTION;
    } finally {
      lock.unlock();
    }
  }

  /** {@code sendOffsetsToTransaction()}: returns once Kafka queued the offsets (see the class comment). */
  public void sendOffsets(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
    lock.lock();
    try {
      openScope("sendOffsetsToTransaction");
      try {
        inner.sendOffsetsToTransaction(offsets, group);
      } catch (TimeoutException queued) {
        // max.block.ms=0: queued, not yet answered; the commit request goes after it and fails if it failed
      } catch (IllegalArgumentException e) {
        throw e;
      } catch (RuntimeException e) {
        throw failed("sendOffsetsToTransaction", e);
      }
    } finally {
      lock.unlock();
    }
  }

  /** {@code commitTransaction()}; see the class comment. */
  public void commit() {
    requireNotOnCallbackThread("commitTransaction");
    Scope current;
    State from;
    lock.lock();
    try {
      from = state;
      current = scope;
      if (from == State.IN_TRANSACTION || from == State.COMMITTING) {
        current = java.util.Objects.requireNonNull(current);
        DeliveryFailedException doomed = current.failure();
        if (doomed != null) {
          throw recordFailed("commitTransaction", doomed);
        }
        state = State.COMMITTING;
      } else if (from != State.ENDING_COMMIT) {
        throw misuse("commitTransaction", from);
      }
    } finally {
      lock.unlock();
    }
    long started = System.nanoTime();
    if (from != State.ENDING_COMMIT) {
      boolean settled;
      try {
        settled = awaitRecords(current, started + callTimeout.toNanos());
      } catch (InterruptedException e) {
        throw new InterruptException("Received interrupt while awaiting the records of the transaction", e);
      }
      DeliveryFailedException doomed = current.failure();
      if (doomed != null) {
        throw recordFailed("commitTransaction", doomed);
      }
      if (!settled) {
        throw transition(State.ABORTABLE, notAcknowledged(current));
      }
      lock.lock();
      try {
        if (state != State.COMMITTING || scope != current) {
          throw new IllegalStateException("commitTransaction(): the transaction changed state to " + state
              + " while its records were awaited (another thread aborted it?)");
        }
        state = State.ENDING_COMMIT;
      } finally {
        lock.unlock();
      }
    }
    awaitCoordinator("commitTransaction", started, inner::commitTransaction, this::ended);
  }

  /** {@code abortTransaction()}: fails the records still waiting, then aborts in Kafka. */
  public void abort() {
    requireNotOnCallbackThread("abortTransaction");
    lock.lock();
    try {
      State from = state;
      if (from == State.ENDING_COMMIT) {
        throw new IllegalStateException("Cannot attempt operation `abortTransaction` because the previous call to "
            + "`commitTransaction` timed out and must be retried");
      }
      if (from != State.IN_TRANSACTION && from != State.COMMITTING && from != State.ABORTABLE
          && from != State.ABORTING) {
        throw misuse("abortTransaction", from);
      }
      state = State.ABORTING;
    } finally {
      lock.unlock();
    }
    buffer.failWaiting(FailureCause.ABORTED,
        new TransactionAbortedException("abortTransaction() was called before the record was handed to Kafka"));
    awaitCoordinator("abortTransaction", inner::abortTransaction, this::ended);
  }

  /**
   * Waits until the transaction's records settled (or one failed); false at the deadline. Records handed
   * over after a flush ended (they waited for room or metadata) would linger, so it flushes again.
   */
  private boolean awaitRecords(Scope current, long deadline) throws InterruptedException {
    while (true) {
      sendLingeringBatches();
      if (current.awaitSettled(Math.min(deadline, System.nanoTime() + FLUSH_AGAIN_NANOS))) {
        return true;
      }
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
    }
  }

  /**
   * Makes Kafka send its batches now instead of after {@code linger.ms}, as its own commit does (its
   * flush in progress overrides linger); the flush itself waits until they completed, so it runs on a
   * helper thread and the commit waits for the records as before. At most one at a time.
   */
  private void sendLingeringBatches() {
    if (!flushing.compareAndSet(false, true)) {
      return;
    }
    try {
      flusher.execute(() -> {
        try {
          inner.flush();
        } catch (RuntimeException e) {
          // closed meanwhile: the commit reports what happened to the records
        } finally {
          flushing.set(false);
        }
      });
    } catch (RejectedExecutionException e) {
      flushing.set(false);
    }
  }

  /** The transaction is over (committed or aborted); Kafka completed its records before answering. */
  private void ended() {
    scope = null;
    failure = null;
    state = State.READY;
  }

  /** Fails the records still waiting: a transaction cannot outlive its producer. */
  void close() {
    lock.lock();
    try {
      state = State.CLOSED;
    } finally {
      lock.unlock();
    }
    flusher.shutdown(); // a flush under way ends when the inner producer closes
    buffer.failWaiting(FailureCause.CLOSED, null);
  }

  private void awaitCoordinator(String operation, Runnable call, Runnable done) {
    awaitCoordinator(operation, System.nanoTime(), call, done);
  }

  /**
   * Repeats {@code call} (a transactional method of the inner producer, which throws {@code
   * TimeoutException} at once while its request is pending) until it returns, then runs {@code done}
   * under the lock; throws when it fails, or when {@code max.block.ms} from {@code started} has passed
   * ({@link Recovery#RETRY}: the state is kept, the same call may be made again).
   */
  private void awaitCoordinator(String operation, long started, Runnable call, Runnable done) {
    long deadline = started + callTimeout.toNanos();
    long pause = FIRST_PAUSE_NANOS;
    callSinceNanos = System.nanoTime();
    try {
      while (true) {
        try {
          call.run();
          break;
        } catch (TimeoutException pending) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw notAnswered(operation, pending);
          }
          LockSupport.parkNanos(this, Math.min(pause, left));
          if (Thread.interrupted()) {
            throw new InterruptException("Received interrupt while awaiting " + operation);
          }
          pause = Math.min(LONGEST_PAUSE_NANOS, pause * 2);
        } catch (InterruptException | DeliveryFailedException e) {
          throw e;
        } catch (RuntimeException e) {
          throw failed(operation, e);
        }
      }
    } finally {
      callSinceNanos = 0;
    }
    lock.lock();
    try {
      done.run();
    } finally {
      lock.unlock();
    }
  }

  // ------------------------------------------------------------------ failures

  /** The open transaction's scope, under the lock; throws when there is none or it must be aborted. */
  private Scope openScope(String operation) {
    State now = state;
    Scope current = scope;
    if (now != State.IN_TRANSACTION || current == null) {
      throw misuse(operation, now);
    }
    DeliveryFailedException doomed = current.failure();
    if (doomed != null) {
      throw recordFailed(operation, doomed);
    }
    return current;
  }

  /** What a call in the wrong state throws: Kafka's IllegalStateException, or the failure that ended things. */
  private RuntimeException misuse(String operation, State now) {
    DeliveryFailedException earlier = failure;
    if ((now == State.FATAL || now == State.ABORTABLE) && earlier != null) {
      String next = now == State.FATAL ? "close this producer" : "call abortTransaction() first";
      return new DeliveryFailedException(earlier.failureCause(), earlier.recovery(), operation + "() refused, "
          + next + ": " + earlier.getMessage(), earlier.getCause());
    }
    return new IllegalStateException(switch (now) {
      case UNINITIALIZED, INITIALIZING -> operation + "() needs initTransactions() to have completed first"
          + " (transactional.id " + transactionalId + ")";
      case READY -> operation + "() needs an open transaction: call beginTransaction() first (transactional.id "
          + transactionalId + " is set, so every record belongs to a transaction)";
      case CLOSED -> "Cannot perform operation after producer has been closed";
      default -> operation + "() is not possible while the transaction is in state " + now;
    });
  }

  /** A record of the transaction failed: abort (or close, when it was fenced). */
  private DeliveryFailedException recordFailed(String operation, DeliveryFailedException record) {
    boolean fenced = record.failureCause() == FailureCause.FENCED;
    DeliveryFailedException failed = new DeliveryFailedException(record.failureCause(),
        fenced ? Recovery.CLOSE_PRODUCER : Recovery.ABORT_TRANSACTION, operation + "() failed: a record of the "
        + "transaction was not delivered (" + record.getMessage() + "); "
        + (fenced ? "close this producer" : "abort the transaction and run it again"),
        fenced ? record.getCause() : new TransactionAbortableException(record.getMessage(), record));
    return transition(fenced ? State.FATAL : State.ABORTABLE, failed);
  }

  /** The commit's deadline passed while records of the transaction were not acknowledged. */
  private DeliveryFailedException notAcknowledged(Scope current) {
    PendingRecord oldest = oldestPending();
    FailureClassifier classifier = buffer.classifier();
    FailureCause cause = oldest == null ? FailureCause.TIMEOUT
        : classifier.classify(oldest.topic(), oldest.partition, oldest.lastRefusal);
    String what = current.outstanding() + " record(s) of the transaction not acknowledged within max.block.ms ("
        + callTimeout.toMillis() + " ms)";
    TimeoutException timeout = new TimeoutException(what);
    return new DeliveryFailedException(cause, Recovery.ABORT_TRANSACTION, "commitTransaction() failed: " + what
        + (oldest == null ? "" : ": " + classifier.describe(oldest.topic()))
        + "; nothing was asked of the coordinator: abort the transaction and run it again",
        new TransactionAbortableException(what, timeout));
  }

  private @Nullable PendingRecord oldestPending() {
    PendingRecord oldest = null;
    for (TopicLane lane : buffer.lanes()) {
      PendingRecord candidate = lane.oldest();
      if (candidate != null && (oldest == null || candidate.acceptedNanos - oldest.acceptedNanos < 0)) {
        oldest = candidate;
      }
    }
    return oldest;
  }

  /** The coordinator did not answer within {@code max.block.ms}; the call may be made again. */
  private DeliveryFailedException notAnswered(String operation, TimeoutException pending) {
    FailureClassifier classifier = buffer.classifier();
    return new DeliveryFailedException(classifier.classifyCoordinator(transactionalId, pending), Recovery.RETRY,
        operation + "() did not complete within max.block.ms (" + callTimeout.toMillis() + " ms): "
            + classifier.describeCoordinator(transactionalId) + "; call " + operation + "() again",
        new TimeoutException(operation + "() did not complete within max.block.ms", pending));
  }

  /**
   * A transactional call of the inner producer failed: fenced and fatal errors end the producer, an
   * abort that fails does too (nothing else can end the transaction), anything else must be aborted.
   */
  private RuntimeException failed(String operation, RuntimeException error) {
    if (error instanceof IllegalStateException || error instanceof InterruptException) {
      return error;
    }
    FailureCause named = FailureClassifier.transactionCause(error);
    if (named == FailureCause.FENCED) {
      return transition(State.FATAL, new DeliveryFailedException(FailureCause.FENCED, Recovery.CLOSE_PRODUCER,
          operation + "() failed: another producer with transactional.id " + transactionalId
              + " took over, or the transaction ran longer than transaction.timeout.ms; close this producer", error));
    }
    FailureCause cause = named != null ? named : FailureClassifier.authenticationCause(error) != null
        ? FailureCause.AUTHENTICATION : retriableRoot(error) ? FailureCause.TIMEOUT : FailureCause.REJECTED;
    if (fatal(error) || operation.equals("abortTransaction") || operation.equals("initTransactions")) {
      return transition(State.FATAL, new DeliveryFailedException(cause, Recovery.CLOSE_PRODUCER,
          operation + "() failed (" + error + "); close this producer", error));
    }
    TransactionAbortableException abortable = error instanceof TransactionAbortableException given ? given
        : new TransactionAbortableException(String.valueOf(error.getMessage()), error);
    return transition(State.ABORTABLE, new DeliveryFailedException(cause, Recovery.ABORT_TRANSACTION,
        operation + "() failed (" + error + "); abort the transaction and run it again", abortable));
  }

  /** Kafka's fatal transactional errors, which abortTransaction() cannot clear. */
  private static boolean fatal(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof AuthenticationException || t instanceof TransactionalIdAuthorizationException
          || t instanceof ClusterAuthorizationException || t instanceof UnsupportedVersionException
          || t instanceof InvalidPidMappingException || t instanceof InvalidTxnStateException) {
        return true;
      }
    }
    return false;
  }

  private static boolean retriableRoot(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root instanceof RetriableException;
  }

  private DeliveryFailedException transition(State next, DeliveryFailedException why) {
    lock.lock();
    try {
      // an abort under way (another thread) wins over a commit failing meanwhile; an ended producer stays so
      boolean keep = state == State.CLOSED || state == State.FATAL || (state == State.ABORTING && next == State.ABORTABLE);
      if (!keep) {
        state = next;
        failure = why;
      }
    } finally {
      lock.unlock();
    }
    return why;
  }

  private void requireNotOnCallbackThread(String operation) {
    if (buffer.onCallbackThread()) {
      throw new KafkaException(operation + "() called from a callback of this producer: it would wait for the "
          + "thread that runs the callback; call it from another thread");
    }
  }

  // ------------------------------------------------------------------ cluster view

  /** The coordinator's topic while a call waits on it, so that the cluster view probes it. */
  Collection<String> stalledTopics() {
    long since = callSinceNanos;
    return since != 0 && System.nanoTime() - since > STALLED_CALL_NANOS ? List.of(TRANSACTION_STATE_TOPIC) : List.of();
  }

  State state() {
    return state;
  }
}
