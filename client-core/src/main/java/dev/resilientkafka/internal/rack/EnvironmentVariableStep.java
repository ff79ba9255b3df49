package dev.resilientkafka.internal.rack;

import java.util.Optional;

/** The rack from an environment variable (e.g. set from a ConfigMap or by the deployment tool). */
final class EnvironmentVariableStep implements RackDiscoveryStep {
  private final RackDiscoveryEnvironment environment;

  EnvironmentVariableStep(RackDiscoveryEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public String name() {
    return "environment variable " + environment.rackVariable();
  }

  @Override
  public Optional<String> lookup() {
    String value = environment.variable(environment.rackVariable());
    if (value == null || value.isBlank()) {
      throw new RackDiscoveryChain.NotApplicable(environment.rackVariable() + " is not set");
    }
    return Optional.of(value.trim());
  }
}
