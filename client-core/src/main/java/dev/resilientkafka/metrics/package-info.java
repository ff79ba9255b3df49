/** Micrometer meters for resilient-kafka's clients; the only package that needs micrometer-core. */
@NullMarked
package dev.resilientkafka.metrics;

import org.jspecify.annotations.NullMarked;
