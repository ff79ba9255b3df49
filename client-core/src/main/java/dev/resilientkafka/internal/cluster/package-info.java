/** What every client resilient-kafka builds for one cluster shares in a JVM: one Admin client, one view. */
@NullMarked
package dev.resilientkafka.internal.cluster;

import org.jspecify.annotations.NullMarked;
