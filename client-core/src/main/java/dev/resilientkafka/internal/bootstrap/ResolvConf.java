package dev.resilientkafka.internal.bootstrap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The parts of a {@code resolv.conf} the resolver needs: the name servers (port 53) and the search
 * list, from which a pod's namespace and cluster domain follow ({@code <ns>.svc.<domain>} is the first
 * search entry Kubernetes writes). A missing file gives an empty configuration.
 */
public record ResolvConf(List<InetSocketAddress> nameservers, List<String> search) {
  public static final Path SYSTEM = Path.of("/etc/resolv.conf");

  public ResolvConf {
    nameservers = List.copyOf(nameservers);
    search = List.copyOf(search);
  }

  /** Reads {@code file}; an absent file is an empty configuration. */
  public static ResolvConf read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (NoSuchFileException e) {
      return new ResolvConf(List.of(), List.of());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    List<InetSocketAddress> servers = new ArrayList<>();
    List<String> search = new ArrayList<>();
    for (String raw : lines) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      String[] words = line.split("\\s+");
      if (words[0].equals("nameserver") && words.length > 1) {
        servers.add(new InetSocketAddress(words[1], 53));
      } else if ((words[0].equals("search") || words[0].equals("domain")) && words.length > 1) {
        search.clear(); // the last search/domain line wins, as in glibc
        for (int i = 1; i < words.length; i++) {
          search.add(stripDot(words[i].toLowerCase(Locale.ROOT)));
        }
      }
    }
    return new ResolvConf(servers, search);
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

  private static String stripDot(String name) {
    return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
  }
}
