package dev.faultbox.spi;

import java.util.Map;

/**
 * One handled request (or a notable moment, like a refused frame), as a plugin reports it. The
 * kernel adds {@code seq}, a timestamp, {@code kind = "mock"} and {@code type = "mock." + op}.
 *
 * @param service the mock's service name
 * @param iface the interface name
 * @param op what happened, e.g. {@code recv} or {@code GET /users/42}
 * @param fields string details such as {@code status}, {@code req_size}
 */
public record MockEvent(String service, String iface, String op, Map<String, String> fields) {
  public MockEvent {
    fields = Map.copyOf(fields);
  }
}
