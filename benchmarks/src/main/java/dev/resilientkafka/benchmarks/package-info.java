/**
 * Benchmarks of the produce path on the testkit cluster: JMH steady-state and resolver benchmarks, the
 * broker-churn harness, and the report writers (markdown table, PNG chart, machine description). Run
 * through {@link dev.resilientkafka.benchmarks.BenchmarkSuite}; nothing here is part of the library.
 */
@NullMarked
package dev.resilientkafka.benchmarks;

import org.jspecify.annotations.NullMarked;
