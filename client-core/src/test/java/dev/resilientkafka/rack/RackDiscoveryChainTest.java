package dev.resilientkafka.rack;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.resilientkafka.internal.rack.RackDiscoveryChain;
import dev.resilientkafka.internal.rack.RackDiscoveryEnvironment;
import dev.resilientkafka.internal.rack.RackDiscoveryResult;
import dev.resilientkafka.internal.rack.StepOutcome;
import dev.resilientkafka.internal.rack.StepOutcome.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every step of the client.rack discovery chain against real servers on loopback: an HTTPS Kubernetes API
 * server with a keytool-generated certificate, and HTTP servers speaking the AWS IMDSv2, GCP and Azure
 * metadata protocols. Each failure must name its cause and fall through to the next step.
 */
class RackDiscoveryChainTest {
  private static final String TOKEN = "eyJhbGciOiJSUzI1NiJ9.service-account-token";
  private static Path tls;

  /** A Node as the API server returns it (trimmed of status, which the step never reads). */
  private static final String NODE_JSON = """
      {
        "kind": "Node",
        "apiVersion": "v1",
        "metadata": {
          "name": "node-b-1",
          "uid": "8f1a6c2e-3b0d-4c1e-9c7e-1d2b3c4d5e6f",
          "resourceVersion": "123456",
          "creationTimestamp": "2025-01-07T10:00:00Z",
          "labels": {
            "beta.kubernetes.io/arch": "amd64",
            "kubernetes.io/hostname": "node-b-1",
            "node.kubernetes.io/instance-type": "m5.large",
            "topology.kubernetes.io/region": "eu-west-1",
            "topology.kubernetes.io/zone": "zone-b",
            "custom/rack": "rack-\\u00e9-7"
          },
          "annotations": {"node.alpha.kubernetes.io/ttl": "0"}
        },
        "spec": {"podCIDR": "10.244.1.0/24", "taints": [], "unschedulable": false},
        "status": {"capacity": {"cpu": "2", "memory": "8Gi"}, "allocatable": {"cpu": 1.9}}
      }
      """;

  @TempDir Path dir;
  private final List<HttpServer> servers = new ArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private final List<String> apiRequests = new CopyOnWriteArrayList<>();
  private final Map<String, Object> config = new HashMap<>();
  private final Map<String, String> env = new HashMap<>();

  @BeforeAll
  static void generateCertificate() throws Exception {
    tls = Path.of("target", "rack-tls");
    LoopbackServers.tlsKeyStore(tls);
  }

  @BeforeEach
  void everyStepPointsAtNothing() throws Exception {
    // hermetic: no real file, token, API server or metadata endpoint of this machine is touched
    String closed = LoopbackServers.closedPortUrl();
    config.put(RackDiscoveryEnvironment.RACK_FILE, dir.resolve("no-rack-file").toString());
    config.put(RackDiscoveryEnvironment.TOKEN_FILE, write("token", TOKEN).toString());
    config.put(RackDiscoveryEnvironment.CA_FILE, tls.resolve("ca.crt").toAbsolutePath().toString());
    config.put(RackDiscoveryEnvironment.KUBERNETES_API, closed);
    config.put(RackDiscoveryEnvironment.AWS_URL, closed);
    config.put(RackDiscoveryEnvironment.GCP_URL, closed);
    config.put(RackDiscoveryEnvironment.AZURE_URL, closed);
    // generous, so that a loopback server that answers is never cut short on a busy machine; the tests of
    // timeouts and of the chain's deadline set their own
    config.put(RackDiscoveryEnvironment.METADATA_TIMEOUT_MS, 3_000);
    config.put(RackDiscoveryEnvironment.DISCOVERY_TIMEOUT_MS, 30_000);
    // generous: the JVM's first TLS handshake alone can take most of a second on a busy machine
    config.put(RackDiscoveryEnvironment.KUBERNETES_TIMEOUT_MS, 3000);
  }

  @AfterEach
  void stopServers() {
    release.countDown();
    servers.forEach(s -> s.stop(0));
  }

  private RackDiscoveryResult resolve() {
    RackDiscoveryResult result =
        RackDiscoveryChain.standard(RackDiscoveryEnvironment.fromConfig(config, env)).resolve();
    for (StepOutcome outcome : result.outcomes()) {
      System.out.printf("  %-60s %-15s %s%n", outcome.step(), outcome.kind(), outcome.detail());
    }
    System.out.printf("  => rack %s from %s%n", result.rack(), result.source());
    return result;
  }

  private static StepOutcome step(RackDiscoveryResult result, String prefix) {
    return result.outcomes().stream().filter(o -> o.step().startsWith(prefix)).findFirst()
        .orElseThrow(() -> new AssertionError("no step " + prefix + " in " + result.outcomes()));
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  // --- Kubernetes API server on HTTPS -------------------------------------------------------------

  private void kubernetesApi(int status, String body) throws Exception {
    HttpServer server = LoopbackServers.https(tls.resolve("api-server.p12"), exchange -> {
      apiRequests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
          + exchange.getRequestHeaders().getFirst("Authorization"));
      String expected = "Bearer " + TOKEN;
      if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        LoopbackServers.respond(exchange, 401, "{\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"Unauthorized\",\"code\":401}");
      } else if (!exchange.getRequestURI().getPath().equals("/api/v1/nodes/node-b-1")) {
        LoopbackServers.respond(exchange, 404, "{\"kind\":\"Status\",\"reason\":\"NotFound\",\"code\":404}");
      } else {
        LoopbackServers.respond(exchange, status, body);
      }
    });
    servers.add(server);
    config.put(RackDiscoveryEnvironment.KUBERNETES_API, "https://localhost:" + server.getAddress().getPort());
  }

  /** The next step after the Kubernetes API answers, so fall-through is visible. */
  private void awsAnswers(String zone) {
    HttpServer server = LoopbackServers.http(exchange -> aws(exchange, zone));
    servers.add(server);
    config.put(RackDiscoveryEnvironment.AWS_URL, LoopbackServers.url(server, "http"));
  }

  private static void aws(HttpExchange exchange, String zone) throws IOException {
    String path = exchange.getRequestURI().getPath();
    if (path.equals("/latest/api/token") && exchange.getRequestMethod().equals("PUT")
        && exchange.getRequestHeaders().getFirst("X-aws-ec2-metadata-token-ttl-seconds") != null) {
      LoopbackServers.respond(exchange, 200, "AQAEAImdsV2SessionToken==");
    } else if (path.equals("/latest/meta-data/placement/availability-zone")) {
      boolean tokenOk = "AQAEAImdsV2SessionToken==".equals(exchange.getRequestHeaders().getFirst("X-aws-ec2-metadata-token"));
      LoopbackServers.respond(exchange, tokenOk ? 200 : 401, tokenOk ? zone : "");
    } else {
      LoopbackServers.respond(exchange, 404, "");
    }
  }

  @Test
  void explicitEnvironmentVariableWinsBeforeAnythingIsAsked() throws Exception {
    kubernetesApi(200, NODE_JSON);
    env.put("KAFKA_CLIENT_RACK", " zone-a ");
    env.put("NODE_NAME", "node-b-1");

    RackDiscoveryResult result = resolve();

    assertThat(result.rack()).isEqualTo("zone-a");
    assertThat(result.source()).isEqualTo("environment variable KAFKA_CLIENT_RACK");
    assertThat(result.outcomes()).hasSize(1);
    assertThat(apiRequests).isEmpty();
  }

  @Test
  void configuredVariableNameIsRead() {
    config.put(RackDiscoveryEnvironment.RACK_VARIABLE, "MY_ZONE");
    env.put("KAFKA_CLIENT_RACK", "ignored");
    env.put("MY_ZONE", "zone-c");
    assertThat(resolve().rack()).isEqualTo("zone-c");
  }

  @Test
  void fileWrittenByAnInitContainerHoldsTheRack() throws Exception {
    config.put(RackDiscoveryEnvironment.RACK_FILE, write("rack", "zone-c\n").toString());
    RackDiscoveryResult result = resolve();
    assertThat(result.rack()).isEqualTo("zone-c");
    assertThat(step(result, "environment variable").kind()).isEqualTo(Kind.NOT_APPLICABLE);
    assertThat(step(result, "environment variable").detail()).contains("KAFKA_CLIENT_RACK is not set");
  }

  @Test
  void downwardApiLabelsFileGivesTheConfiguredLabel() throws Exception {
    config.put(RackDiscoveryEnvironment.RACK_FILE, write("labels",
        "app=\"consumer\"\npod-template-hash=\"7d4b9\"\ntopology.kubernetes.io/zone=\"zone-b\"\n").toString());
    assertThat(resolve().rack()).isEqualTo("zone-b");
  }

  @Test
  void emptyFileFailsWithItsNameAndFallsThrough() throws Exception {
    config.put(RackDiscoveryEnvironment.RACK_FILE, write("rack", "  \n").toString());
    env.put("NODE_NAME", "node-b-1");
    kubernetesApi(200, NODE_JSON);

    RackDiscoveryResult result = resolve();

    assertThat(step(result, "file").kind()).isEqualTo(Kind.FAILED);
    assertThat(step(result, "file").detail()).contains("is empty");
    assertThat(result.rack()).isEqualTo("zone-b");
    assertThat(result.source()).isEqualTo("Kubernetes node label topology.kubernetes.io/zone");
  }

  @Test
  void kubernetesNodeLabelOverHttpsWithTheServiceAccountTokenAndCa() throws Exception {
    kubernetesApi(200, NODE_JSON);
    env.put("NODE_NAME", "node-b-1");

    RackDiscoveryResult result = resolve();

    assertThat(result.rack()).isEqualTo("zone-b");
    assertThat(apiRequests).containsExactly("GET /api/v1/nodes/node-b-1 Bearer " + TOKEN);
  }

  @Test
  void configuredLabelIsReadFromTheNode() throws Exception {
    kubernetesApi(200, NODE_JSON);
    env.put("NODE_NAME", "node-b-1");
    config.put(RackDiscoveryEnvironment.NODE_LABEL, "custom/rack");
    assertThat(resolve().rack()).isEqualTo("rack-\u00e9-7");
  }

  @Test
  void withoutNodeNameTheApiIsNotAskedAndTheReasonSaysHowToFixIt() throws Exception {
    kubernetesApi(200, NODE_JSON);
    RackDiscoveryResult result = resolve();
    StepOutcome k8s = step(result, "Kubernetes");
    assertThat(k8s.kind()).isEqualTo(Kind.NOT_APPLICABLE);
    assertThat(k8s.detail()).contains("NODE_NAME is not set").contains("spec.nodeName");
    assertThat(apiRequests).isEmpty();
  }

  @Test
  void rejectedTokenIs401AndFallsThroughToCloudMetadata() throws Exception {
    config.put(RackDiscoveryEnvironment.TOKEN_FILE, write("stale-token", "expired").toString());
    kubernetesApi(200, NODE_JSON);
    awsAnswers("eu-west-1b");
    env.put("NODE_NAME", "node-b-1");

    RackDiscoveryResult result = resolve();

    StepOutcome k8s = step(result, "Kubernetes");
    assertThat(k8s.kind()).isEqualTo(Kind.FAILED);
    assertThat(k8s.detail()).contains("401 Unauthorized").contains("stale-token");
    assertThat(result.rack()).isEqualTo("eu-west-1b");
    assertThat(result.source()).startsWith("AWS instance metadata");
  }

  @Test
  void unknownNodeIs404AndFallsThrough() throws Exception {
    kubernetesApi(200, NODE_JSON);
    awsAnswers("eu-west-1c");
    env.put("NODE_NAME", "node-gone");

    RackDiscoveryResult result = resolve();

    assertThat(step(result, "Kubernetes").detail()).contains("404 Not Found").contains("node-gone");
    assertThat(result.rack()).isEqualTo("eu-west-1c");
  }

  @Test
  void badJsonNamesTheOffsetAndFallsThrough() throws Exception {
    kubernetesApi(200, "{\"kind\":\"Node\",\"metadata\":{\"labels\":{\"topology.kubernetes.io/zone\":\"zone-b\"}");
    awsAnswers("eu-west-1a");
    env.put("NODE_NAME", "node-b-1");

    RackDiscoveryResult result = resolve();

    assertThat(step(result, "Kubernetes").detail()).contains("is not JSON").contains("line: 1, column:");
    assertThat(result.rack()).isEqualTo("eu-west-1a");
  }

  @Test
  void nodeWithoutTheLabelListsItsLabels() throws Exception {
    kubernetesApi(200, "{\"kind\":\"Node\",\"metadata\":{\"name\":\"node-b-1\",\"labels\":{\"kubernetes.io/hostname\":\"node-b-1\"}}}");
    env.put("NODE_NAME", "node-b-1");
    RackDiscoveryResult result = resolve();
    assertThat(step(result, "Kubernetes").detail())
        .contains("has no label topology.kubernetes.io/zone").contains("kubernetes.io/hostname");
    assertThat(result.foundRack()).isEmpty();
  }

  @Test
  void apiServerThatNeverAnswersTimesOutAndFallsThrough() throws Exception {
    HttpServer hanging = LoopbackServers.https(tls.resolve("api-server.p12"), LoopbackServers.hanging(release));
    servers.add(hanging);
    config.put(RackDiscoveryEnvironment.KUBERNETES_API, "https://localhost:" + hanging.getAddress().getPort());
    config.put(RackDiscoveryEnvironment.KUBERNETES_TIMEOUT_MS, 1000);
    awsAnswers("eu-west-1b");
    env.put("NODE_NAME", "node-b-1");

    long start = System.nanoTime();
    RackDiscoveryResult result = resolve();
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(step(result, "Kubernetes").detail()).contains("within 1000 ms");
    assertThat(result.rack()).isEqualTo("eu-west-1b");
    assertThat(millis).isLessThan(5_000);
  }

  @Test
  void untrustedCertificateIsATlsFailure() throws Exception {
    kubernetesApi(200, NODE_JSON);
    Path otherCa = Path.of("target", "rack-tls-other");
    LoopbackServers.tlsKeyStore(otherCa);
    config.put(RackDiscoveryEnvironment.CA_FILE, otherCa.resolve("ca.crt").toAbsolutePath().toString());
    env.put("NODE_NAME", "node-b-1");

    StepOutcome k8s = step(resolve(), "Kubernetes");

    assertThat(k8s.kind()).isEqualTo(Kind.FAILED);
    assertThat(k8s.detail()).contains("TLS handshake");
    assertThat(apiRequests).isEmpty();
  }

  @Test
  void missingTokenFileIsNamed() throws Exception {
    config.put(RackDiscoveryEnvironment.TOKEN_FILE, dir.resolve("absent-token").toString());
    env.put("NODE_NAME", "node-b-1");
    assertThat(step(resolve(), "Kubernetes").detail()).contains("cannot read the service-account token").contains("absent-token");
  }

  // --- cloud metadata -----------------------------------------------------------------------------

  @Test
  void awsImdsV2NeedsTheSessionToken() {
    awsAnswers("us-east-1a");
    RackDiscoveryResult result = resolve();
    assertThat(result.rack()).isEqualTo("us-east-1a");
  }

  @Test
  void awsWithoutIMDSv2TokenEndpointFailsAndGcpAnswers() {
    HttpServer aws = LoopbackServers.http(e -> LoopbackServers.respond(e, 403, ""));
    HttpServer gcp = LoopbackServers.http(e -> {
      boolean flavored = "Google".equals(e.getRequestHeaders().getFirst("Metadata-Flavor"));
      boolean path = e.getRequestURI().getPath().equals("/computeMetadata/v1/instance/zone");
      LoopbackServers.respond(e, flavored && path ? 200 : 403, flavored && path ? "projects/123456789/zones/europe-west1-b" : "");
    });
    servers.add(aws);
    servers.add(gcp);
    config.put(RackDiscoveryEnvironment.AWS_URL, LoopbackServers.url(aws, "http"));
    config.put(RackDiscoveryEnvironment.GCP_URL, LoopbackServers.url(gcp, "http"));

    RackDiscoveryResult result = resolve();

    assertThat(step(result, "AWS").detail()).contains("IMDSv2 token request").contains("HTTP 403");
    assertThat(result.rack()).isEqualTo("europe-west1-b");
    assertThat(result.source()).startsWith("GCP instance metadata");
  }

  @Test
  void metadataEndpointThatHangsTimesOutQuickly() throws Exception {
    HttpServer gcp = LoopbackServers.http(LoopbackServers.hanging(release));
    servers.add(gcp);
    config.put(RackDiscoveryEnvironment.GCP_URL, LoopbackServers.url(gcp, "http"));
    config.put(RackDiscoveryEnvironment.METADATA_TIMEOUT_MS, 300);
    RackDiscoveryResult result = resolve();
    assertThat(step(result, "GCP").detail()).contains("within 300 ms");
  }

  @Test
  void azureAnswersLocationAndZoneAsAksLabelsNodes() {
    HttpServer azure = LoopbackServers.http(e -> {
      boolean ok = "true".equals(e.getRequestHeaders().getFirst("Metadata"))
          && e.getRequestURI().getPath().equals("/metadata/instance/compute")
          && e.getRequestURI().getQuery().startsWith("api-version=");
      LoopbackServers.respond(e, ok ? 200 : 400, ok
          ? "{\"azEnvironment\":\"AzurePublicCloud\",\"location\":\"eastus2\",\"name\":\"vm-1\","
              + "\"vmSize\":\"Standard_D2s_v3\",\"zone\":\"2\",\"tags\":\"\",\"platformFaultDomain\":\"0\"}"
          : "{\"error\":\"Bad request\"}");
    });
    servers.add(azure);
    config.put(RackDiscoveryEnvironment.AZURE_URL, LoopbackServers.url(azure, "http"));
    assertThat(resolve().rack()).isEqualTo("eastus2-2");
  }

  @Test
  void azureBadJsonIsNamed() {
    HttpServer azure = LoopbackServers.http(e -> LoopbackServers.respond(e, 200, "{\"location\":eastus2}"));
    servers.add(azure);
    config.put(RackDiscoveryEnvironment.AZURE_URL, LoopbackServers.url(azure, "http"));
    RackDiscoveryResult result = resolve();
    assertThat(step(result, "Azure").detail()).contains("not JSON");
    assertThat(result.foundRack()).isEmpty();
  }

  @Test
  void nothingFoundIsReportedAsNoneWithEveryStepTried() {
    RackDiscoveryResult result = resolve();
    assertThat(result.foundRack()).isEmpty();
    assertThat(result.source()).isEqualTo("none");
    assertThat(result.outcomes()).extracting(StepOutcome::kind).containsExactly(
        Kind.NOT_APPLICABLE, Kind.NOT_APPLICABLE, Kind.NOT_APPLICABLE, Kind.FAILED, Kind.NOT_APPLICABLE,
        Kind.NOT_APPLICABLE);
    assertThat(step(result, "AWS").detail()).contains("cannot connect");
    // every metadata URL points at the same closed port here: refused once, it is not asked again
    assertThat(step(result, "GCP").detail()).startsWith("skipped: nothing answered at 127.0.0.1:");
  }

  @Test
  void noRackSourceIsOneInfoLineWithEveryReasonAndNoWarning() throws Exception {
    HttpServer metadata = LoopbackServers.http(e -> LoopbackServers.respond(e, 404, ""));
    servers.add(metadata);
    config.put(RackDiscoveryEnvironment.AWS_URL, LoopbackServers.url(metadata, "http"));
    config.put(RackDiscoveryEnvironment.AZURE_URL, LoopbackServers.url(metadata, "http"));

    List<String> lines = logLinesOf(this::resolve);

    assertThat(lines).as("lines logged by the chain").hasSize(1);
    assertThat(lines.get(0)).contains("INFO").contains("no source gave a rack in ")
        .contains("environment variable KAFKA_CLIENT_RACK: KAFKA_CLIENT_RACK is not set")
        .contains("AWS instance metadata").contains("HTTP 404")
        .contains("GCP instance metadata").contains("cannot connect")
        .contains("Azure instance metadata");
  }

  @Test
  void foundRackIsOneInfoLineNamingTheSourceAndWhatCameBefore() throws Exception {
    kubernetesApi(200, NODE_JSON);
    env.put("NODE_NAME", "node-b-1");

    List<String> lines = logLinesOf(this::resolve);

    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).contains("INFO")
        .contains("'zone-b' from Kubernetes node label topology.kubernetes.io/zone in ")
        .contains("before it: environment variable KAFKA_CLIENT_RACK: KAFKA_CLIENT_RACK is not set; file ");
  }

  @Test
  void aSourceTheUserSetUpThatFailsIsAWarningBesideTheSummary() throws Exception {
    kubernetesApi(403, "{\"kind\":\"Status\",\"code\":403}");
    env.put("NODE_NAME", "node-b-1");

    List<String> lines = logLinesOf(this::resolve);

    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).contains("WARN").contains("403 Forbidden");
    assertThat(lines.get(1)).contains("INFO").contains("no source gave a rack");
  }

  @Test
  void theWholeChainStopsAtItsDeadline() throws Exception {
    HttpServer hangingApi = LoopbackServers.https(tls.resolve("api-server.p12"), LoopbackServers.hanging(release));
    HttpServer hangingMetadata = LoopbackServers.http(LoopbackServers.hanging(release));
    servers.add(hangingApi);
    servers.add(hangingMetadata);
    config.put(RackDiscoveryEnvironment.KUBERNETES_API, "https://localhost:" + hangingApi.getAddress().getPort());
    config.put(RackDiscoveryEnvironment.KUBERNETES_TIMEOUT_MS, 20_000);
    config.put(RackDiscoveryEnvironment.GCP_URL, LoopbackServers.url(hangingMetadata, "http"));
    config.put(RackDiscoveryEnvironment.DISCOVERY_TIMEOUT_MS, 700);
    env.put("NODE_NAME", "node-b-1");

    long start = System.nanoTime();
    RackDiscoveryResult result = resolve();
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(millis).isBetween(650L, 3_000L);
    assertThat(step(result, "Kubernetes").detail()).contains("discovery deadline of 700 ms")
        .contains("resilient.rack.timeout.ms");
    assertThat(step(result, "GCP").detail()).startsWith("not tried: the discovery deadline");
    assertThat(result.foundRack()).isEmpty();
  }

  @Test
  void anAddressThatNeverAnsweredAwsIsNotAskedAgainForAzure() throws Exception {
    HttpServer hanging = LoopbackServers.http(LoopbackServers.hanging(release));
    servers.add(hanging);
    config.put(RackDiscoveryEnvironment.AWS_URL, LoopbackServers.url(hanging, "http"));
    config.put(RackDiscoveryEnvironment.AZURE_URL, LoopbackServers.url(hanging, "http"));
    config.put(RackDiscoveryEnvironment.METADATA_TIMEOUT_MS, 300);

    long start = System.nanoTime();
    RackDiscoveryResult result = resolve();
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(step(result, "AWS").detail()).contains("within 300 ms");
    assertThat(step(result, "Azure").kind()).isEqualTo(Kind.NOT_APPLICABLE);
    assertThat(step(result, "Azure").detail()).contains("skipped: nothing answered at 127.0.0.1:");
    assertThat(millis).isLessThan(2 * 300 + 1_000);
  }

  /** What the chain logged (slf4j-simple writes to System.err) while {@code action} ran. */
  private static List<String> logLinesOf(Runnable action) throws Exception {
    java.io.PrintStream original = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    String text = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
    original.print(text);
    return text.lines().filter(l -> l.contains(RackDiscoveryChain.class.getName())).toList();
  }

  @Test
  void cloudMetadataCanBeSwitchedOff() {
    config.put(RackDiscoveryEnvironment.CLOUD_ENABLED, "false");
    assertThat(resolve().outcomes()).hasSize(3);
  }

  @Test
  void badSettingsNameTheKeyAndTheAcceptedValues() {
    config.put(RackDiscoveryEnvironment.CLOUD_ENABLED, "yes");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> RackDiscoveryEnvironment.fromConfig(config, env))
        .hasMessageContaining("resilient.rack.cloud.enabled").hasMessageContaining("accepted values: true, false");
    config.put(RackDiscoveryEnvironment.CLOUD_ENABLED, "true");
    config.put(RackDiscoveryEnvironment.KUBERNETES_API, "ftp://api");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> RackDiscoveryEnvironment.fromConfig(config, env))
        .hasMessageContaining("resilient.rack.kubernetes.api").hasMessageContaining("http:// or https://");
  }

  @Test
  void inClusterApiAddressComesFromTheServiceEnvironment() {
    config.remove(RackDiscoveryEnvironment.KUBERNETES_API);
    env.put("KUBERNETES_SERVICE_HOST", "10.96.0.1");
    env.put("KUBERNETES_SERVICE_PORT", "6443");
    assertThat(RackDiscoveryEnvironment.fromConfig(config, env).kubernetesApi()).hasToString("https://10.96.0.1:6443");
  }
}
