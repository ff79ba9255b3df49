/** Turning a headless Service into a bootstrap list of pod FQDNs, and keeping it current. */
@NullMarked
package dev.resilientkafka.internal.bootstrap;

import org.jspecify.annotations.NullMarked;
