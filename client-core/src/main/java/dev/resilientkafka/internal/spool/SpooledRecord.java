package dev.resilientkafka.internal.spool;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One record as the spool keeps it: what the producer needs to send it again exactly as it was first
 * accepted (same record-id header). {@code sequence} is the spool's own, assigned by {@link
 * Spool#append}: increasing in append order. Immutable (the arrays are not copied: do not change them).
 *
 * @param sequence the spool's sequence number; ignored by {@link Spool#append}
 * @param topic the topic
 * @param partition the explicit partition, or -1 when the producer chooses it
 * @param timestamp the record's timestamp in epoch ms, or -1 for none
 * @param key the serialized key, or null
 * @param value the serialized value, or null
 * @param headers header names and values in order (the record-id header among them); values may be null
 * @param acceptedAtMillis when {@code send()} accepted it, epoch ms (for ages after a restart)
 */
public record SpooledRecord(long sequence, String topic, int partition, long timestamp, byte @Nullable [] key,
    byte @Nullable [] value, List<Map.Entry<String, byte @Nullable []>> headers, long acceptedAtMillis) {}
