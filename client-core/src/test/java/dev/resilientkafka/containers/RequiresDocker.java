package dev.resilientkafka.containers;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * Runs a test class only where a Docker engine answers; elsewhere JUnit reports it skipped with the
 * reason "no Docker: ..." (surefire shows it as skipped, never as passed). The Docker tier is extra
 * evidence beside the testkit tests, which run everywhere.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresDocker.Condition.class)
public @interface RequiresDocker {
  /** Asks Testcontainers once per JVM whether it can reach a Docker engine. */
  final class Condition implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      boolean available;
      String why;
      try {
        available = DockerClientFactory.instance().isDockerAvailable();
        why = "Testcontainers found no Docker engine (DOCKER_HOST, /var/run/docker.sock, ~/.testcontainers.properties)";
      } catch (RuntimeException e) {
        available = false;
        why = e.toString();
      }
      return available
          ? ConditionEvaluationResult.enabled("Docker is available")
          : ConditionEvaluationResult.disabled("no Docker: " + why);
    }
  }
}
