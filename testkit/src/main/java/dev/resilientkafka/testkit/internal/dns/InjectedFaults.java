package dev.resilientkafka.testkit.internal.dns;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.xbill.DNS.Name;

/**
 * The faults a test asked for: names answered with a fixed rcode, and whether queries go unanswered.
 * Immutable; each change makes a new instance.
 *
 * @param failedNames rcode per failed name; dnsjava names compare case-insensitively
 * @param dropQueries whether no query gets an answer
 */
public record InjectedFaults(Map<Name, Integer> failedNames, boolean dropQueries) {
  private static final InjectedFaults NONE = new InjectedFaults(Map.of(), false);

  public InjectedFaults {
    failedNames = Map.copyOf(failedNames);
  }

  /** No faults. */
  public static InjectedFaults none() {
    return NONE;
  }

  /**
   * These faults plus {@code fqdn} answered with {@code rcode}.
   *
   * @throws IllegalArgumentException if {@code fqdn} is not a DNS name
   */
  public InjectedFaults withFailedName(String fqdn, int rcode) {
    Map<Name, Integer> next = new HashMap<>(failedNames);
    next.put(ZoneNames.absolute(fqdn, "fqdn"), rcode);
    return new InjectedFaults(next, dropQueries);
  }

  /** These faults with dropping switched on or off. */
  public InjectedFaults withDropQueries(boolean drop) {
    return new InjectedFaults(failedNames, drop);
  }

  /** The rcode injected for {@code name}, if any. */
  public Optional<Integer> rcodeFor(Name name) {
    return Optional.ofNullable(failedNames.get(name));
  }
}
