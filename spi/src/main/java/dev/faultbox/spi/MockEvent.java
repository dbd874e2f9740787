package dev.faultbox.spi;

import java.util.Map;

/**
 * One handled request (or a notable moment, like a refused frame), as a plugin reports it. The
 * kernel adds {@code seq}, a timestamp, {@code kind = "mock"} and {@code type = "mock." + op}.
 *
 * <p>Field values are plain Java: {@code String}, {@code Integer}/{@code Long}/{@code Double},
 * {@code Boolean}, or {@code List}/{@code Map} (string keys) of these. Numbers stay numbers, so a
 * spec reads {@code e.status == 204}; a glob filter ({@code where(status = "2*")}) matches a
 * value's text, and a structured value's text is its JSON.
 *
 * @param service the mock's service name
 * @param iface the interface name
 * @param op what happened, e.g. {@code recv} or {@code GET /users/42}
 * @param fields details such as {@code status}, {@code req_size}; no null keys or values
 */
public record MockEvent(String service, String iface, String op, Map<String, Object> fields) {
  public MockEvent {
    fields = Map.copyOf(fields);
  }
}
