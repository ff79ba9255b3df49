/** Finding the zone this client runs in ({@code client.rack}): the discovery chain and its steps. */
@NullMarked
package dev.resilientkafka.internal.rack;

import org.jspecify.annotations.NullMarked;
