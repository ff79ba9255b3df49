package dev.resilientkafka.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilientkafka.internal.config.ConfigurationReference;
import dev.resilientkafka.internal.config.ConfigurationReference.Family;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.junit.jupiter.api.Test;

/**
 * The configuration reference ({@code docs/configuration.md}) is what the ConfigDefs say, and every key is
 * documented. Run with {@code -Dresilientkafka.docs.update=true} to rewrite the file after changing a key.
 */
class ConfigurationReferenceTest {
  private static final Path REFERENCE = Path.of("..", "docs", "configuration.md");

  @Test
  void everyKeyHasDocumentationAndEveryKeyConstantIsDefined() throws IllegalAccessException {
    List<String> problems = new ArrayList<>();
    for (Family family : ConfigurationReference.families()) {
      for (ConfigKey key : family.definition().configKeys().values()) {
        if (key.documentation == null || key.documentation.isBlank()) {
          problems.add(key.name + " has no documentation");
        } else if (!key.documentation.strip().endsWith(".")) {
          problems.add(key.name + "'s documentation is not a sentence: " + key.documentation);
        }
        if (key.importance == null) {
          problems.add(key.name + " has no importance");
        }
      }
      // a public key constant that the ConfigDef does not define would be a key nobody reads
      for (Field field : family.constants().getFields()) {
        if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class && !field.getName().startsWith("DEFAULT_")
            && !field.getName().equals("PREFIX") && ((String) field.get(null)).startsWith("resilient.")
            && !family.definition().names().contains((String) field.get(null))) {
          problems.add(family.constants().getSimpleName() + "." + field.getName() + " = " + field.get(null)
              + " is not defined in its configDef()");
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void theCommittedReferenceIsWhatTheConfigDefsSay() throws IOException {
    String expected = ConfigurationReference.markdown();
    if (Boolean.getBoolean("resilientkafka.docs.update")) {
      Files.writeString(REFERENCE, expected, StandardCharsets.UTF_8);
    }
    assertThat(REFERENCE).as("docs/configuration.md").exists();
    String committed = Files.readString(REFERENCE, StandardCharsets.UTF_8);
    assertThat(committed)
        .as("docs/configuration.md differs from the ConfigDefs; regenerate it with ./mvnw -B -ntp -pl client-core -am"
            + " verify -Dtest=ConfigurationReferenceTest -Dsurefire.failIfNoSpecifiedTests=false"
            + " -Dresilientkafka.docs.update=true and commit it")
        .isEqualTo(expected);
  }
}
