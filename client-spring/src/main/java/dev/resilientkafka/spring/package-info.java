/**
 * Spring Boot auto-configuration for resilient-kafka: {@code KafkaTemplate} and {@code @KafkaListener}
 * containers get the headless-Service bootstrap, the buffered retry, {@code client.rack}, meters and a
 * health indicator from {@code resilient.kafka.*} properties.
 */
@NullMarked
package dev.resilientkafka.spring;

import org.jspecify.annotations.NullMarked;
