/** A real local Kafka cluster for tests, demos and benchmarks. */
@NullMarked
package dev.resilientkafka.testkit;

import org.jspecify.annotations.NullMarked;
