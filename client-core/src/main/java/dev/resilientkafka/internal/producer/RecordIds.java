package dev.resilientkafka.internal.producer;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Record ids as ULID text (26 characters of Crockford base32: 48 bits of milliseconds, then 80 bits),
 * so that Kafka's console consumer prints them on one line and they sort by time. The 80 low bits are a
 * random 40-bit prefix per producer and a 40-bit counter, so ids never repeat within a producer and
 * collide across producers only if two draw the same prefix in the same millisecond (2^-40). Cheap: the
 * time part is encoded once per millisecond, and each sending thread takes counter values in blocks of
 * {@link #BLOCK}, so that threads sending at once do not contend for one counter (within one millisecond,
 * ids of different threads are therefore not in send order; nothing relies on that). Thread-safe.
 */
final class RecordIds {
  private static final byte[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".getBytes(StandardCharsets.US_ASCII);
  static final int LENGTH = 26;
  /** Counter values a sending thread takes at once: disjoint blocks keep ids unique. */
  static final int BLOCK = 1024;

  private record TimePart(long millis, byte[] text) {}

  private final byte[] prefix = new byte[8];
  private final AtomicLong counter;
  private volatile TimePart time = new TimePart(-1, new byte[10]);
  /** Per sending thread: the next counter value of its block and the block's end. */
  private final ThreadLocal<long[]> block = ThreadLocal.withInitial(() -> new long[2]);

  RecordIds() {
    this(new SecureRandom().nextLong() & 0xFF_FFFF_FFFFL);
  }

  /** Ids whose 40-bit counter starts at {@code counterStart} (tests: the wrap of the counter). */
  RecordIds(long counterStart) {
    encode(new SecureRandom().nextLong() & 0xFF_FFFF_FFFFL, prefix, 0, 8);
    counter = new AtomicLong(counterStart);
  }

  byte[] next() {
    long millis = System.currentTimeMillis();
    TimePart current = time;
    if (current.millis != millis) {
      byte[] text = new byte[10];
      encode(millis, text, 0, 10);
      current = new TimePart(millis, text);
      time = current;
    }
    byte[] id = new byte[LENGTH];
    System.arraycopy(current.text, 0, id, 0, 10);
    System.arraycopy(prefix, 0, id, 10, 8);
    long[] mine = block.get();
    if (mine[0] == mine[1]) {
      mine[0] = counter.getAndAdd(BLOCK);
      mine[1] = mine[0] + BLOCK;
    }
    encode(mine[0]++ & 0xFF_FFFF_FFFFL, id, 18, 8);
    return id;
  }

  /** Writes the low {@code 5 * chars} bits of {@code value} as {@code chars} base32 digits, most significant first. */
  private static void encode(long value, byte[] into, int offset, int chars) {
    for (int i = chars - 1; i >= 0; i--) {
      into[offset + i] = ALPHABET[(int) (value & 31)];
      value >>>= 5;
    }
  }
}
