package dev.resilientkafka.internal.rack;

import dev.resilientkafka.RackDiscovery;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tries each step in order, first hit wins; logs every step (INFO when it applies or misses, WARN when it
 * applied and failed) and, when nothing is found, reports that at WARN with where the rack could come
 * from. Thread-safe: steps are immutable.
 */
public final class RackDiscoveryChain implements RackDiscovery {
  private static final Logger LOG = LoggerFactory.getLogger(RackDiscoveryChain.class);

  private final List<RackDiscoveryStep> steps;

  public RackDiscoveryChain(List<RackDiscoveryStep> steps) {
    this.steps = List.copyOf(steps);
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
    return new RackDiscoveryChain(steps);
  }

  public List<RackDiscoveryStep> steps() {
    return steps;
  }

  @Override
  public Optional<String> discover() {
    return resolve().foundRack();
  }

  /** Runs the chain and returns what every step did. */
  public RackDiscoveryResult resolve() {
    List<StepOutcome> outcomes = new ArrayList<>();
    for (RackDiscoveryStep step : steps) {
      StepOutcome outcome = attempt(step);
      outcomes.add(outcome);
      if (outcome.kind() == StepOutcome.Kind.FOUND) {
        LOG.info("client.rack discovery: {} -> '{}' (used)", step.name(), outcome.rack());
        return new RackDiscoveryResult(outcome.rack(), step.name(), outcomes);
      }
      if (outcome.kind() == StepOutcome.Kind.FAILED) {
        LOG.warn("client.rack discovery: {} failed: {}; trying the next source", step.name(), outcome.detail());
      } else {
        LOG.info("client.rack discovery: {} -> nothing ({})", step.name(), outcome.detail());
      }
    }
    LOG.warn("client.rack discovery: no source gave a rack, client.rack stays unset and the consumer fetches "
        + "from partition leaders (cross-zone). Set client.rack, the environment variable, the rack file, or "
        + "give the pod NODE_NAME and read access to its Node");
    return new RackDiscoveryResult(null, "none", outcomes);
  }

  private static StepOutcome attempt(RackDiscoveryStep step) {
    try {
      Optional<String> rack = step.lookup().map(String::trim).filter(r -> !r.isEmpty());
      return rack.map(r -> new StepOutcome(step.name(), StepOutcome.Kind.FOUND, r, "found"))
          .orElseGet(() -> new StepOutcome(step.name(), StepOutcome.Kind.NOT_APPLICABLE, null, "not set"));
    } catch (NotApplicable e) {
      return new StepOutcome(step.name(), StepOutcome.Kind.NOT_APPLICABLE, null, e.getMessage());
    } catch (RackLookupException e) {
      return new StepOutcome(step.name(), StepOutcome.Kind.FAILED, null, e.getMessage());
    } catch (RuntimeException e) {
      return new StepOutcome(step.name(), StepOutcome.Kind.FAILED, null, "unexpected " + e);
    }
  }

  /** Thrown by a step to say why it does not apply here (not a failure). */
  static final class NotApplicable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotApplicable(String reason) {
      super(reason, null, false, false);
    }
  }
}
