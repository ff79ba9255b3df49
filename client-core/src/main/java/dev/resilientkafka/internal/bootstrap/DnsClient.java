package dev.resilientkafka.internal.bootstrap;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Sends single queries to the configured DNS server(s) with dnsjava, without any cache, so that every
 * answer is fresh and its TTL is the server's. Thread-safe.
 */
final class DnsClient {
  private final Resolver resolver;
  private final Duration timeout;
  private final String description;

  DnsClient(List<InetSocketAddress> servers, Duration timeout) {
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("no DNS server: resolv.conf has no nameserver and none was given");
    }
    this.timeout = timeout;
    this.description =
        servers.stream().map(HostPort::format).collect(Collectors.joining(","));
    if (servers.size() == 1) {
      SimpleResolver simple = new SimpleResolver(servers.get(0));
      simple.setTimeout(timeout);
      this.resolver = simple;
    } else {
      ExtendedResolver extended =
          new ExtendedResolver(servers.stream().<Resolver>map(SimpleResolver::new).toList());
      extended.setTimeout(timeout);
      extended.setRetries(1);
      this.resolver = extended;
    }
  }

  /** The servers asked, {@code host:port} ({@code [IPv6]:port}), comma-separated. */
  String description() {
    return description;
  }

  /** One answer: the response code and the records of the answer and additional sections. */
  record Answer(int rcode, List<Record> answers, List<Record> additional) {
    String rcodeName() {
      return Rcode.string(rcode);
    }
  }

  /** Thrown when no answer came: {@code timedOut} tells a timeout from other I/O errors. */
  static final class QueryFailed extends Exception {
    private static final long serialVersionUID = 1L;
    final boolean timedOut;

    QueryFailed(String message, boolean timedOut, Throwable cause) {
      super(message, cause);
      this.timedOut = timedOut;
    }
  }

  Answer query(String name, int type) throws QueryFailed {
    Message query;
    try {
      query = Message.newQuery(Record.newRecord(Name.fromString(name, Name.root), type, DClass.IN));
    } catch (TextParseException e) {
      throw new IllegalArgumentException("'" + name + "' is not a DNS name", e);
    }
    try {
      // a margin over the resolver's own timeout, so that its (typed) timeout normally wins
      Message response =
          resolver.sendAsync(query).toCompletableFuture().get(timeout.toMillis() * 3 + 500, TimeUnit.MILLISECONDS);
      return new Answer(
          response.getRcode(), response.getSection(Section.ANSWER), response.getSection(Section.ADDITIONAL));
    } catch (TimeoutException e) {
      throw new QueryFailed("no answer within " + timeout.toMillis() + " ms", true, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      boolean timedOut = cause instanceof SocketTimeoutException || cause instanceof TimeoutException;
      if (!timedOut && cause instanceof IOException && cause.getCause() instanceof TimeoutException) {
        timedOut = true;
      }
      throw new QueryFailed(timedOut ? "no answer within " + timeout.toMillis() + " ms" : String.valueOf(cause), timedOut, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueryFailed("interrupted", false, e);
    }
  }

  static String typeName(int type) {
    return Type.string(type);
  }
}
