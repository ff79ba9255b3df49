package dev.resilientkafka;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The durable spool of a {@link ResilientProducer} ({@link ResilientProducerConfig#SPOOL_DIR}) as it is
 * now, and what the producer found in it when it started. Immutable.
 *
 * @param directory the spool's directory
 * @param records records in the spool not yet acknowledged by Kafka
 * @param bytes their size on disk
 * @param maxBytes the spool's bound ({@link ResilientProducerConfig#SPOOL_MAX_BYTES})
 * @param oldestAge how long ago the oldest of them was accepted; zero when there is none
 * @param recoveredAtStart records an earlier process left in the spool, sent again by this producer
 * @param tornTailsRepairedAtStart records cut short when an earlier process died mid-write, truncated
 */
public record SpoolStatus(Path directory, long records, long bytes, long maxBytes, Duration oldestAge,
    long recoveredAtStart, int tornTailsRepairedAtStart) {}
