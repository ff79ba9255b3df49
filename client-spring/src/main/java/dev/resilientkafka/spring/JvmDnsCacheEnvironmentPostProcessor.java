package dev.resilientkafka.spring;

import dev.resilientkafka.JvmDnsCache;
import java.security.Security;
import java.time.Duration;
import java.util.Optional;
import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Limits the JVM's DNS cache ({@link JvmDnsCache#limitTo}) to {@code resilient.kafka.jvm-dns-cache-ttl}
 * (default 5 s) as soon as the application's configuration is loaded, before any Kafka client resolves a
 * broker name, unless the JVM was given a TTL ({@code -Dsun.net.inetaddr.ttl} or the security property
 * {@code networkaddress.cache.ttl}). When something in the JVM already resolved a name, the JVM keeps its
 * TTL and {@link JvmDnsCache} logs a WARN with the command-line fix. Its one INFO line goes through Boot's
 * {@link DeferredLogFactory}: environment post-processors run before the logging system is set up, and
 * Boot replays deferred lines once it is, so the line is printed with the application's logging
 * configuration instead of being lost. Registered in {@code META-INF/spring.factories}; stateless.
 */
public final class JvmDnsCacheEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {
  static final String PROPERTY = ResilientKafkaProperties.PREFIX + ".jvm-dns-cache-ttl";
  static final Duration DEFAULT_TTL = Duration.ofSeconds(5);

  private final Log log;

  /**
   * @param logFactory Boot's factory of logs that are written once logging is set up
   */
  public JvmDnsCacheEnvironmentPostProcessor(DeferredLogFactory logFactory) {
    this.log = logFactory.getLog(JvmDnsCacheEnvironmentPostProcessor.class);
  }

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
    String systemProperty = System.getProperty("sun.net.inetaddr.ttl");
    String securityProperty = Security.getProperty("networkaddress.cache.ttl");
    Optional<Duration> ttl = ttlToApply(systemProperty, securityProperty, Binder.get(environment));
    if (ttl.isEmpty()) {
      if (systemProperty != null || securityProperty != null) {
        log.info("JVM DNS cache TTL left as the JVM was given it (sun.net.inetaddr.ttl=" + systemProperty
            + ", networkaddress.cache.ttl=" + securityProperty + "); " + PROPERTY + " is not applied");
      }
      return;
    }
    if (JvmDnsCache.limitTo(ttl.get())) {
      log.info("JVM DNS cache limited to " + ttl.get().toSeconds() + " s (" + PROPERTY + ")");
    }
  }

  /**
   * The TTL to set, or empty when the JVM was given one (either property) or the configured value is not
   * whole non-negative seconds (binding the properties reports that later).
   */
  static Optional<Duration> ttlToApply(@Nullable String systemProperty, @Nullable String securityProperty, Binder binder) {
    if (systemProperty != null || securityProperty != null) {
      return Optional.empty();
    }
    Duration ttl;
    try {
      ttl = binder.bind(PROPERTY, Duration.class).orElse(DEFAULT_TTL);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
    return ttl.isNegative() || ttl.getNano() != 0 ? Optional.empty() : Optional.of(ttl);
  }

  /** After the configuration files are loaded. */
  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
