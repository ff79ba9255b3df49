/** The one-command demo: the article's scenarios S1-S7 replayed on the embedded local cluster. */
@NullMarked
package dev.resilientkafka.examples.demo;

import org.jspecify.annotations.NullMarked;
