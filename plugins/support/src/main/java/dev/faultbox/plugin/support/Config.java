package dev.faultbox.plugin.support;

import dev.faultbox.spi.InvalidMockException;
import java.util.List;
import java.util.Map;

/** Checks of {@code config=} values and step arguments, with messages in the spec's terms. */
public final class Config {
  private Config() {}

  /** An int config value within {@code min..max}. */
  public static long intIn(String protocol, String key, Object value, long min, long max)
      throws InvalidMockException {
    if (!(value instanceof Long || value instanceof Integer)) {
      throw new InvalidMockException(
          protocol + " mock config \"" + key + "\" must be an int, got " + starlarkType(value));
    }
    long n = ((Number) value).longValue();
    if (n < min || n > max) {
      throw new InvalidMockException(
          protocol + " mock config \"" + key + "\" must be in " + min + ".." + max + ", got " + n);
    }
    return n;
  }

  /** The error for a config key the protocol does not know; {@code accepted} sorted. */
  public static InvalidMockException unknownKey(String protocol, String key, List<String> accepted) {
    return new InvalidMockException(protocol + " mock config has no key \"" + key + "\"; accepted: "
        + (accepted.isEmpty() ? "none" : String.join(", ", accepted)));
  }

  /** The Starlark name of a plain value's type, for messages. */
  public static String starlarkType(Object value) {
    if (value == null) {
      return "None";
    } else if (value instanceof String) {
      return "str";
    } else if (value instanceof Long || value instanceof Integer) {
      return "int";
    } else if (value instanceof Double || value instanceof Float) {
      return "float";
    } else if (value instanceof Boolean) {
      return "bool";
    } else if (value instanceof byte[]) {
      return "bytes";
    } else if (value instanceof List) {
      return "list";
    } else if (value instanceof Map) {
      return "dict";
    }
    return value.getClass().getSimpleName();
  }
}
