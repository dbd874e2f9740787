package dev.faultbox.plugin.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void writesPlainValuesInOrder() {
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("s", "a\"b\n\u2028");
    value.put("n", 1L);
    value.put("d", 1.0);
    value.put("b", true);
    value.put("z", null);
    value.put("l", List.of(1, "x"));
    assertThat(Json.write(value))
        .isEqualTo("{\"s\":\"a\\\"b\\n\\u2028\",\"n\":1,\"d\":1.0,\"b\":true,\"z\":null,\"l\":[1,\"x\"]}");
  }

  @Test
  void refusesWhatJsonCannotHold() {
    assertThatThrownBy(() -> Json.write(Map.of("a", List.of(Double.NaN))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("JSON cannot hold NaN at a[0]");
    assertThatThrownBy(() -> Json.write(Map.of(1L, "x")))
        .hasMessage("JSON object keys must be str, got int");
    assertThatThrownBy(() -> Json.write(new byte[] {1}))
        .hasMessage("JSON cannot hold a bytes");
  }

  @Test
  void proto3WritesBytesAsBase64AndNonFiniteAsStrings() {
    assertThat(Json.writeProto3(List.of(new byte[] {1, 2, 3}, Double.POSITIVE_INFINITY, Double.NaN)))
        .isEqualTo("[\"AQID\",\"Infinity\",\"NaN\"]");
  }

  @Test
  void parsesToPlainValues() {
    assertThat(Json.parse("{\"a\": [1, 2.5, \"x\", null, true], \"big\": 123456789012345678901234}"))
        .isEqualTo(mapOf("a", java.util.Arrays.asList(1L, 2.5, "x", null, true), "big", 1.2345678901234568E23));
    assertThatThrownBy(() -> Json.parse("{} x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Json.parse("[".repeat(Json.MAX_DEPTH + 5))).isInstanceOf(IllegalArgumentException.class);
  }

  private static Map<String, Object> mapOf(String k1, Object v1, String k2, Object v2) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(k1, v1);
    m.put(k2, v2);
    return m;
  }
}
