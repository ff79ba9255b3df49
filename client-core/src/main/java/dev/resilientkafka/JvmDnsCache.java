package dev.resilientkafka;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.security.Security;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JVM's own cache of resolved names, which can pin a Kafka broker to an address its pod no longer
 * has. The JVM reads its cache policy ({@code networkaddress.cache.ttl}, else {@code
 * sun.net.inetaddr.ttl}, else 30 s) once, at its first name lookup; setting it later changes nothing.
 *
 * <p>Call {@link #limitTo(Duration)} first thing in {@code main}, before anything resolves a name, or
 * set {@code -Dsun.net.inetaddr.ttl=<seconds>} on the command line (or {@code
 * networkaddress.cache.ttl} in {@code java.security}). The bootstrap resolver also warns at run time
 * when the JVM keeps an address DNS no longer serves. Thread-safe; static only.
 */
public final class JvmDnsCache {
  private static final Logger LOG = LoggerFactory.getLogger(JvmDnsCache.class);
  private static final String SECURITY_PROPERTY = "networkaddress.cache.ttl";
  private static final String SYSTEM_PROPERTY = "sun.net.inetaddr.ttl";
  private static final String NEGATIVE_SECURITY_PROPERTY = "networkaddress.cache.negative.ttl";
  private static final String NEGATIVE_SYSTEM_PROPERTY = "sun.net.inetaddr.negative.ttl";
  /** java.security's value: a pod rescheduled for a moment (no DNS record) stays "unknown" that long. */
  private static final long JVM_DEFAULT_NEGATIVE_SECONDS = 10;
  private static final Duration JVM_DEFAULT = Duration.ofSeconds(30);
  /** What the JVM had fixed when {@link #limitTo} came too late, in seconds; null when unknown. */
  private static volatile @Nullable Long pinnedSeconds;

  /** The name cache TTL the library sets when the JVM runs with the JDK's default (30 s). */
  static final Duration GUARD_TTL = Duration.ofSeconds(5);
  /**
   * System property that turns the library's guard off: {@code -Dresilientkafka.jvm.dns.guard=false}
   * leaves the JVM's name cache exactly as configured.
   */
  public static final String GUARD_PROPERTY = "resilientkafka.jvm.dns.guard";
  private static final AtomicBoolean GUARDED = new AtomicBoolean();

  private JvmDnsCache() {}

  /**
   * Called by every resilient-kafka client class when it is first used: when nobody configured the JVM's
   * name cache ({@code networkaddress.cache.ttl}, {@code sun.net.inetaddr.ttl}), limits it to {@link
   * #GUARD_TTL} (and the negative cache too), so a broker that moved to a new address is found within
   * seconds instead of after the JDK's 30 s; logs what it did at INFO, once. A configured value is left
   * alone. When the JVM had already fixed its cache policy, says so once at WARN with the command-line
   * fix. Turned off by {@value #GUARD_PROPERTY}{@code =false}. Idempotent; thread-safe.
   *
   * @return the effect, for tests: "set", "configured", "disabled", "too late" or "done before"
   */
  public static String guardDefault() {
    if (!GUARDED.compareAndSet(false, true)) {
      return "done before";
    }
    if ("false".equalsIgnoreCase(System.getProperty(GUARD_PROPERTY, "").strip())) {
      LOG.debug("-D{}=false: the JVM's name cache is left as configured", GUARD_PROPERTY);
      return "disabled";
    }
    if (Security.getProperty(SECURITY_PROPERTY) != null || System.getProperty(SYSTEM_PROPERTY) != null) {
      LOG.debug("the JVM's name cache TTL is configured ({}); left alone", describe(configuredSeconds()));
      return "configured";
    }
    Optional<Boolean> fixed = cachePolicyFixed();
    if (fixed.orElse(false)) {
      pinnedSeconds = JVM_DEFAULT.getSeconds();
      LOG.warn("this JVM resolved a name before resilient-kafka was loaded and keeps resolved names for the JDK"
          + " default of 30 s, so a broker moved to a new address stays unreachable for up to 30 s. Start the JVM"
          + " with -Dsun.net.inetaddr.ttl={} or call JvmDnsCache.limitTo(Duration.ofSeconds({})) first thing in main()",
          GUARD_TTL.getSeconds(), GUARD_TTL.getSeconds());
      return "too late";
    }
    Security.setProperty(SECURITY_PROPERTY, Long.toString(GUARD_TTL.getSeconds()));
    long negative = configuredSeconds(NEGATIVE_SECURITY_PROPERTY, NEGATIVE_SYSTEM_PROPERTY, JVM_DEFAULT_NEGATIVE_SECONDS);
    if (negative < 0 || negative > GUARD_TTL.getSeconds()) {
      Security.setProperty(NEGATIVE_SECURITY_PROPERTY, Long.toString(GUARD_TTL.getSeconds()));
    }
    LOG.info("set the JVM's name cache to {} s (networkaddress.cache.ttl; JDK default 30 s) so that brokers that"
        + " move to new addresses are found within seconds{}; opt out with -D{}=false", GUARD_TTL.getSeconds(),
        fixed.isEmpty() ? " (this JDK cannot tell whether a name was resolved earlier; if one was, the JDK default"
            + " stays in force and a stale address is reported when seen)" : "", GUARD_PROPERTY);
    return "set";
  }

  /**
   * Sets how long the JVM caches a resolved name ({@code networkaddress.cache.ttl}), and caps how long it
   * caches a failed lookup ({@code networkaddress.cache.negative.ttl}, 10 s in java.security) at the
   * same value: while a pod is rescheduled its name briefly has no record, and a client that looked it up
   * then must not keep "unknown host" once the pod is back.
   *
   * @param ttl whole seconds, at least 0 (0: no caching); 1 to 5 s suits Kubernetes (CoreDNS answers
   *     with TTL 5 s)
   * @return true when it takes effect (or that could not be checked on this JVM); false when the JVM
   *     had already fixed its cache policy, which is then logged as a WARN with the command-line fix
   * @throws IllegalArgumentException if {@code ttl} is negative or not whole seconds
   */
  public static synchronized boolean limitTo(Duration ttl) {
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.getNano() != 0) {
      throw new IllegalArgumentException("Invalid value " + ttl + " for ttl: must be whole seconds >= 0, e.g. PT5S");
    }
    Optional<Boolean> fixed = cachePolicyFixed();
    long before = configuredSeconds();
    Security.setProperty(SECURITY_PROPERTY, Long.toString(ttl.getSeconds()));
    long negative = configuredSeconds(NEGATIVE_SECURITY_PROPERTY, NEGATIVE_SYSTEM_PROPERTY, JVM_DEFAULT_NEGATIVE_SECONDS);
    if (negative < 0 || negative > ttl.getSeconds()) {
      Security.setProperty(NEGATIVE_SECURITY_PROPERTY, Long.toString(ttl.getSeconds()));
    }
    if (fixed.orElse(false)) {
      pinnedSeconds = before;
      LOG.warn(
          "JvmDnsCache.limitTo({}) came too late: this JVM already resolved a name and keeps its cache TTL of {}."
              + " Call it first thing in main(), or start the JVM with -Dsun.net.inetaddr.ttl={}",
          ttl, describe(before), ttl.getSeconds());
      return false;
    }
    return true;
  }

  /**
   * The cache TTL this JVM most likely uses for resolved names: what {@link #limitTo} found pinned when
   * it came too late, else the configured properties. Empty means "forever" ({@code -1}).
   */
  public static Optional<Duration> effectiveTtl() {
    Long pinned = pinnedSeconds;
    long seconds = pinned != null ? pinned : configuredSeconds();
    return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
  }

  /** The configured value in seconds, as the JVM would read it now; -1 is forever. */
  private static long configuredSeconds() {
    return configuredSeconds(SECURITY_PROPERTY, SYSTEM_PROPERTY, JVM_DEFAULT.getSeconds());
  }

  /** The security property wins over the system property, as in the JVM's own cache policy. */
  private static long configuredSeconds(String securityProperty, String systemProperty, long jvmDefault) {
    for (String value : new String[] {Security.getProperty(securityProperty), System.getProperty(systemProperty)}) {
      if (value != null) {
        try {
          return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
          // the JVM ignores an unparsable value too
        }
      }
    }
    return jvmDefault;
  }

  private static String describe(long seconds) {
    return seconds < 0 ? "forever" : seconds + " s";
  }

  /**
   * Whether the JVM's cache policy class is initialized (the policy read and fixed). Uses
   * {@code sun.misc.Unsafe#shouldBeInitialized} where it exists (JDK 17 to 21); empty elsewhere.
   */
  static Optional<Boolean> cachePolicyFixed() {
    try {
      Class<?> policy = Class.forName("sun.net.InetAddressCachePolicy", false, null);
      Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
      Field field = unsafeClass.getDeclaredField("theUnsafe");
      field.setAccessible(true);
      Object unsafe = field.get(null);
      Method shouldBeInitialized = unsafeClass.getMethod("shouldBeInitialized", Class.class);
      return Optional.of(!(Boolean) shouldBeInitialized.invoke(unsafe, policy));
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      LOG.debug("cannot tell whether the JVM's DNS cache policy is fixed", e);
      return Optional.empty();
    }
  }
}
