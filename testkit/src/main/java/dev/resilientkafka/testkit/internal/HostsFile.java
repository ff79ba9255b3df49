package dev.resilientkafka.testkit.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The JVM-wide projection of every live testkit DNS server's records into the file named by
 * {@code -Djdk.net.hosts.file}, so that this JVM, the broker JVMs and the DNS server agree on every name.
 *
 * <p>The JDK reads that file on each lookup that misses its own cache, and reads the property once, at
 * the first lookup: a JVM has to be started with it. The file starts as a copy of {@code /etc/hosts}
 * (so {@code localhost} and the machine's own name keep resolving) followed by the clusters' entries.
 * Each write replaces the file atomically, so a reader never sees half a file.
 *
 * <p>Thread-safe.
 */
public final class HostsFile {
  /** System property naming the hosts file the JDK resolves from. */
  public static final String PROPERTY = "jdk.net.hosts.file";

  private static final HostsFile SHARED = new HostsFile();

  private final Map<Object, Supplier<Map<String, List<InetAddress>>>> sources = new LinkedHashMap<>();

  private HostsFile() {}

  /** The one instance of this JVM. */
  public static HostsFile shared() {
    return SHARED;
  }

  /** The hosts file this JVM resolves from, or null when it was not started with {@value #PROPERTY}. */
  public static @Nullable Path configuredPath() {
    String path = System.getProperty(PROPERTY);
    return path == null || path.isBlank() ? null : Path.of(path).toAbsolutePath();
  }

  /**
   * Fails with the fix when this JVM does not resolve from a hosts file: the names of a testkit cluster
   * would then not resolve here at all.
   */
  public static Path requireConfiguredPath() {
    Path path = configuredPath();
    if (path == null) {
      throw new IllegalStateException(
          "LocalKafkaCluster needs this JVM started with -D"
              + PROPERTY
              + "=<writable file> (for example target/testkit/hosts): the pod names it serves resolve through"
              + " that file in this JVM and in the broker JVMs. Maven builds of this project set it in the"
              + " surefire argLine; the examples' launcher sets it too.");
    }
    return path;
  }

  /** Writes the base file if it is missing, before anything in this JVM resolves a name. */
  public synchronized void ensureExists() {
    Path path = configuredPath();
    if (path != null && !Files.exists(path)) {
      write(path);
    }
  }

  /** Adds a source of entries (a cluster's DNS server) and rewrites the file. */
  public synchronized void register(Object owner, Supplier<Map<String, List<InetAddress>>> entries) {
    sources.put(owner, entries);
    write(requireConfiguredPath());
  }

  /** Removes a source and rewrites the file. */
  public synchronized void unregister(Object owner) {
    if (sources.remove(owner) != null) {
      Path path = configuredPath();
      if (path != null) {
        write(path);
      }
    }
  }

  /** Rewrites the file from the current entries of every source. */
  public synchronized void refresh() {
    Path path = configuredPath();
    if (path != null) {
      write(path);
    }
  }

  private void write(Path path) {
    StringBuilder text = new StringBuilder(baseContent());
    text.append("\n# resilient-kafka testkit: pod and service names of the live local clusters\n");
    for (Supplier<Map<String, List<InetAddress>>> source : sources.values()) {
      for (Map.Entry<String, List<InetAddress>> entry : source.get().entrySet()) {
        for (InetAddress address : entry.getValue()) {
          text.append(address.getHostAddress()).append(' ').append(entry.getKey()).append('\n');
        }
      }
    }
    try {
      Files.createDirectories(path.getParent());
      Path tmp = path.resolveSibling(path.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the testkit hosts file " + path, e);
    }
  }

  private static String baseContent() {
    Path etcHosts = Path.of("/etc/hosts");
    try {
      if (Files.isReadable(etcHosts)) {
        return Files.readString(etcHosts, StandardCharsets.UTF_8);
      }
    } catch (IOException ignored) {
      // fall back to the minimum below
    }
    return "127.0.0.1 localhost\n::1 localhost\n";
  }
}
