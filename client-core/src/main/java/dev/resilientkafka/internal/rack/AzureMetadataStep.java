package dev.resilientkafka.internal.rack;

import java.io.IOException;
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
  public boolean probe() {
    return true;
  }

  @Override
  public Optional<URI> endpoint() {
    return Optional.of(environment.azureMetadata());
  }

  @Override
  public Optional<String> lookup() throws RackLookupException {
    URI uri = URI.create(environment.azureMetadata() + "/metadata/instance/compute?api-version=2021-02-01");
    RackHttpClient.Response response = new RackHttpClient(environment.metadataTimeout(), null)
        .send("GET", uri, Map.of("Metadata", "true"));
    if (response.status() != 200) {
      throw new RackLookupException("HTTP " + response.status() + " from " + uri);
    }
    JsonDocument document;
    try {
      document = JsonDocument.parse(response.body());
    } catch (IOException e) {
      throw new RackLookupException("Azure IMDS answer is not JSON (" + RackHttpClient.snippet(e.getMessage()) + ")", e);
    }
    String zone = document.string("zone");
    String location = document.string("location");
    if (zone == null || zone.isBlank()) {
      throw new RackDiscoveryChain.NotApplicable("this Azure VM is in no availability zone");
    }
    return Optional.of(location == null || location.isBlank() ? zone : location + "-" + zone);
  }
}
