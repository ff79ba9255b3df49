/** Implementation of the testkit: child processes, addresses, name projection. Not an API. */
@NullMarked
package dev.resilientkafka.testkit.internal;

import org.jspecify.annotations.NullMarked;
