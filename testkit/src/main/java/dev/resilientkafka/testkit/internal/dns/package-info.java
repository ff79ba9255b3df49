/**
 * The testkit's Kubernetes-like cluster DNS server: zone data, CoreDNS-compatible answers and the
 * UDP/TCP transports behind {@link dev.resilientkafka.testkit.KubeDnsServer}. Not an API.
 */
@NullMarked
package dev.resilientkafka.testkit.internal.dns;

import org.jspecify.annotations.NullMarked;
