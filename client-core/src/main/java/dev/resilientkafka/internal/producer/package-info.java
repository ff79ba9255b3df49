/** ResilientProducer's machinery: settings, the buffer and its per-partition queues, cluster health. */
@NullMarked
package dev.resilientkafka.internal.producer;

import org.jspecify.annotations.NullMarked;
