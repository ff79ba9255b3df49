package dev.resilientkafka.internal.rack;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * The zone from Azure IMDS ({@code /metadata/instance/compute}). Azure's zone alone is a digit ("1"); AKS
 * labels nodes {@code <location>-<zone>} (e.g. {@code eastus2-1}), which is what brokers' {@code broker.rack}
 * usually carries, so this step answers in that form.
 */
final class AzureMetadataStep implements RackDiscoveryStep {
  private final RackDiscoveryEnvironment environment;

  AzureMetadataStep(RackDiscoveryEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public String name() {
    return "Azure instance metadata " + environment.azureMetadata();
  }

  @Override
  public Optional<String> lookup() throws RackLookupException {
    URI uri = URI.create(environment.azureMetadata() + "/metadata/instance/compute?api-version=2021-02-01");
    RackHttpClient.Response response = new RackHttpClient(environment.metadataTimeout(), null)
        .send("GET", uri, Map.of("Metadata", "true"));
    if (response.status() != 200) {
      throw new RackLookupException("HTTP " + response.status() + " from " + uri);
    }
    Object document;
    try {
      document = JsonReader.parse(response.body());
    } catch (IllegalArgumentException e) {
      throw new RackLookupException("Azure IMDS answer is not JSON (" + e.getMessage() + ")", e);
    }
    String zone = JsonReader.stringAt(document, "zone");
    String location = JsonReader.stringAt(document, "location");
    if (zone == null || zone.isBlank()) {
      throw new RackDiscoveryChain.NotApplicable("this Azure VM is in no availability zone");
    }
    return Optional.of(location == null || location.isBlank() ? zone : location + "-" + zone);
  }
}
