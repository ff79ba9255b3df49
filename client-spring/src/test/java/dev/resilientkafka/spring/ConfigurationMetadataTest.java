package dev.resilientkafka.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What an IDE shows for each property: the configuration metadata the build generates from the
 * properties' javadoc (and the additional metadata file) must describe every property in plain words,
 * without javadoc markup such as {@code {@code ...}}.
 */
class ConfigurationMetadataTest {

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> properties() throws Exception {
    try (InputStream in = ConfigurationMetadataTest.class.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("META-INF/spring-configuration-metadata.json on the classpath").isNotNull();
      Map<String, Object> metadata = JSON.std.mapFrom(in);
      return (List<Map<String, Object>>) metadata.get("properties");
    }
  }

  @Test
  void everyPropertyHasAPlainDescription() throws Exception {
    List<String> problems = new ArrayList<>();
    List<Map<String, Object>> properties = properties();
    for (Map<String, Object> property : properties) {
      String name = String.valueOf(property.get("name"));
      Object description = property.get("description");
      if (!(description instanceof String text) || text.isBlank()) {
        problems.add(name + ": no description");
      } else if (text.contains("{@") || text.contains("<code>") || text.contains("@param") || text.contains("<p>")) {
        problems.add(name + ": markup in '" + text + "'");
      }
    }
    assertThat(problems).isEmpty();
    assertThat(properties).extracting(p -> p.get("name"))
        .contains("resilient.kafka.service", "resilient.kafka.producer.spool-dir",
            "management.health.resilientkafka.enabled");
  }
}
