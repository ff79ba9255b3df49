package dev.resilientkafka.internal.spool;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * One record as bytes in a segment file. Big-endian:
 *
 * <pre>
 * int    length            bytes of the body
 * int    crc32c            over the length field and the body
 * body:
 *   long   sequence
 *   long   acceptedAtMillis
 *   long   timestamp         -1 for none
 *   int    partition         -1 when the producer chooses
 *   short  topic length, topic (UTF-8)
 *   int    key length (-1 for null), key
 *   int    value length (-1 for null), value
 *   short  header count; per header: short name length, name (UTF-8), int value length (-1 for null), value
 * </pre>
 *
 * <p>The checksum covers the length too, so that a length damaged on disk is caught rather than used to
 * skip to a wrong place. Stateless; the methods are thread-safe.
 */
final class EntryCodec {
  /** The length and checksum fields before the body. */
  static final int PREFIX = 8;
  /** The smallest body: sequence, times, partition, empty topic, null key and value, no headers. */
  static final int MIN_BODY = 8 + 8 + 8 + 4 + 2 + 4 + 4 + 2;
  /** Where the sequence sits in an entry. */
  private static final int SEQUENCE_AT = PREFIX;

  private EntryCodec() {}

  /**
   * The whole entry (prefix included) with sequence 0 and no checksum yet: {@link #seal} fills both once
   * the sequence is known, so that the expensive part happens outside the append lock.
   *
   * @throws IllegalArgumentException if a field is too long for the format
   */
  static ByteBuffer encode(SpooledRecord record) {
    byte[] topic = record.topic().getBytes(StandardCharsets.UTF_8);
    if (topic.length > Short.MAX_VALUE) {
      throw new IllegalArgumentException("topic name longer than " + Short.MAX_VALUE + " bytes");
    }
    List<Map.Entry<String, byte @Nullable []>> headers = record.headers();
    if (headers.size() > Short.MAX_VALUE) {
      throw new IllegalArgumentException("more than " + Short.MAX_VALUE + " headers");
    }
    byte[][] names = new byte[headers.size()][];
    long body = MIN_BODY + topic.length + length(record.key()) + length(record.value());
    for (int i = 0; i < names.length; i++) {
      names[i] = headers.get(i).getKey().getBytes(StandardCharsets.UTF_8);
      if (names[i].length > Short.MAX_VALUE) {
        throw new IllegalArgumentException("header name longer than " + Short.MAX_VALUE + " bytes");
      }
      body += 2 + names[i].length + 4 + length(headers.get(i).getValue());
    }
    if (body > Integer.MAX_VALUE - PREFIX) {
      throw new IllegalArgumentException("record of " + body + " bytes is too large for the spool");
    }
    ByteBuffer buffer = ByteBuffer.allocate(PREFIX + (int) body);
    buffer.putInt((int) body).putInt(0);
    buffer.putLong(0).putLong(record.acceptedAtMillis()).putLong(record.timestamp()).putInt(record.partition());
    buffer.putShort((short) topic.length).put(topic);
    putBytes(buffer, record.key());
    putBytes(buffer, record.value());
    buffer.putShort((short) names.length);
    for (int i = 0; i < names.length; i++) {
      buffer.putShort((short) names[i].length).put(names[i]);
      putBytes(buffer, headers.get(i).getValue());
    }
    return buffer.flip();
  }

  /** Writes the sequence and the checksum into an entry made by {@link #encode}. */
  static void seal(ByteBuffer entry, long sequence) {
    entry.putLong(SEQUENCE_AT, sequence);
    entry.putInt(4, checksum(entry, 0, entry.remaining()));
  }

  /**
   * The checksum the entry starting at {@code at} in {@code buffer} should carry, {@code size} bytes
   * long prefix included.
   */
  static int checksum(ByteBuffer buffer, int at, int size) {
    CRC32C crc = new CRC32C();
    crc.update(buffer.duplicate().position(at).limit(at + 4));
    crc.update(buffer.duplicate().position(at + PREFIX).limit(at + size));
    return (int) crc.getValue();
  }

  /** Whether the entry of {@code size} bytes at {@code at} carries the right checksum. */
  static boolean intact(ByteBuffer buffer, int at, int size) {
    return buffer.getInt(at + 4) == checksum(buffer, at, size);
  }

  /** The sequence of the entry at {@code at}. */
  static long sequence(ByteBuffer buffer, int at) {
    return buffer.getLong(at + SEQUENCE_AT);
  }

  /** When the record of the entry at {@code at} was accepted. */
  static long acceptedAtMillis(ByteBuffer buffer, int at) {
    return buffer.getLong(at + SEQUENCE_AT + 8);
  }

  /**
   * The record of the (checked) entry at {@code at}.
   *
   * @throws java.nio.BufferUnderflowException or IllegalArgumentException if the body does not parse
   */
  static SpooledRecord decode(ByteBuffer buffer, int at) {
    int size = buffer.getInt(at);
    ByteBuffer body = buffer.duplicate().position(at + PREFIX).limit(at + PREFIX + size);
    long sequence = body.getLong();
    long acceptedAt = body.getLong();
    long timestamp = body.getLong();
    int partition = body.getInt();
    byte[] topic = new byte[body.getShort()];
    body.get(topic);
    byte[] key = getBytes(body);
    byte[] value = getBytes(body);
    int count = body.getShort();
    List<Map.Entry<String, byte @Nullable []>> headers = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      byte[] name = new byte[body.getShort()];
      body.get(name);
      headers.add(new AbstractMap.SimpleImmutableEntry<>(new String(name, StandardCharsets.UTF_8), getBytes(body)));
    }
    if (body.hasRemaining()) {
      throw new IllegalArgumentException(body.remaining() + " bytes left over after the record");
    }
    return new SpooledRecord(sequence, new String(topic, StandardCharsets.UTF_8), partition, timestamp, key, value,
        List.copyOf(headers), acceptedAt);
  }

  private static int length(byte @Nullable [] bytes) {
    return bytes == null ? 0 : bytes.length;
  }

  private static void putBytes(ByteBuffer buffer, byte @Nullable [] bytes) {
    if (bytes == null) {
      buffer.putInt(-1);
    } else {
      buffer.putInt(bytes.length).put(bytes);
    }
  }

  private static byte @Nullable [] getBytes(ByteBuffer buffer) {
    int length = buffer.getInt();
    if (length < 0) {
      return null;
    }
    byte[] bytes = new byte[length];
    buffer.get(bytes);
    return bytes;
  }
}
