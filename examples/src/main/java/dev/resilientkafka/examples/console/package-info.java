/**
 * {@code resilient-kafka console-producer} and {@code console-consumer}: Kafka's console tools with the
 * flags users know, built on {@link dev.resilientkafka.ResilientProducer} and {@link
 * dev.resilientkafka.ResilientConsumer}, plus the headless-Service bootstrap ({@code --bootstrap-service},
 * {@code --dns-server}) and the rack ({@code --rack}).
 */
@NullMarked
package dev.resilientkafka.examples.console;

import org.jspecify.annotations.NullMarked;
