/**
 * The {@code resilient-kafka} command line: {@link dev.resilientkafka.examples.ResilientKafkaCli} and its
 * {@link dev.resilientkafka.examples.Subcommand}s ({@code doctor}, {@code demo}; the console producer and
 * consumer plug in the same way).
 */
@NullMarked
package dev.resilientkafka.examples;

import org.jspecify.annotations.NullMarked;
