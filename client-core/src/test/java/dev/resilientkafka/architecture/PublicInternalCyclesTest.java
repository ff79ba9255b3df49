package dev.resilientkafka.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * client-core's public types and its internals do not depend on each other in a circle: internal code may
 * use the public API (listeners, exceptions, key constants), but never reaches back, through internal
 * classes only, to a public type that uses it. A public facade stays a layer above what it delegates to,
 * as Kafka's {@code clients.producer} is above {@code clients.producer.internals}. Nested and anonymous
 * classes count as their top-level class.
 */
class PublicInternalCyclesTest {
  private static final String ROOT = "dev.resilientkafka";
  private static final String INTERNAL = "dev.resilientkafka.internal.";

  @Test
  void noPublicTypeIsReachedBackFromTheInternalsItUses() {
    JavaClasses classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
        .importPackages(ROOT);
    Map<String, Set<String>> graph = new TreeMap<>();
    for (JavaClass javaClass : classes) {
      Set<String> targets = graph.computeIfAbsent(topLevel(javaClass.getName()), k -> new TreeSet<>());
      for (Dependency dependency : javaClass.getDirectDependenciesFromSelf()) {
        String target = topLevel(dependency.getTargetClass().getName());
        if (target.startsWith(ROOT + ".") && !target.equals(topLevel(javaClass.getName()))) {
          targets.add(target);
        }
      }
    }
    assertThat(graph.keySet()).as("imported client-core classes").anyMatch(name -> name.startsWith(INTERNAL))
        .contains(ROOT + ".ResilientProducer");

    List<String> cycles = new ArrayList<>();
    for (Map.Entry<String, Set<String>> entry : graph.entrySet()) {
      String publicType = entry.getKey();
      if (publicType.startsWith(INTERNAL)) {
        continue;
      }
      for (String used : entry.getValue()) {
        if (used.startsWith(INTERNAL)) {
          List<String> back = pathThroughInternals(graph, used, publicType);
          if (back != null) {
            cycles.add(simple(publicType) + " -> " + String.join(" -> ", back.stream().map(PublicInternalCyclesTest::simple).toList()));
          }
        }
      }
    }
    System.out.printf("%d client-core classes, %d public; cycles between a public type and internal ones: %s%n",
        graph.size(), graph.keySet().stream().filter(n -> !n.startsWith(INTERNAL)).count(), cycles);
    assertThat(cycles).as("public -> internal -> ... -> the same public type").isEmpty();
  }

  /** The path from {@code start} to {@code goal} through internal classes only, or null. */
  private static List<String> pathThroughInternals(Map<String, Set<String>> graph, String start, String goal) {
    Map<String, String> cameFrom = new LinkedHashMap<>();
    Deque<String> queue = new ArrayDeque<>(List.of(start));
    cameFrom.put(start, null);
    while (!queue.isEmpty()) {
      String current = queue.poll();
      for (String next : graph.getOrDefault(current, Set.of())) {
        if (next.equals(goal)) {
          List<String> path = new ArrayList<>(List.of(goal));
          for (String at = current; at != null; at = cameFrom.get(at)) {
            path.add(0, at);
          }
          return path;
        }
        if (next.startsWith(INTERNAL) && !cameFrom.containsKey(next)) {
          cameFrom.put(next, current);
          queue.add(next);
        }
      }
    }
    return null;
  }

  private static String topLevel(String name) {
    int dollar = name.indexOf('$');
    return dollar < 0 ? name : name.substring(0, dollar);
  }

  private static String simple(String name) {
    return name.substring(ROOT.length() + 1);
  }
}
