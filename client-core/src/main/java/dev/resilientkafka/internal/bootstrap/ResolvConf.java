package dev.resilientkafka.internal.bootstrap;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.xbill.DNS.Name;
import org.xbill.DNS.config.ResolvConfResolverConfigProvider;

/**
 * A {@code resolv.conf} as the resolver needs it. dnsjava's parser reads it (name servers on port 53,
 * IPv6 ones included; the search list, {@code domain} and {@code search} with the last one winning;
 * {@code options ndots:n}; the {@code LOCALDOMAIN} and {@code RES_OPTIONS} environment variables, as
 * glibc does); this class adds only what dnsjava cannot: reading any file (the system one is fixed in
 * dnsjava), and the pod's namespace and cluster domain, which follow from the first search entry
 * Kubernetes writes ({@code <ns>.svc.<domain>}). A missing file gives an empty configuration.
 *
 * @param nameservers the {@code nameserver} lines, port 53
 * @param search the search list, lower-case, without trailing dots
 * @param ndots the {@code ndots} option (1 when absent, as glibc)
 */
public record ResolvConf(List<InetSocketAddress> nameservers, List<String> search, int ndots) {
  public static final Path SYSTEM = Path.of("/etc/resolv.conf");

  public ResolvConf {
    nameservers = List.copyOf(nameservers);
    search = List.copyOf(search);
  }

  /**
   * Reads {@code file}; an absent file is an empty configuration.
   *
   * @throws UncheckedIOException when the file exists but cannot be read
   * @throws IllegalArgumentException when a line cannot be parsed (a {@code nameserver} without address)
   */
  public static ResolvConf read(Path file) {
    FileParser parser = new FileParser();
    try (InputStream in = Files.newInputStream(file)) {
      parser.parse(in);
    } catch (NoSuchFileException e) {
      return new ResolvConf(List.of(), List.of(), 1);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    } catch (NoSuchElementException e) {
      throw new IllegalArgumentException(file + " has a nameserver line without an address", e);
    }
    List<String> search = parser.searchPaths().stream().map(ResolvConf::text).toList();
    return new ResolvConf(parser.servers(), search, parser.ndots());
  }

  /** The namespace of the first {@code <ns>.svc.<domain>} search entry. */
  public Optional<String> namespace() {
    return search.stream()
        .filter(s -> s.matches("[a-z0-9-]+\\.svc\\..+"))
        .findFirst()
        .map(s -> s.substring(0, s.indexOf('.')));
  }

  /** The cluster domain: what follows {@code svc.} in the first search entry that has it. */
  public Optional<String> clusterDomain() {
    for (String s : search) {
      int at = s.startsWith("svc.") ? 0 : s.indexOf(".svc.") + 1;
      if (at >= 0 && s.startsWith("svc.", at) && s.length() > at + 4) {
        return Optional.of(s.substring(at + 4));
      }
    }
    return Optional.empty();
  }

  private static String text(Name name) {
    String text = name.toString(true).toLowerCase(Locale.ROOT);
    return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
  }

  /** dnsjava's parser, opened up to read a file other than the system one. */
  private static final class FileParser extends ResolvConfResolverConfigProvider {
    void parse(InputStream in) throws IOException {
      parseResolvConf(in);
    }
  }
}
