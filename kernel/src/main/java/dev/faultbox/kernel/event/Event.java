package dev.faultbox.kernel.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/**
 * One entry of the event log, in the schema of the reference page:
 * {@code {service, interface, kind, type, fields}}, plus its sequence number, time and op.
 * Field values are plain Java as {@link dev.faultbox.spi.MockEvent} allows: numbers stay numbers.
 */
public record Event(
    long seq,
    long timestampMillis,
    String service,
    String iface,
    String kind,
    String type,
    String op,
    Map<String, Object> fields) {
  /** Made on first use: most events' fields are text and numbers. */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  /** The attributes that are always text; a filter on them must be a string. */
  public static boolean isTextAttribute(String name) {
    return switch (name) {
      case "service", "interface", "kind", "type", "op" -> true;
      default -> false;
    };
  }

  /** Looks up a top-level attribute or, failing that, a field; null when absent. */
  public Object attribute(String name) {
    return switch (name) {
      case "service" -> service;
      case "interface" -> iface;
      case "kind" -> kind;
      case "type" -> type;
      case "op" -> op;
      case "seq" -> seq;
      default -> fields.get(name);
    };
  }

  /** A value's text, as globs see it: strings as they are, numbers in decimal, structures as JSON. */
  public static String text(Object value) {
    if (value == null || value instanceof String) {
      return (String) value;
    }
    if (value instanceof Number || value instanceof Boolean) {
      return value.toString();
    }
    try {
      return Json.MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      return value.toString();
    }
  }
}
