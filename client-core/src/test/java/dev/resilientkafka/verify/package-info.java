/**
 * The verification suite: the failure matrix (Kafka's replication-test modes and the Kubernetes pod
 * faults) with a Jepsen-style delivery checker, seeded random fault schedules, bad input and misuse, and
 * TLS through moving brokers.
 */
@NullMarked
package dev.resilientkafka.verify;

import org.jspecify.annotations.NullMarked;
