package dev.resilientkafka.internal.rack;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A JSON object answered by the Kubernetes API or a cloud metadata service, read with jackson-jr into
 * plain maps (only a few fields are ever read, so no bound classes). Immutable after parsing.
 */
final class JsonDocument {
  private final Map<String, Object> root;

  private JsonDocument(Map<String, Object> root) {
    this.root = root;
  }

  /**
   * Parses {@code body}, which must be one JSON object.
   *
   * @throws IOException with the parser's message (it names line and column) when it is not
   */
  static JsonDocument parse(String body) throws IOException {
    Map<String, Object> root = JSON.std.mapFrom(body);
    if (root == null) {
      throw new IOException("empty answer where a JSON object was expected");
    }
    return new JsonDocument(root);
  }

  /** The object at {@code path} (each element a field name), or null when a field is absent or not an object. */
  @Nullable Map<?, ?> objectAt(String... path) {
    Object node = root;
    for (String field : path) {
      if (!(node instanceof Map<?, ?> map)) {
        return null;
      }
      node = map.get(field);
    }
    return node instanceof Map<?, ?> map ? map : null;
  }

  /** The string field {@code field} of the top-level object, or null when absent or not a string. */
  @Nullable String string(String field) {
    return root.get(field) instanceof String value ? value : null;
  }
}
