/**
 * The {@code resilient-kafka} command line: {@link dev.resilientkafka.examples.ResilientKafkaCli} and its
 * {@link dev.resilientkafka.examples.Subcommand}s ({@code console-producer}, {@code console-consumer},
 * {@code doctor}, {@code demo}).
 */
@NullMarked
package dev.resilientkafka.examples;

import org.jspecify.annotations.NullMarked;
