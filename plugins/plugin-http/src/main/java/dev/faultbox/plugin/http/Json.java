package dev.faultbox.plugin.http;

import dev.faultbox.plugin.support.Config;
import dev.faultbox.plugin.support.JsonText;
import java.util.List;
import java.util.Map;

/** Just enough JSON writing for fault bodies and step request bodies. */
final class Json {

  private Json() {}

  /**
   * Encodes a plain value (String, Long, Integer, Double, Boolean, null, List, Map with String
   * keys).
   *
   * @throws IllegalArgumentException naming the first value JSON cannot hold
   */
  static String encode(Object value) {
    StringBuilder out = new StringBuilder();
    write(out, value, 0);
    return out.toString();
  }

  private static void write(StringBuilder out, Object value, int depth) {
    if (depth > 100) {
      throw new IllegalArgumentException("nested more than 100 levels deep");
    }
    if (value == null) {
      out.append("null");
    } else if (value instanceof String s) {
      JsonText.quote(out, s);
    } else if (value instanceof Boolean || value instanceof Long || value instanceof Integer) {
      out.append(value);
    } else if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new IllegalArgumentException("JSON cannot hold " + d);
      }
      if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        out.append((long) d).append(".0");
      } else {
        out.append(d);
      }
    } else if (value instanceof List<?> list) {
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        write(out, list.get(i), depth + 1);
      }
      out.append(']');
    } else if (value instanceof Map<?, ?> map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (!(entry.getKey() instanceof String key)) {
          throw new IllegalArgumentException(
              "JSON object keys must be str, got " + Config.starlarkType(entry.getKey()));
        }
        if (!first) {
          out.append(',');
        }
        first = false;
        JsonText.quote(out, key);
        out.append(':');
        write(out, entry.getValue(), depth + 1);
      }
      out.append('}');
    } else {
      throw new IllegalArgumentException("JSON cannot hold a " + Config.starlarkType(value));
    }
  }
}
