package dev.resilientkafka.internal.rack;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tries each step in order, first hit wins, within one total deadline; logs one INFO line that says which
 * step gave the rack or that none did (with every step's reason). A step the user set up that applied and
 * failed (unreadable rack file, Kubernetes API answering 403) is also a WARN; a cloud metadata probe that
 * fails only means "not on that cloud" and stays at DEBUG. {@code dev.resilientkafka.RackDiscovery} is its
 * public face. Thread-safe: steps are immutable.
 */
public final class RackDiscoveryChain {
  private static final Logger LOG = LoggerFactory.getLogger(RackDiscoveryChain.class);

  private final List<RackDiscoveryStep> steps;
  private final Duration timeout;

  /** A chain of {@code steps} with the default deadline of 3 s. */
  public RackDiscoveryChain(List<RackDiscoveryStep> steps) {
    this(steps, Duration.ofSeconds(3));
  }

  /** A chain of {@code steps} that gives up, with no rack, when {@code timeout} has passed. */
  public RackDiscoveryChain(List<RackDiscoveryStep> steps, Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be > 0, was " + timeout);
    }
    this.steps = List.copyOf(steps);
    this.timeout = timeout;
  }

  /** The standard chain (environment variable, file, Kubernetes API, AWS, GCP, Azure) over {@code environment}. */
  public static RackDiscoveryChain standard(RackDiscoveryEnvironment environment) {
    List<RackDiscoveryStep> steps = new ArrayList<>();
    steps.add(new EnvironmentVariableStep(environment));
    steps.add(new RackFileStep(environment));
    steps.add(new KubernetesNodeLabelStep(environment));
    if (environment.cloudMetadataEnabled()) {
      steps.add(new AwsMetadataStep(environment));
      steps.add(new GcpMetadataStep(environment));
      steps.add(new AzureMetadataStep(environment));
    }
    return new RackDiscoveryChain(steps, environment.discoveryTimeout());
  }

  public List<RackDiscoveryStep> steps() {
    return steps;
  }

  /** Runs the chain: the rack, or empty when no step gave one. */
  public Optional<String> discover() {
    return resolve().foundRack();
  }

  /** Runs the chain and returns what every step did. */
  public RackDiscoveryResult resolve() {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    List<StepOutcome> outcomes = new ArrayList<>();
    // AWS and Azure share 169.254.169.254: when nothing answered there, asking again only waits again
    Set<String> silentAddresses = new HashSet<>();
    ExecutorService runner = newRunner();
    try {
      for (RackDiscoveryStep step : steps) {
        StepOutcome outcome;
        String address = step.endpoint().map(RackDiscoveryChain::address).orElse(null);
        long remaining = deadline - System.nanoTime();
        if (address != null && silentAddresses.contains(address)) {
          outcome = new StepOutcome(step.name(), StepOutcome.Kind.NOT_APPLICABLE, null,
              "skipped: nothing answered at " + address + " for an earlier probe");
        } else if (remaining <= 0) {
          outcome = new StepOutcome(step.name(), StepOutcome.Kind.NOT_APPLICABLE, null,
              "not tried: the discovery deadline of " + timeout.toMillis() + " ms ("
                  + RackDiscoveryEnvironment.DISCOVERY_TIMEOUT_MS + ") had passed");
        } else {
          Attempt attempt = attemptWithin(runner, step, remaining);
          outcome = attempt.outcome();
          if (attempt.unreachable() && address != null) {
            silentAddresses.add(address);
          }
          if (attempt.timedOut()) {
            // the thread may still be blocked in the step: the next step must not queue behind it
            runner.shutdownNow();
            runner = newRunner();
          }
        }
        outcomes.add(outcome);
        log(step, outcome);
        if (outcome.kind() == StepOutcome.Kind.FOUND) {
          break;
        }
      }
    } finally {
      runner.shutdownNow();
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    StepOutcome last = outcomes.isEmpty() ? null : outcomes.get(outcomes.size() - 1);
    if (last != null && last.kind() == StepOutcome.Kind.FOUND) {
      List<StepOutcome> before = outcomes.subList(0, outcomes.size() - 1);
      LOG.info("client.rack discovery: '{}' from {} in {} ms{}", last.rack(), last.step(), millis,
          before.isEmpty() ? "" : " (before it: " + reasons(before) + ")");
      return new RackDiscoveryResult(last.rack(), last.step(), outcomes);
    }
    LOG.info("client.rack discovery: no source gave a rack in {} ms, so client.rack stays unset and the "
        + "consumer fetches from partition leaders ({}). Set client.rack, the environment variable, the rack "
        + "file, or give the pod NODE_NAME and read access to its Node", millis, reasons(outcomes));
    return new RackDiscoveryResult(null, "none", outcomes);
  }

  /** Steps run on a daemon thread so that one stuck in a name lookup or a socket cannot outlive the deadline. */
  private static ExecutorService newRunner() {
    return Executors.newSingleThreadExecutor(r -> {
      Thread thread = new Thread(r, "resilient-kafka-rack-discovery");
      thread.setDaemon(true);
      return thread;
    });
  }

  private static String reasons(List<StepOutcome> outcomes) {
    return outcomes.stream().map(o -> o.step() + ": " + o.detail()).collect(Collectors.joining("; "));
  }

  private static void log(RackDiscoveryStep step, StepOutcome outcome) {
    if (outcome.kind() == StepOutcome.Kind.FAILED && !step.probe()) {
      LOG.warn("client.rack discovery: {} failed: {}; trying the next source", step.name(), outcome.detail());
    } else {
      LOG.debug("client.rack discovery: {} -> {} ({})", step.name(), outcome.kind(), outcome.detail());
    }
  }

  private static String address(URI uri) {
    return uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
  }

  private record Attempt(StepOutcome outcome, boolean unreachable, boolean timedOut) {}

  private Attempt attemptWithin(ExecutorService runner, RackDiscoveryStep step, long remainingNanos) {
    Future<Attempt> future = runner.submit(() -> attempt(step));
    try {
      return future.get(remainingNanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      return new Attempt(new StepOutcome(step.name(), StepOutcome.Kind.FAILED, null, "no result within the "
          + "discovery deadline of " + timeout.toMillis() + " ms (" + RackDiscoveryEnvironment.DISCOVERY_TIMEOUT_MS
          + ")"), true, true);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      return new Attempt(new StepOutcome(step.name(), StepOutcome.Kind.FAILED, null,
          "interrupted while waiting for it"), false, true);
    } catch (ExecutionException e) {
      return new Attempt(failed(step, "unexpected " + e.getCause()), false, false);
    }
  }

  private static Attempt attempt(RackDiscoveryStep step) {
    try {
      Optional<String> rack = step.lookup().map(String::trim).filter(r -> !r.isEmpty());
      return new Attempt(rack.map(r -> new StepOutcome(step.name(), StepOutcome.Kind.FOUND, r, "found"))
          .orElseGet(() -> new StepOutcome(step.name(), StepOutcome.Kind.NOT_APPLICABLE, null, "not set")),
          false, false);
    } catch (NotApplicable e) {
      return new Attempt(new StepOutcome(step.name(), StepOutcome.Kind.NOT_APPLICABLE, null, e.getMessage()),
          false, false);
    } catch (RackLookupException e) {
      return new Attempt(failed(step, e.getMessage()), e.unreachable(), false);
    } catch (RuntimeException e) {
      return new Attempt(failed(step, "unexpected " + e), false, false);
    }
  }

  private static StepOutcome failed(RackDiscoveryStep step, @Nullable String detail) {
    return new StepOutcome(step.name(), StepOutcome.Kind.FAILED, null, String.valueOf(detail));
  }

  /** Thrown by a step to say why it does not apply here (not a failure). */
  static final class NotApplicable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotApplicable(String reason) {
      super(reason, null, false, false);
    }
  }
}
