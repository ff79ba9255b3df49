package dev.resilientkafka.internal.producer;

/**
 * 60 bytes of padding after the object header, for a field written by one group of threads at a high
 * rate to sit on a cache line of its own (the int fills the gap after a 12-byte header, where the JVM
 * would otherwise put a subclass's field). HotSpot lays out a superclass's fields before its subclass's,
 * so padding, hot fields and padding again take three classes: this one, one declaring the hot fields,
 * and a final one declaring 64 more bytes of padding.
 */
@SuppressWarnings("unused")
abstract class CacheLinePadding {
  int p0;
  long p1, p2, p3, p4, p5, p6, p7;
}
