package dev.faultbox.kernel.event;

import java.util.Map;

/**
 * One entry of the event log, in the schema of the reference page:
 * {@code {service, interface, kind, type, fields}}, plus its sequence number, time and op.
 * Field values are strings, as on the wire of the original tool.
 */
public record Event(
    long seq,
    long timestampMillis,
    String service,
    String iface,
    String kind,
    String type,
    String op,
    Map<String, String> fields) {

  /** Looks up a top-level attribute or, failing that, a field; null when absent. */
  public String attribute(String name) {
    return switch (name) {
      case "service" -> service;
      case "interface" -> iface;
      case "kind" -> kind;
      case "type" -> type;
      case "op" -> op;
      case "seq" -> Long.toString(seq);
      default -> fields.get(name);
    };
  }
}
