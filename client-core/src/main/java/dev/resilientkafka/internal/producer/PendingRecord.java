package dev.resilientkafka.internal.producer;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.common.header.Headers;
import org.jspecify.annotations.Nullable;

/**
 * One record from {@code send()} to its completion: its serialized form, where it goes, and who to
 * tell. Mutable state is guarded by the {@link RecordBuffer}'s lock.
 */
final class PendingRecord {
  enum State { QUEUED, HANDED_OFF, DONE }

  final long sequence;
  final String topic;
  final @Nullable Integer explicitPartition;
  final byte @Nullable [] key;
  final byte @Nullable [] value;
  final Headers headers;
  final @Nullable Long timestamp;
  final int sizeInBytes;
  final long acceptedNanos;
  final long deadlineNanos;
  final @Nullable Callback callback;
  final DeliveryFuture future = new DeliveryFuture();

  int partition = -1;
  State state = State.QUEUED;
  long handedOffNanos;
  /** It waited in a queue, so its delivery counts as a recovery. */
  boolean waited;
  int resends;
  /** Why Kafka last refused to take it, for classification when it expires in a queue. */
  @Nullable Exception lastError;

  PendingRecord(long sequence, String topic, @Nullable Integer explicitPartition, byte @Nullable [] key,
      byte @Nullable [] value, Headers headers, @Nullable Long timestamp, long acceptedNanos,
      long deadlineNanos, @Nullable Callback callback) {
    this.sequence = sequence;
    this.topic = topic;
    this.explicitPartition = explicitPartition;
    this.key = key;
    this.value = value;
    this.headers = headers;
    this.timestamp = timestamp;
    this.sizeInBytes = sizeOf(key, value, headers);
    this.acceptedNanos = acceptedNanos;
    this.deadlineNanos = deadlineNanos;
    this.callback = callback;
  }

  static int sizeOf(byte @Nullable [] key, byte @Nullable [] value, Headers headers) {
    int size = (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
    for (var header : headers) {
      size += header.key().length() + (header.value() == null ? 0 : header.value().length);
    }
    return size;
  }
}
