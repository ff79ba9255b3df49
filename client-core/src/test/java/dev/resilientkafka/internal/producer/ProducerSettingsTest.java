package dev.resilientkafka.internal.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** The Kafka settings the inner producer gets where the application gave none. */
class ProducerSettingsTest {
  private static Map<String, Object> config(Map<String, Object> extra) {
    Map<String, Object> config = new HashMap<>(extra);
    config.put("bootstrap.servers", "unused:9092");
    return config;
  }

  @Test
  void requestsTimeOutAfterFifteenSecondsUnlessTheApplicationSaysOtherwiseOrIdempotenceIsOff() {
    assertThat(ProducerSettings.parse(config(Map.of())).innerConfig)
        .containsEntry("request.timeout.ms", 15_000)
        .containsEntry("partitioner.availability.timeout.ms", 1_000L);
    assertThat(ProducerSettings.parse(config(Map.of("request.timeout.ms", "30000"))).innerConfig)
        .containsEntry("request.timeout.ms", "30000");
    // not idempotent: an early retry could write a record twice, so Kafka's 30 s stays
    assertThat(ProducerSettings.parse(config(Map.of("resilient.availability.mode", true, "enable.idempotence", false)))
        .innerConfig).doesNotContainKey("request.timeout.ms");
    assertThat(ProducerSettings.parse(config(Map.of("resilient.availability.mode", true, "acks", "1"))).innerConfig)
        .doesNotContainKey("request.timeout.ms");
    assertThatThrownBy(() -> ProducerSettings.parse(config(Map.of("resilient.availability.mode", true, "acks", "1",
        "resilient.delivery.timeout.ms", 20_000))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("(30005)");
    // availability mode with Kafka's idempotent defaults kept: idempotent, so the shorter timeout applies
    assertThat(ProducerSettings.parse(config(Map.of("resilient.availability.mode", true, "acks", "all"))).innerConfig)
        .containsEntry("request.timeout.ms", 15_000);
  }

  @Test
  void theDeliveryTimeoutMustCoverLingerAndTheRequestTimeoutInForce() {
    assertThat(ProducerSettings.parse(config(Map.of("resilient.delivery.timeout.ms", 15_005))).deliveryTimeout)
        .hasMillis(15_005);
    assertThatThrownBy(() -> ProducerSettings.parse(config(Map.of("resilient.delivery.timeout.ms", 15_004))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("resilient.delivery.timeout.ms")
        .hasMessageContaining("must be >= linger.ms + request.timeout.ms (15005)");
    assertThatThrownBy(() -> ProducerSettings.parse(config(Map.of("resilient.delivery.timeout.ms", 20_000,
        "request.timeout.ms", 30_000))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("(30005)");
  }
}
