package dev.resilientkafka.internal.config;

import dev.resilientkafka.ResilientBootstrapConfig;
import dev.resilientkafka.ResilientConsumerConfig;
import dev.resilientkafka.ResilientProducerConfig;
import dev.resilientkafka.ResilientRackConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;

/**
 * Renders {@code docs/configuration.md}, the reference of every {@code resilient.*} key, from the key
 * families' {@link ConfigDef}s, so the documentation is never written twice. Run {@link #main} with the
 * file to write (or nothing, to print it); a test fails when the committed file differs. Stateless.
 */
public final class ConfigurationReference {
  /** One family of keys: a public constants class and its definition. */
  public record Family(String title, Class<?> constants, String readBy, ConfigDef definition) {}

  private ConfigurationReference() {}

  /** Every family, in the order of the reference. */
  public static List<Family> families() {
    return List.of(
        new Family("Producer", ResilientProducerConfig.class, "ResilientProducer",
            ResilientProducerConfig.configDef()),
        new Family("Consumer", ResilientConsumerConfig.class, "ResilientConsumer",
            ResilientConsumerConfig.configDef()),
        new Family("Bootstrap from a headless Service", ResilientBootstrapConfig.class,
            "ResilientProducer, ResilientConsumer and ServiceBootstrap", ResilientBootstrapConfig.configDef()),
        new Family("Rack discovery", ResilientRackConfig.class,
            "ResilientConsumer (when client.rack is not set) and RackDiscovery.standard", ResilientRackConfig.configDef()));
  }

  /** The whole reference, in Markdown. */
  public static String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("# Configuration reference\n\n")
        .append("<!-- Generated from the ConfigDefs of the Resilient*Config classes by ConfigurationReference;\n")
        .append("     do not edit. ConfigurationReferenceTest fails when this file differs and rewrites it when run with\n")
        .append("     -Dresilientkafka.docs.update=true. -->\n\n")
        .append("Every `resilient.*` key, given beside Kafka's own keys in a client's configuration (a `Map` or\n")
        .append("`Properties`, or the builders). Each key is defined once, with its type, default, accepted values,\n")
        .append("importance and documentation, in a Kafka `ConfigDef` (`configDef()` of the class named in each\n")
        .append("section), and read with it: a bad value fails the client's construction with\n")
        .append("`Invalid value X for configuration Y: accepted values: ...`, and an unknown key under a family's\n")
        .append("prefix is refused. Spring Boot users set the same through `resilient.kafka.*` properties\n")
        .append("([spring-boot.md](spring-boot.md)).\n\n");
    for (Family family : families()) {
      md.append("- [").append(family.title()).append("](#").append(anchor(family.title())).append(")\n");
    }
    for (Family family : families()) {
      md.append("\n## ").append(family.title()).append("\n\n")
          .append("Defined in `").append(family.constants().getName()).append("`; read by ")
          .append(family.readBy()).append(".\n");
      for (ConfigKey key : family.definition().configKeys().values()) {
        md.append("\n### `").append(key.name).append("`\n\n")
            .append(key.documentation).append("\n\n")
            .append("- Type: ").append(key.type.name().toLowerCase(Locale.ROOT)).append('\n')
            .append("- Default: ").append(defaultOf(key)).append('\n')
            .append("- Valid values: ").append(ParsedConfig.accepted(key)).append('\n')
            .append("- Importance: ").append(key.importance.name().toLowerCase(Locale.ROOT)).append('\n');
      }
    }
    return md.toString();
  }

  /** Writes the reference to {@code args[0]}, or prints it without an argument. */
  public static void main(String[] args) throws IOException {
    if (args.length == 0) {
      System.out.print(markdown());
    } else {
      Files.writeString(Path.of(args[0]), markdown(), StandardCharsets.UTF_8);
    }
  }

  private static String defaultOf(ConfigKey key) {
    Object value = key.defaultValue;
    if (value == null || value instanceof List<?> list && list.isEmpty()) {
      return "none";
    }
    String text = ConfigDef.convertToString(value, key.type);
    return text == null || text.isEmpty() ? "`\"\"`" : "`" + text + "`";
  }

  private static String anchor(String title) {
    return title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 -]", "").replace(' ', '-');
  }
}
