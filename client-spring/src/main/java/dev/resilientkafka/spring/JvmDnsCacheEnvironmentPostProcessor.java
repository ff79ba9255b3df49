package dev.resilientkafka.spring;

import dev.resilientkafka.JvmDnsCache;
import java.security.Security;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Limits the JVM's DNS cache ({@link JvmDnsCache#limitTo}) to {@code resilient.kafka.jvm-dns-cache-ttl}
 * (default 5 s) as soon as the application's configuration is loaded, before any Kafka client resolves a
 * broker name, unless the JVM was given a TTL ({@code -Dsun.net.inetaddr.ttl} or the security property
 * {@code networkaddress.cache.ttl}). When something in the JVM already resolved a name, the JVM keeps its
 * TTL and {@link JvmDnsCache} logs a WARN with the command-line fix. Registered in {@code
 * META-INF/spring.factories}; stateless.
 */
public final class JvmDnsCacheEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {
  private static final Logger LOG = LoggerFactory.getLogger(JvmDnsCacheEnvironmentPostProcessor.class);
  static final String PROPERTY = ResilientKafkaProperties.PREFIX + ".jvm-dns-cache-ttl";
  static final Duration DEFAULT_TTL = Duration.ofSeconds(5);

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
    ttlToApply(System.getProperty("sun.net.inetaddr.ttl"), Security.getProperty("networkaddress.cache.ttl"),
        Binder.get(environment)).ifPresent(ttl -> {
          if (JvmDnsCache.limitTo(ttl)) {
            LOG.info("JVM DNS cache limited to {} s ({})", ttl.toSeconds(), PROPERTY);
          }
        });
  }

  /**
   * The TTL to set, or empty when the JVM was given one (either property) or the configured value is not
   * whole non-negative seconds (binding the properties reports that later).
   */
  static Optional<Duration> ttlToApply(@Nullable String systemProperty, @Nullable String securityProperty, Binder binder) {
    if (systemProperty != null || securityProperty != null) {
      LOG.debug("JVM DNS cache TTL left as given (sun.net.inetaddr.ttl={}, networkaddress.cache.ttl={})",
          systemProperty, securityProperty);
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
