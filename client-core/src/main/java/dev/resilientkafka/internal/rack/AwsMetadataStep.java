package dev.resilientkafka.internal.rack;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

/** The availability zone from AWS IMDSv2: a session token by PUT, then {@code placement/availability-zone}. */
final class AwsMetadataStep implements RackDiscoveryStep {
  private final RackDiscoveryEnvironment environment;

  AwsMetadataStep(RackDiscoveryEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public String name() {
    return "AWS instance metadata " + environment.awsMetadata();
  }

  @Override
  public boolean probe() {
    return true;
  }

  @Override
  public Optional<URI> endpoint() {
    return Optional.of(environment.awsMetadata());
  }

  @Override
  public Optional<String> lookup() throws RackLookupException {
    RackHttpClient http = new RackHttpClient(environment.metadataTimeout(), null);
    URI tokenUri = URI.create(environment.awsMetadata() + "/latest/api/token");
    RackHttpClient.Response token = http.send("PUT", tokenUri, Map.of("X-aws-ec2-metadata-token-ttl-seconds", "60"));
    if (token.status() != 200 || token.body().isBlank()) {
      throw new RackLookupException("IMDSv2 token request to " + tokenUri + " answered HTTP " + token.status());
    }
    URI zoneUri = URI.create(environment.awsMetadata() + "/latest/meta-data/placement/availability-zone");
    RackHttpClient.Response zone = http.send("GET", zoneUri, Map.of("X-aws-ec2-metadata-token", token.body().trim()));
    if (zone.status() != 200) {
      throw new RackLookupException("HTTP " + zone.status() + " from " + zoneUri);
    }
    return Optional.of(zone.body().trim());
  }
}
