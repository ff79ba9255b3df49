package dev.resilientkafka.internal.rack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Optional;

/**
 * The rack from a file: either the rack alone (written by an init container) or a Downward API labels
 * file ({@code key="value"} per line), from which the configured node label's line is taken.
 */
final class RackFileStep implements RackDiscoveryStep {
  private final RackDiscoveryEnvironment environment;

  RackFileStep(RackDiscoveryEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public String name() {
    return "file " + environment.rackFile();
  }

  @Override
  public Optional<String> lookup() throws RackLookupException {
    if (!Files.exists(environment.rackFile())) {
      throw new RackDiscoveryChain.NotApplicable("no such file");
    }
    String content;
    try {
      content = Files.readString(environment.rackFile(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new RackLookupException("cannot read " + environment.rackFile() + ": " + e, e);
    }
    if (content.isEmpty()) {
      throw new RackLookupException(environment.rackFile() + " is empty; expected the rack (e.g. zone-b) "
          + "or Downward API labels with " + environment.nodeLabel());
    }
    if (!content.contains("=")) {
      if (content.contains("\n")) {
        throw new RackLookupException(environment.rackFile() + " has several lines but no key=\"value\" "
            + "labels; expected the rack alone on one line");
      }
      return Optional.of(content);
    }
    String prefix = environment.nodeLabel() + "=";
    for (String line : content.split("\\R")) {
      String trimmed = line.trim();
      if (trimmed.startsWith(prefix)) {
        String value = trimmed.substring(prefix.length());
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
          value = value.substring(1, value.length() - 1);
        }
        return Optional.of(value);
      }
    }
    throw new RackLookupException(environment.rackFile() + " is a labels file without "
        + environment.nodeLabel() + "; set " + RackDiscoveryEnvironment.NODE_LABEL + " or write that label");
  }
}
