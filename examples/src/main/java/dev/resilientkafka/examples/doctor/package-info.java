/**
 * {@code resilient-kafka doctor}: checks a live cluster against the rules of a durable deployment (RF 3, min ISR 2,
 * one broker more than min ISR, replicas across zones, per-pod advertised names, ...) and answers whether
 * a broker can be drained now. Each rule is one {@link dev.resilientkafka.examples.doctor.Check} over an
 * immutable {@link dev.resilientkafka.examples.doctor.ClusterSnapshot} read once from the Admin API.
 */
@NullMarked
package dev.resilientkafka.examples.doctor;

import org.jspecify.annotations.NullMarked;
