/**
 * Measures candidate stores for the producer's durable spool on the spool's own workload (see {@link
 * dev.resilientkafka.benchmarks.spool.SpoolStoreComparison}); not part of the library, not run by
 * {@code verify}.
 */
@NullMarked
package dev.resilientkafka.benchmarks.spool;

import org.jspecify.annotations.NullMarked;
