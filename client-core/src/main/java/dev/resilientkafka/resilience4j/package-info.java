/**
 * resilience4j's view of resilient-kafka's clients: the only public package whose signatures name
 * resilience4j types, so that the rest of the API does not.
 */
@NullMarked
package dev.resilientkafka.resilience4j;

import org.jspecify.annotations.NullMarked;
