package dev.resilientkafka.spring;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** {@link ResilientKafkaProperties} bound as Boot binds them, from {@code name=value} pairs (the rest defaults). */
final class BoundProperties {
  private BoundProperties() {}

  static ResilientKafkaProperties of(String... pairs) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      values.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return new Binder(new MapConfigurationPropertySource(values))
        .bindOrCreate(ResilientKafkaProperties.PREFIX, ResilientKafkaProperties.class);
  }
}
