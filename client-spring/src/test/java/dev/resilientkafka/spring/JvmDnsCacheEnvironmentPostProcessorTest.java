package dev.resilientkafka.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * When the JVM DNS cache TTL is set at start-up. The decision only: the test JVM already fixed its cache
 * policy ({@code -Dsun.net.inetaddr.ttl=1}), which is exactly the case where nothing must be changed.
 */
class JvmDnsCacheEnvironmentPostProcessorTest {

  private static Binder binder(Map<String, String> properties) {
    return new Binder(new MapConfigurationPropertySource(properties));
  }

  @Test
  void appliesTheDefaultOrTheConfiguredTtlWhenTheJvmWasGivenNone() {
    assertThat(JvmDnsCacheEnvironmentPostProcessor.ttlToApply(null, null, binder(Map.of())))
        .contains(Duration.ofSeconds(5));
    assertThat(JvmDnsCacheEnvironmentPostProcessor.ttlToApply(null, null,
        binder(Map.of("resilient.kafka.jvm-dns-cache-ttl", "2s")))).contains(Duration.ofSeconds(2));
  }

  @Test
  void leavesATtlTheUserGaveTheJvmAlone() {
    Binder configured = binder(Map.of("resilient.kafka.jvm-dns-cache-ttl", "2s"));
    assertThat(JvmDnsCacheEnvironmentPostProcessor.ttlToApply("1", null, configured)).isEmpty();
    assertThat(JvmDnsCacheEnvironmentPostProcessor.ttlToApply(null, "30", configured)).isEmpty();
    // this JVM was started with -Dsun.net.inetaddr.ttl=1 by the build
    assertThat(JvmDnsCacheEnvironmentPostProcessor.ttlToApply(System.getProperty("sun.net.inetaddr.ttl"), null, configured))
        .isEmpty();
  }

  @Test
  void leavesAnInvalidValueToThePropertiesBinding() {
    assertThat(JvmDnsCacheEnvironmentPostProcessor.ttlToApply(null, null,
        binder(Map.of("resilient.kafka.jvm-dns-cache-ttl", "1500ms")))).isEmpty();
  }
}
