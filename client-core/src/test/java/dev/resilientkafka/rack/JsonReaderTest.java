package dev.resilientkafka.rack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.resilientkafka.internal.rack.JsonReader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonReaderTest {
  @Test
  @SuppressWarnings("unchecked")
  void readsNestedObjectsArraysAndScalars() {
    Object doc = JsonReader.parse(" {\"a\": {\"b\": [1, -2.5e3, true, false, null, \"x\"]}, \"c\": {}} ");
    Map<?, ?> a = JsonReader.objectAt(doc, "a");
    assertThat(a).isNotNull();
    assertThat((List<Object>) a.get("b")).containsExactly(1.0, -2500.0, true, false, JsonReader.NULL, "x");
    assertThat(JsonReader.objectAt(doc, "c")).isEmpty();
    assertThat(JsonReader.stringAt(doc, "a", "b")).isNull();
    assertThat(JsonReader.stringAt(doc, "missing", "x")).isNull();
  }

  @Test
  void decodesEveryEscape() {
    Object doc = JsonReader.parse("{\"s\":\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9\\u20AC\"}");
    assertThat(JsonReader.stringAt(doc, "s")).isEqualTo("q\" b\\ s/ \b\f\n\r\t \u00e9\u20ac");
  }

  @Test
  void rejectsMalformedDocumentsWithTheOffset() {
    assertThatThrownBy(() -> JsonReader.parse("{\"a\":1,}")).hasMessageContaining("offset 7");
    assertThatThrownBy(() -> JsonReader.parse("{\"a\" 1}")).hasMessageContaining("expected ':'");
    assertThatThrownBy(() -> JsonReader.parse("[1 2]")).hasMessageContaining("expected ',' or ']'");
    assertThatThrownBy(() -> JsonReader.parse("\"open")).hasMessageContaining("unterminated string");
    assertThatThrownBy(() -> JsonReader.parse("01")).hasMessageContaining("trailing");
    assertThatThrownBy(() -> JsonReader.parse("{} x")).hasMessageContaining("trailing");
    assertThatThrownBy(() -> JsonReader.parse("")).hasMessageContaining("end of input");
    assertThatThrownBy(() -> JsonReader.parse("tru")).hasMessageContaining("unexpected token");
    assertThatThrownBy(() -> JsonReader.parse("\"\\x\"")).hasMessageContaining("bad escape");
    assertThatThrownBy(() -> JsonReader.parse("\"a\nb\"")).hasMessageContaining("control character");
    assertThatThrownBy(() -> JsonReader.parse("[".repeat(100))).hasMessageContaining("nesting");
  }
}
