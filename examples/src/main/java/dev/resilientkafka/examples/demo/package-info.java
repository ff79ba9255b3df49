/** The one-command demo: broker faults Kubernetes causes, replayed on the embedded local cluster. */
@NullMarked
package dev.resilientkafka.examples.demo;

import org.jspecify.annotations.NullMarked;
