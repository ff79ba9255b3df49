/**
 * resilient-kafka's public API: drop-in Kafka clients for brokers that move, and the small interfaces
 * they are built from.
 */
@NullMarked
package dev.resilientkafka;

import org.jspecify.annotations.NullMarked;
