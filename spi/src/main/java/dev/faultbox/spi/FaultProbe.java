package dev.faultbox.spi;

import java.util.Map;

/**
 * A request described in neutral terms so fault rules can match it.
 *
 * @param op the event op the request will be recorded under
 * @param method the method: HTTP method, gRPC full method, command; empty where none
 * @param path the HTTP path, empty where none
 * @param attributes other matchable attributes: {@code topic}, {@code key}, {@code collection},
 *     {@code prefix} (the first bytes of a line or datagram)
 */
public record FaultProbe(String op, String method, String path, Map<String, String> attributes) {
  public FaultProbe {
    attributes = Map.copyOf(attributes);
  }
}
