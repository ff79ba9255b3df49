package dev.resilientkafka.testkit.internal.dns;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/** Checks the names Kubernetes puts into DNS: RFC 1123 labels and the cluster domain. */
public final class DnsLabels {
  /** Kubernetes object names are lower-case RFC 1123 labels; DNS compares case-insensitively anyway. */
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  private DnsLabels() {}

  /**
   * Returns {@code value} when it is a lower-case RFC 1123 label, as Kubernetes requires of namespace,
   * service, pod host and port names.
   *
   * @throws IllegalArgumentException naming {@code argument} otherwise
   * @throws NullPointerException if {@code value} is null
   */
  public static String requireLabel(String value, String argument) {
    Objects.requireNonNull(value, argument);
    if (!LABEL.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "Invalid value '"
              + value
              + "' for "
              + argument
              + ": must be a DNS label of 1 to 63 lower-case letters, digits and '-', starting and ending"
              + " with a letter or digit");
    }
    return value;
  }

  /**
   * Returns the cluster domain lower-cased and without a trailing dot, e.g. {@code cluster.local}.
   *
   * @throws IllegalArgumentException when any of its labels is not an RFC 1123 label
   */
  public static String requireDomain(String domain, String argument) {
    Objects.requireNonNull(domain, argument);
    if (domain.isBlank()) {
      throw new IllegalArgumentException(argument + " must not be blank, e.g. cluster.local");
    }
    String normalized = domain.toLowerCase(Locale.ROOT);
    if (normalized.endsWith(".")) {
      normalized = normalized.substring(0, normalized.length() - 1);
    }
    for (String label : normalized.split("\\.", -1)) {
      if (!LABEL.matcher(label).matches()) {
        throw new IllegalArgumentException(
            "Invalid value '" + domain + "' for " + argument + ": must be dot-separated DNS labels, e.g. cluster.local");
      }
    }
    return normalized;
  }
}
