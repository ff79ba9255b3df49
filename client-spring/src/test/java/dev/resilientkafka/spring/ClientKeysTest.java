package dev.resilientkafka.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.resilientkafka.ResilientBootstrapConfig;
import dev.resilientkafka.ResilientConsumerConfig;
import dev.resilientkafka.ResilientProducerConfig;
import dev.resilientkafka.ResilientRackConfig;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.junit.jupiter.api.Test;

/**
 * The {@code resilient.kafka.*} properties against the clients' key definitions ({@code configDef()} of
 * each {@code Resilient*Config} class): every key has a property or a written reason why not, and each
 * property's default, as Boot binds it, is the key's default.
 */
class ClientKeysTest {
  private record Family(String name, ConfigDef definition, List<ClientKeys.Mapping> mappings) {}

  private static final List<Family> FAMILIES = List.of(
      new Family("producer", ResilientProducerConfig.configDef(), ClientKeys.PRODUCER),
      new Family("consumer", ResilientConsumerConfig.configDef(), ClientKeys.CONSUMER),
      new Family("bootstrap", ResilientBootstrapConfig.configDef(), ClientKeys.BOOTSTRAP),
      new Family("rack", ResilientRackConfig.configDef(), ClientKeys.RACK));

  @Test
  void everyClientKeyHasAPropertyOrAReasonWhyNot() {
    List<String> problems = new ArrayList<>();
    Set<String> allKeys = new HashSet<>();
    for (Family family : FAMILIES) {
      allKeys.addAll(family.definition().names());
      Set<String> mapped = family.mappings().stream().map(ClientKeys.Mapping::key).collect(Collectors.toSet());
      for (String key : family.definition().names()) {
        boolean exposed = mapped.contains(key);
        String reason = ClientKeys.NOT_EXPOSED.get(key);
        if (!exposed && (reason == null || reason.isBlank())) {
          problems.add(key + " (" + family.name() + ") has no resilient.kafka.* property and no reason in ClientKeys.NOT_EXPOSED");
        }
        if (exposed && reason != null) {
          problems.add(key + " has a property and is listed as not exposed");
        }
      }
      for (String key : mapped) {
        if (!family.definition().names().contains(key)) {
          problems.add(key + " is mapped for the " + family.name() + " but not defined in its configDef()");
        }
      }
    }
    for (String key : ClientKeys.NOT_EXPOSED.keySet()) {
      if (!allKeys.contains(key)) {
        problems.add(key + " is listed as not exposed but no configDef() defines it");
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void eachPropertyDefaultsToItsKeysDefault() {
    ResilientKafkaProperties defaults = BoundProperties.of();
    List<String> problems = new ArrayList<>();
    for (Family family : FAMILIES) {
      for (ClientKeys.Mapping mapping : family.mappings()) {
        ConfigKey key = family.definition().configKeys().get(mapping.key());
        Object value = mapping.value().apply(defaults);
        if (value == null) {
          continue; // not passed: the key keeps its own default
        }
        Object parsed = ConfigDef.parseType(key.name, value, key.type);
        if (key.validator != null) {
          key.validator.ensureValid(key.name, parsed);
        }
        if (!Objects.equals(parsed, key.defaultValue)) {
          problems.add("resilient.kafka." + mapping.property() + " defaults to " + parsed + " for " + key.name
              + ", whose default is " + key.defaultValue);
        }
      }
    }
    System.out.printf("%d properties checked against their keys' defaults%n",
        FAMILIES.stream().mapToInt(f -> f.mappings().size()).sum());
    assertThat(problems).isEmpty();
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyMappedPropertyIsInTheConfigurationMetadata() throws Exception {
    Set<String> described;
    try (InputStream in = ClientKeysTest.class.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      List<Map<String, Object>> properties = (List<Map<String, Object>>) JSON.std.mapFrom(in).get("properties");
      described = properties.stream().filter(p -> p.get("description") != null)
          .map(p -> String.valueOf(p.get("name"))).collect(Collectors.toSet());
    }
    List<String> missing = FAMILIES.stream().flatMap(f -> f.mappings().stream())
        .map(m -> ResilientKafkaProperties.PREFIX + "." + m.property()).filter(name -> !described.contains(name)).toList();
    assertThat(missing).isEmpty();
  }
}
