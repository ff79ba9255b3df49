package dev.resilientkafka.internal.rack;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * The zone from GCP's metadata server; it answers {@code projects/<n>/zones/<zone>}, of which the last
 * segment is the zone GKE puts in {@code topology.kubernetes.io/zone}.
 */
final class GcpMetadataStep implements RackDiscoveryStep {
  private final RackDiscoveryEnvironment environment;

  GcpMetadataStep(RackDiscoveryEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public String name() {
    return "GCP instance metadata " + environment.gcpMetadata();
  }

  @Override
  public boolean probe() {
    return true;
  }

  @Override
  public Optional<URI> endpoint() {
    return Optional.of(environment.gcpMetadata());
  }

  @Override
  public Optional<String> lookup() throws RackLookupException {
    URI uri = URI.create(environment.gcpMetadata() + "/computeMetadata/v1/instance/zone");
    RackHttpClient.Response response = new RackHttpClient(environment.metadataTimeout(), null)
        .send("GET", uri, Map.of("Metadata-Flavor", "Google"));
    if (response.status() != 200) {
      throw new RackLookupException("HTTP " + response.status() + " from " + uri);
    }
    String body = response.body().trim();
    if (body.isEmpty()) {
      throw new RackLookupException("empty zone from " + uri);
    }
    return Optional.of(body.substring(body.lastIndexOf('/') + 1));
  }
}
