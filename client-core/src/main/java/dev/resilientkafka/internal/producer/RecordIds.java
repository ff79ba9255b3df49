package dev.resilientkafka.internal.producer;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * 16-byte record ids: a random 64-bit prefix per producer and a 64-bit counter, so ids never repeat
 * within a producer and collide across producers only by chance (2^-64). Thread-safe; cheap.
 */
final class RecordIds {
  private final long prefix = new SecureRandom().nextLong();
  private final AtomicLong counter = new AtomicLong();

  byte[] next() {
    return ByteBuffer.allocate(16).putLong(prefix).putLong(counter.incrementAndGet()).array();
  }
}
