package dev.resilientkafka.internal.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Records whose content follows from a number, so that what comes back can be checked byte for byte. */
final class SpoolRecords {
  private SpoolRecords() {}

  static SpooledRecord record(long n, int valueBytes) {
    byte[] value = new byte[valueBytes];
    for (int i = 0; i < value.length; i++) {
      value[i] = (byte) (n * 31 + i);
    }
    List<Map.Entry<String, byte @Nullable []>> headers = List.of(
        new AbstractMap.SimpleImmutableEntry<>("resilient-record-id", id(n)),
        new AbstractMap.SimpleImmutableEntry<>("no-value", null));
    return new SpooledRecord(-1, "orders", (int) (n % 3) - 1, 1_700_000_000_000L + n,
        n % 5 == 0 ? null : ("key-" + n).getBytes(StandardCharsets.UTF_8), value, headers, 1_750_000_000_000L + n);
  }

  static byte[] id(long n) {
    return String.format("01JREC%020d", n).getBytes(StandardCharsets.UTF_8);
  }

  /** Checks that {@code read} is {@link #record(long, int)} of {@code n}, with the spool's sequence. */
  static void assertIs(SpooledRecord read, long n, int valueBytes, long sequence) {
    SpooledRecord expected = record(n, valueBytes);
    assertThat(read.sequence()).isEqualTo(sequence);
    assertThat(read.topic()).isEqualTo(expected.topic());
    assertThat(read.partition()).isEqualTo(expected.partition());
    assertThat(read.timestamp()).isEqualTo(expected.timestamp());
    assertThat(read.acceptedAtMillis()).isEqualTo(expected.acceptedAtMillis());
    assertThat(read.key()).isEqualTo(expected.key());
    assertThat(Arrays.equals(read.value(), expected.value())).as("value of record %d", n).isTrue();
    assertThat(read.headers()).hasSize(2);
    assertThat(read.headers().get(0).getKey()).isEqualTo("resilient-record-id");
    assertThat(read.headers().get(0).getValue()).isEqualTo(id(n));
    assertThat(read.headers().get(1).getKey()).isEqualTo("no-value");
    assertThat(read.headers().get(1).getValue()).isNull();
  }

  /** The number {@link #record} encoded in a record's id header. */
  static long number(SpooledRecord record) {
    String id = new String(record.headers().get(0).getValue(), StandardCharsets.UTF_8);
    return Long.parseLong(id.substring("01JREC".length()));
  }
}
