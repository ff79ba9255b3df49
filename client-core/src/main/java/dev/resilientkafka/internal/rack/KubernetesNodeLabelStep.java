package dev.resilientkafka.internal.rack;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The zone label of the pod's node from the Kubernetes API: {@code GET /api/v1/nodes/$NODE_NAME} with the
 * service-account token, trusting only the service-account CA. Needs RBAC {@code get} on {@code nodes}.
 */
final class KubernetesNodeLabelStep implements RackDiscoveryStep {
  private final RackDiscoveryEnvironment environment;

  KubernetesNodeLabelStep(RackDiscoveryEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public String name() {
    return "Kubernetes node label " + environment.nodeLabel();
  }

  @Override
  public Optional<String> lookup() throws RackLookupException {
    String node = environment.variable(environment.nodeNameVariable());
    if (node == null || node.isBlank()) {
      throw new RackDiscoveryChain.NotApplicable(environment.nodeNameVariable() + " is not set (give the pod "
          + "env " + environment.nodeNameVariable() + " from fieldRef spec.nodeName)");
    }
    String token = readToken();
    SSLContext ssl = trustServiceAccountCa();
    URI uri = URI.create(environment.kubernetesApi() + "/api/v1/nodes/"
        + URLEncoder.encode(node.trim(), StandardCharsets.UTF_8));
    RackHttpClient.Response response = new RackHttpClient(environment.kubernetesTimeout(), ssl)
        .send("GET", uri, Map.of("Authorization", "Bearer " + token, "Accept", "application/json"));
    switch (response.status()) {
      case 200:
        break;
      case 401:
        throw new RackLookupException("401 Unauthorized from " + uri + ": the service-account token at "
            + environment.tokenFile() + " was rejected (expired or not for this cluster)");
      case 403:
        throw new RackLookupException("403 Forbidden from " + uri + ": the service account may not read "
            + "nodes; grant a ClusterRole with get on nodes");
      case 404:
        throw new RackLookupException("404 Not Found: node '" + node + "' does not exist at " + uri);
      default:
        throw new RackLookupException("HTTP " + response.status() + " from " + uri + ": "
            + RackHttpClient.snippet(response.body()));
    }
    JsonDocument document;
    try {
      document = JsonDocument.parse(response.body());
    } catch (IOException e) {
      throw new RackLookupException("the API server's answer for node '" + node + "' is not JSON ("
          + RackHttpClient.snippet(e.getMessage()) + "): " + RackHttpClient.snippet(response.body()), e);
    }
    Map<?, ?> labels = document.objectAt("metadata", "labels");
    if (labels == null) {
      throw new RackLookupException("the answer for node '" + node + "' has no metadata.labels: "
          + RackHttpClient.snippet(response.body()));
    }
    Object zone = labels.get(environment.nodeLabel());
    if (!(zone instanceof String value) || value.isBlank()) {
      throw new RackLookupException("node '" + node + "' has no label " + environment.nodeLabel()
          + " (its labels: " + labels.keySet() + "); set " + RackDiscoveryEnvironment.NODE_LABEL);
    }
    return Optional.of(value);
  }

  private String readToken() throws RackLookupException {
    try {
      String token = Files.readString(environment.tokenFile(), StandardCharsets.UTF_8).trim();
      if (token.isEmpty()) {
        throw new RackLookupException("the service-account token " + environment.tokenFile() + " is empty");
      }
      return token;
    } catch (IOException e) {
      throw new RackLookupException("cannot read the service-account token " + environment.tokenFile()
          + " (automountServiceAccountToken off?): " + e, e);
    }
  }

  private SSLContext trustServiceAccountCa() throws RackLookupException {
    try (InputStream in = Files.newInputStream(environment.caFile())) {
      Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certificates.isEmpty()) {
        throw new RackLookupException("no certificate in the CA file " + environment.caFile());
      }
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (Certificate certificate : certificates) {
        trust.setCertificateEntry("ca-" + i++, certificate);
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (IOException e) {
      throw new RackLookupException("cannot read the CA file " + environment.caFile() + ": " + e, e);
    } catch (GeneralSecurityException e) {
      throw new RackLookupException("the CA file " + environment.caFile() + " holds no usable certificate: " + e, e);
    }
  }
}
