/**
 * Reading the {@code resilient.*} keys with their Kafka {@code ConfigDef}s (type, default and validator of
 * each key, defined once in the public {@code Resilient*Config} classes) and rendering the configuration
 * reference from the same definitions.
 */
@NullMarked
package dev.resilientkafka.internal.config;

import org.jspecify.annotations.NullMarked;
