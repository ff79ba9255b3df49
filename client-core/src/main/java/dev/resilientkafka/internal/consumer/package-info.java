/** ResilientConsumer's parts: settings, fetch locality, start-up rack checks, coordinator diagnosis, de-duplication. */
@NullMarked
package dev.resilientkafka.internal.consumer;

import org.jspecify.annotations.NullMarked;
