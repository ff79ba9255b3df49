package dev.resilientkafka.testkit.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority made with the JDK's {@code keytool}: a CA key pair, a PKCS12
 * truststore holding its certificate, and PKCS12 keystores for hosts whose certificate names them in
 * the subject alternative name (what TLS hostname verification checks).
 *
 * <p>Thread-safe (each call writes its own files; the CA keystore is only read after creation).
 */
public final class CertificateAuthority {
  private final Path directory;
  private final String password;
  private final Path caKeystore;
  private final Path caCertificate;
  private final Path truststore;

  private CertificateAuthority(Path directory, String password) {
    this.directory = directory;
    this.password = password;
    this.caKeystore = directory.resolve("ca.p12");
    this.caCertificate = directory.resolve("ca.pem");
    this.truststore = directory.resolve("truststore.p12");
  }

  /** Creates a new CA named {@code commonName} in {@code directory}. */
  public static CertificateAuthority create(Path directory, String commonName, String password) {
    CertificateAuthority ca = new CertificateAuthority(directory, password);
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + directory, e);
    }
    ca.keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=" + commonName, "-ext", "bc:c", "-validity", "30",
        "-keystore", ca.caKeystore.toString(), "-storetype", "PKCS12", "-storepass", password);
    ca.keytool("-exportcert", "-alias", "ca", "-rfc", "-file", ca.caCertificate.toString(),
        "-keystore", ca.caKeystore.toString(), "-storepass", password);
    ca.keytool("-importcert", "-noprompt", "-alias", "ca", "-file", ca.caCertificate.toString(),
        "-keystore", ca.truststore.toString(), "-storetype", "PKCS12", "-storepass", password);
    return ca;
  }

  /**
   * The PKCS12 keystore (alias {@code server}) whose certificate, signed by this CA, names {@code
   * dnsName}; issued on first request.
   */
  public synchronized Path keystoreFor(String dnsName) {
    Path keystore = directory.resolve(dnsName + ".p12");
    if (Files.exists(keystore)) {
      return keystore;
    }
    Path request = directory.resolve(dnsName + ".csr");
    Path certificate = directory.resolve(dnsName + ".pem");
    keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=" + dnsName, "-validity", "30",
        "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", password);
    keytool("-certreq", "-alias", "server", "-file", request.toString(),
        "-keystore", keystore.toString(), "-storepass", password);
    keytool("-gencert", "-alias", "ca", "-infile", request.toString(), "-outfile", certificate.toString(),
        "-ext", "SAN=dns:" + dnsName, "-validity", "30", "-rfc",
        "-keystore", caKeystore.toString(), "-storepass", password);
    keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caCertificate.toString(),
        "-keystore", keystore.toString(), "-storepass", password);
    keytool("-importcert", "-alias", "server", "-file", certificate.toString(),
        "-keystore", keystore.toString(), "-storepass", password);
    return keystore;
  }

  /** PKCS12 truststore holding only this CA's certificate. */
  public Path truststore() {
    return truststore;
  }

  public String password() {
    return password;
  }

  private void keytool(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("keytool " + args[0] + " did not finish within 60 s");
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run keytool", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running keytool", e);
    }
  }
}
