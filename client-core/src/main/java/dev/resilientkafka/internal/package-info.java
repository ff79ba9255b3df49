/** Implementation details of resilient-kafka. Not an API: anything here may change in any release. */
@NullMarked
package dev.resilientkafka.internal;

import org.jspecify.annotations.NullMarked;
