package dev.resilientkafka.internal.producer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.jspecify.annotations.Nullable;

/**
 * A record as the producer hands it to the inner {@code KafkaProducer}: its headers (the application's,
 * then the record id) are one array of the exact size, which Kafka reads as it is. A plain {@code
 * ProducerRecord} copies the headers it is given into a list of its own, adding the record id grows that
 * list, and Kafka copies the list into an array again: on the sending thread these copies were about a
 * seventh of the library's samples at saturation (JFR). The application's headers are still copied once
 * (their {@code toArray()}), so the record never shares them with the application.
 *
 * <p>The headers are read-only, as Kafka makes a record's headers read-only once its serializers ran:
 * nothing changes a record after it was accepted (the inner producer's serializers are byte-array ones, and
 * producer interceptors are refused by the configuration). Not to be compared with a plain {@code
 * ProducerRecord}: its {@code equals} sees only the empty headers a {@code ProducerRecord} keeps hidden.
 */
final class OutgoingRecord extends ProducerRecord<byte[], byte[]> {
  private static final Header[] NO_HEADERS = new Header[0];

  private final FixedHeaders headers;

  /**
   * A record with {@code headers} as its headers.
   *
   * @param headers the record's headers, owned by this record from now on (not copied, never changed)
   * @throws IllegalArgumentException for a negative partition or timestamp, as {@code ProducerRecord}
   */
  OutgoingRecord(String topic, @Nullable Integer partition, @Nullable Long timestamp, byte @Nullable [] key,
      byte @Nullable [] value, Header[] headers) {
    super(topic, partition, timestamp, key, value, (Iterable<Header>) null);
    this.headers = new FixedHeaders(headers);
  }

  private OutgoingRecord(ProducerRecord<byte[], byte[]> from, @Nullable Integer partition, @Nullable Long timestamp,
      FixedHeaders headers) {
    super(from.topic(), partition, timestamp, from.key(), from.value(), (Iterable<Header>) null);
    this.headers = headers;
  }

  /** {@code from} with another partition and timestamp; its headers are shared, not copied, when it is one of these. */
  static OutgoingRecord copy(ProducerRecord<byte[], byte[]> from, @Nullable Integer partition, @Nullable Long timestamp) {
    FixedHeaders headers = from instanceof OutgoingRecord outgoing ? outgoing.headers
        : new FixedHeaders(from.headers().toArray());
    return new OutgoingRecord(from, partition, timestamp, headers);
  }

  /** {@code given} followed by {@code added} (when not null), in one array of the exact size. */
  static Header[] headers(Header[] given, @Nullable Header added) {
    if (added == null) {
      // a copy: an application's Headers may hand out its own array, or one of a subtype of Header
      return given.length == 0 ? NO_HEADERS : Arrays.copyOf(given, given.length, Header[].class);
    }
    Header[] all = Arrays.copyOf(given, given.length + 1, Header[].class);
    all[given.length] = added;
    return all;
  }

  @Override
  public Headers headers() {
    return headers;
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof OutgoingRecord that && super.equals(that) && headers.equals(that.headers);
  }

  @Override
  public int hashCode() {
    return 31 * super.hashCode() + headers.hashCode();
  }

  @Override
  public String toString() {
    return "ProducerRecord(topic=" + topic() + ", partition=" + partition() + ", headers=" + headers + ", key="
        + (key() == null ? "null" : key().length + " bytes") + ", value=" + (value() == null ? "null" : value().length + " bytes")
        + ", timestamp=" + timestamp() + ")";
  }

  /** Read-only headers over an array the record owns; {@link #toArray} hands Kafka that array, not a copy. */
  private static final class FixedHeaders implements Headers {
    private final Header[] headers;

    FixedHeaders(Header[] headers) {
      this.headers = headers;
    }

    @Override
    public Headers add(Header header) {
      throw readOnly();
    }

    @Override
    public Headers add(String key, byte[] value) {
      throw readOnly();
    }

    @Override
    public Headers remove(String key) {
      throw readOnly();
    }

    private static IllegalStateException readOnly() {
      return new IllegalStateException("the headers of a record the producer accepted are read-only");
    }

    @Override
    public @Nullable Header lastHeader(String key) {
      for (int i = headers.length - 1; i >= 0; i--) {
        if (headers[i].key().equals(key)) {
          return headers[i];
        }
      }
      return null;
    }

    @Override
    public Iterable<Header> headers(String key) {
      List<Header> matching = new ArrayList<>();
      for (Header header : headers) {
        if (header.key().equals(key)) {
          matching.add(header);
        }
      }
      return matching;
    }

    /** The record's own array (Kafka only reads it); the caller must not change it. */
    @Override
    public Header[] toArray() {
      return headers;
    }

    @Override
    public Iterator<Header> iterator() {
      return Arrays.asList(headers).iterator();
    }

    @Override
    public boolean equals(@Nullable Object other) {
      return other instanceof FixedHeaders that && Arrays.equals(headers, that.headers);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(headers);
    }

    @Override
    public String toString() {
      return Arrays.toString(headers);
    }
  }
}
