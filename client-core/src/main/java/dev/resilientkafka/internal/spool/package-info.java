/**
 * The durable spool: records accepted by a producer, kept on local disk until Kafka acknowledged them,
 * so that they survive the application dying during an outage.
 */
@NullMarked
package dev.resilientkafka.internal.spool;

import org.jspecify.annotations.NullMarked;
