package dev.resilientkafka.internal.producer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer's one background thread: offers waiting records to Kafka again when their backoff has
 * passed, fails records at their deadline (waiting ones, and those Kafka took only after they waited),
 * names topics whose records stall (WARN the first time, with the cause), and drops idle topics.
 *
 * <p>Nothing stops it but {@link #stop()}: whatever a round throws (an application callback run here
 * included) is logged and the next round runs, and an interrupt is cleared, so records always reach an
 * outcome and {@code flush()}/{@code close()} always return.
 */
final class Dispatcher implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
  private static final long IDLE_WAKE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  private static final long STALL_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** While records wait on disk, look at least this often whether memory has room for them. */
  private static final long BACKLOG_WAKE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  /** A topic stalled this long is named in the log (after the cluster view has probed it). */
  private static final long STALL_REPORT_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final RecordBuffer buffer;
  private final long idleTopicNanos;
  private final long evictCheckNanos;
  private final Thread thread;
  /** Records Kafka took after they waited: Kafka's timer started late, so theirs is watched here. */
  private final List<PendingRecord> late = new ArrayList<>();
  /** Topics named as stalled, with when the stall began. */
  private final Map<String, Long> stalled = new HashMap<>();
  private volatile boolean stopped;
  private volatile boolean woken;
  private boolean warnedStall;
  private long nextStallCheck;
  private long nextEvictCheck;

  Dispatcher(RecordBuffer buffer, String clientId, java.time.Duration idleTopic) {
    this.buffer = buffer;
    this.idleTopicNanos = idleTopic.toNanos();
    this.evictCheckNanos = Math.min(TimeUnit.MINUTES.toNanos(1), Math.max(STALL_CHECK_NANOS, idleTopicNanos / 2));
    this.thread = new Thread(this, clientId + "-dispatcher");
    thread.setDaemon(true);
  }

  void start() {
    long now = System.nanoTime();
    nextStallCheck = now + STALL_CHECK_NANOS;
    nextEvictCheck = now + evictCheckNanos;
    thread.start();
  }

  Thread thread() {
    return thread;
  }

  void wake() {
    if (!woken) {
      woken = true;
      LockSupport.unpark(thread);
    }
  }

  /** Stops the thread and waits for it, unless called on it. */
  void stop() {
    stopped = true;
    LockSupport.unpark(thread);
    if (Thread.currentThread() != thread) {
      try {
        thread.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void run() {
    while (!stopped) {
      long wake;
      try {
        wake = round();
      } catch (Throwable e) {
        if (e instanceof VirtualMachineError fatal && !(e instanceof StackOverflowError)) {
          LOG.error("dispatcher: {}; continuing", fatal.toString());
        } else {
          LOG.error("dispatcher round failed; continuing", e);
        }
        wake = System.nanoTime() + IDLE_WAKE_NANOS;
      }
      Thread.interrupted(); // an interrupt left by a callback must not end the loop or the next wait
      buffer.progressed();
      long pause = wake - System.nanoTime();
      if (!woken && pause > 0 && !stopped) {
        LockSupport.parkNanos(this, pause);
      }
      woken = false;
    }
  }

  /** One pass over the lanes; returns when the next pass is due. */
  private long round() {
    long now = System.nanoTime();
    long wake = now + IDLE_WAKE_NANOS;
    List<Runnable> outcomes = new ArrayList<>();
    try {
      buffer.drainBacklog(now, late, outcomes);
    } catch (RuntimeException e) {
      // isolated: the topics' queues and the deadlines below still get their turn
      LOG.error("moving records from the spool into memory failed; trying again", e);
    }
    if (buffer.backlogPending()) {
      wake = Math.min(wake, now + BACKLOG_WAKE_NANOS);
    }
    try {
      wake = drainLanes(now, wake, outcomes);
      watchLate(now, outcomes);
    } finally {
      // records taken out of their queues have their outcome here, even when a later lane's step threw
      report(outcomes);
    }
    if (now - nextStallCheck >= 0) {
      nextStallCheck = now + STALL_CHECK_NANOS;
      reportStalls(now);
    }
    if (now - nextEvictCheck >= 0) {
      nextEvictCheck = now + evictCheckNanos;
      buffer.evictIdle(now, idleTopicNanos);
    }
    return wake;
  }

  /**
   * Offers the waiting records of each lane that has some (expiring those past their deadline); returns
   * {@code wake}, or earlier when a lane's next attempt is due before it.
   */
  long drainLanes(long now, long wake, List<Runnable> outcomes) {
    long next = wake;
    boolean left = false;
    boolean seenAll = false;
    try {
      for (TopicLane lane : buffer.lanesToDrain()) {
        if (lane.waiting == 0 && lane.waitingPerPartition == 0) {
          continue;
        }
        buffer.expireWaiting(lane, now, outcomes);
        buffer.drain(lane, now, late, outcomes);
        if (lane.waiting > 0 || lane.waitingPerPartition > 0) {
          left = true;
          next = Math.min(next, lane.nextAttemptNanos);
        }
      }
      seenAll = true;
    } finally {
      if (left || !seenAll) {
        buffer.stillWaiting(); // a step that threw leaves its lane and the ones after it for the next round
      }
    }
    return next;
  }

  private static void report(List<Runnable> outcomes) {
    for (Runnable outcome : outcomes) {
      try {
        outcome.run(); // callbacks and listeners are guarded already; this guards the rest of the round
      } catch (RuntimeException | Error e) {
        if (e instanceof VirtualMachineError fatal && !(e instanceof StackOverflowError)) {
          throw fatal;
        }
        LOG.error("reporting an outcome failed; the other outcomes of this round are still reported", e);
      } finally {
        Thread.interrupted();
      }
    }
  }

  private void watchLate(long now, List<Runnable> outcomes) {
    late.removeIf(record -> {
      if (record.completed()) {
        return true;
      }
      if (record.deadlineNanos - now <= 0) {
        outcomes.add(() -> buffer.expired(record, "handed to Kafka only after waiting, and not acknowledged before"
            + " its deadline; Kafka may still write it"));
        return true;
      }
      return false;
    });
  }

  private void reportStalls(long now) {
    for (TopicLane lane : buffer.lanes()) {
      PendingRecord oldest = lane.oldest();
      boolean isStalled = oldest != null && now - oldest.stallSinceNanos > STALL_REPORT_NANOS;
      Long since = stalled.get(lane.topic);
      if (isStalled && since == null) {
        stalled.put(lane.topic, oldest.stallSinceNanos);
        String message = "records for topic " + lane.topic + " are not acknowledged (oldest waits "
            + TimeUnit.NANOSECONDS.toSeconds(now - oldest.stallSinceNanos) + " s): "
            + buffer.classifier().describe(lane.topic) + "; they are kept until resilient.delivery.timeout.ms";
        if (!warnedStall) {
          warnedStall = true;
          LOG.warn("{} (later stalls are logged at DEBUG)", message);
        } else {
          LOG.debug(message);
        }
      } else if (!isStalled && since != null) {
        stalled.remove(lane.topic);
        LOG.info("records for topic {} are acknowledged again after {} s", lane.topic,
            TimeUnit.NANOSECONDS.toSeconds(now - since));
      }
    }
  }
}
