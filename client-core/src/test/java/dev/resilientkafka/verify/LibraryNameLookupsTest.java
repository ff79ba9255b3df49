package dev.resilientkafka.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library's own name lookups must never keep a stale address alive: a lookup of a name whose JVM
 * cache entry expired refreshes it for the JVM's whole TTL, so periodic lookups of unchanged pod names
 * would pin the old address after the pod moves, where an entry nobody touched would have expired. An
 * application bootstrapped from the headless Service runs in a child JVM on JDK 25 with a 10 s name cache
 * it configured itself (the library leaves it alone) and a JDK name-resolver provider (JDK 18+) that prints
 * every lookup reaching it (every cache miss); with connections stable and DNS unchanged, none of the
 * pods' names may be looked up again for three cache periods.
 */
class LibraryNameLookupsTest {
  private static final Path JDK25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin");
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static LocalKafkaCluster cluster;

  @TempDir
  static Path provider;

  @BeforeAll
  static void startCluster() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(JDK25.resolve("java")), "no JDK 25 at " + JDK25 + " on this machine");
    cluster = LocalKafkaCluster.start();
    cluster.createTopic("lookups", 3, 3);
    compileCountingResolver();
  }

  @AfterAll
  static void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The resolver provider, compiled with JDK 25 (this project compiles for 17, without the SPI). */
  private static void compileCountingResolver() throws Exception {
    Path source = provider.resolve("CountingResolverProvider.java");
    // with jdk.net.hosts.file set the JDK never asks a provider, so the provider reads the testkit's hosts file
    // itself (named by counting.hosts.file) and prints every lookup that reaches it: every cache miss
    Files.writeString(source, """
        import java.net.InetAddress;
        import java.net.UnknownHostException;
        import java.net.spi.InetAddressResolver;
        import java.net.spi.InetAddressResolverProvider;
        import java.nio.file.Files;
        import java.nio.file.Path;
        import java.util.ArrayList;
        import java.util.List;
        import java.util.stream.Stream;

        public final class CountingResolverProvider extends InetAddressResolverProvider {
          @Override
          public InetAddressResolver get(Configuration configuration) {
            InetAddressResolver builtin = configuration.builtinResolver();
            Path hosts = Path.of(System.getProperty("counting.hosts.file"));
            return new InetAddressResolver() {
              @Override
              public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                System.out.println("LOOKUP " + host + " " + System.currentTimeMillis());
                List<InetAddress> found = new ArrayList<>();
                try {
                  for (String line : Files.readAllLines(hosts)) {
                    String[] parts = line.trim().split("\\\\s+");
                    for (int i = 1; i < parts.length; i++) {
                      if (parts[i].equalsIgnoreCase(host)) {
                        found.add(InetAddress.getByAddress(host, InetAddress.getByName(parts[0]).getAddress()));
                      }
                    }
                  }
                } catch (java.io.IOException e) {
                  throw new UnknownHostException(host + ": " + e);
                }
                return found.isEmpty() ? builtin.lookupByName(host, policy) : found.stream();
              }

              @Override
              public String lookupByAddress(byte[] address) throws UnknownHostException {
                return builtin.lookupByAddress(address);
              }
            };
          }

          @Override
          public String name() {
            return "counting";
          }
        }
        """, StandardCharsets.UTF_8);
    Path services = provider.resolve("META-INF/services/java.net.spi.InetAddressResolverProvider");
    Files.createDirectories(services.getParent());
    Files.writeString(services, "CountingResolverProvider\n", StandardCharsets.UTF_8);
    Process javac = new ProcessBuilder(JDK25.resolve("javac").toString(), "-d", provider.toString(), source.toString())
        .inheritIO().start();
    assertThat(javac.waitFor(60, TimeUnit.SECONDS) && javac.exitValue() == 0).as("javac of the provider").isTrue();
  }

  @Test
  void podNamesAreNotLookedUpAgainWhileNothingChanges() throws Exception {
    String dns = cluster.dnsAddress().getHostString() + ":" + cluster.dnsAddress().getPort();
    List<String> options = List.of("-Dcounting.hosts.file=" + System.getProperty("jdk.net.hosts.file"),
        "-Dsun.net.inetaddr.ttl=10");
    String classpath = provider + java.io.File.pathSeparator + System.getProperty("java.class.path");
    try (ChildJvm app = ChildJvm.start("service-app", JDK25.resolve("java").toString(),
        List.of(options.get(0), options.get(1), "-cp", classpath), RotationClient.class, "resilient-service",
        "unused", "lookups", cluster.serviceFqdn(), dns)) {
      await("producing").atMost(WAIT).until(() -> app.linesStartingWith("ACK ").size() > 100);
      long steadyFrom = System.currentTimeMillis();
      await("three name-cache periods").atMost(WAIT).pollInterval(Duration.ofSeconds(1))
          .until(() -> System.currentTimeMillis() - steadyFrom > 31_000);
      List<String> podLookups = app.linesStartingWith("LOOKUP ").stream()
          .filter(l -> l.contains("." + cluster.serviceFqdn()))
          .filter(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1)) > steadyFrom)
          .toList();
      System.out.printf("LOOKUPS in 31 s of steady producing and consuming with a 10 s JVM name cache: %d of pod "
          + "names (%s); %d lookups in all since start%n", podLookups.size(), podLookups,
          app.linesStartingWith("LOOKUP ").size());
      assertThat(app.linesStartingWith("LOOKUP ")).as("the provider sees lookups (the test would prove nothing else)")
          .isNotEmpty();
      assertThat(podLookups).as("pod names looked up while nothing changed").isEmpty();
    }
  }
}
