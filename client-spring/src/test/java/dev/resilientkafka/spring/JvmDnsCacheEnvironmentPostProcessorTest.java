package dev.resilientkafka.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.commons.logging.impl.SimpleLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.boot.logging.DeferredLogs;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.StandardEnvironment;

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

  @Test
  @ExtendWith(OutputCaptureExtension.class)
  void itsLineIsHeldBackUntilBootHasSetUpLogging(CapturedOutput output) {
    // where the line ends once replayed: a log printing every level (no logging system is set up in this test)
    SimpleLog destination = new SimpleLog("jvm-dns-cache");
    destination.setLevel(SimpleLog.LOG_LEVEL_ALL);
    DeferredLogs logs = new DeferredLogs();
    DeferredLogFactory factory = ignored -> logs.getLog(destination);
    new JvmDnsCacheEnvironmentPostProcessor(factory).postProcessEnvironment(new StandardEnvironment(), new SpringApplication());
    assertThat(output.getAll()).doesNotContain("JVM DNS cache");

    logs.switchOverAll();

    // this JVM was given -Dsun.net.inetaddr.ttl=1: the line says the TTL is left as given
    assertThat(output.getAll()).contains("JVM DNS cache TTL left as the JVM was given it (sun.net.inetaddr.ttl=1");
  }

  @Test
  @ExtendWith(OutputCaptureExtension.class)
  void aBootApplicationPrintsTheLineOnceWithItsLoggingSetUp(CapturedOutput output) {
    try (var context = new SpringApplicationBuilder(Object.class).web(WebApplicationType.NONE)
        .properties("spring.main.banner-mode=off").run()) {
      assertThat(context.isActive()).isTrue();
    }
    List<String> lines = output.getAll().lines().filter(l -> l.contains("JVM DNS cache TTL left as the JVM was given it")).toList();
    assertThat(lines).hasSize(1);
    // written by Boot's logging system (its console format names the logger), not before it was set up
    assertThat(lines.get(0)).contains("INFO", "JvmDnsCacheEnvironmentPostProcessor");
  }
}
