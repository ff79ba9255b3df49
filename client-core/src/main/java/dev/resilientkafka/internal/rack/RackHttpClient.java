package dev.resilientkafka.internal.rack;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * One-shot HTTP calls with a hard timeout that turn transport failures into {@link RackLookupException}s
 * whose message says what happened where. Thread-safe.
 */
final class RackHttpClient {
  private final HttpClient client;
  private final Duration timeout;

  RackHttpClient(Duration timeout, @Nullable SSLContext ssl) {
    HttpClient.Builder builder = HttpClient.newBuilder()
        .connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .version(HttpClient.Version.HTTP_1_1);
    if (ssl != null) {
      builder.sslContext(ssl);
    }
    this.client = builder.build();
    this.timeout = timeout;
  }

  /** Status and body of the call. */
  record Response(int status, String body) {}

  Response send(String method, URI uri, Map<String, String> headers) throws RackLookupException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
        .method(method, HttpRequest.BodyPublishers.noBody());
    headers.forEach(request::header);
    try {
      HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), response.body());
    } catch (HttpConnectTimeoutException e) {
      throw new RackLookupException("connect to " + uri + " timed out after " + timeout.toMillis() + " ms", e, true);
    } catch (HttpTimeoutException e) {
      throw new RackLookupException("no answer from " + uri + " within " + timeout.toMillis() + " ms", e, true);
    } catch (ConnectException e) {
      throw new RackLookupException("cannot connect to " + uri + ": " + reason(e), e, true);
    } catch (SSLException e) {
      throw new RackLookupException("TLS handshake with " + uri + " failed (is the CA file the API "
          + "server's?): " + e.getMessage(), e);
    } catch (IOException e) {
      throw new RackLookupException("request to " + uri + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RackLookupException("interrupted while asking " + uri, e);
    }
  }

  /** The JDK's ConnectException often has no message of its own: the cause (e.g. UnresolvedAddressException) says why. */
  private static String reason(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null) {
        return t.getMessage();
      }
      if (t.getCause() == null) {
        return t.getClass().getSimpleName();
      }
    }
    return e.getClass().getSimpleName();
  }

  static String snippet(@Nullable String body) {
    if (body == null) {
      return "";
    }
    String flat = body.replaceAll("\\s+", " ").trim();
    return flat.length() <= 200 ? flat : flat.substring(0, 200) + "...";
  }
}
