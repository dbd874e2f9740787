package dev.faultbox.spi;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** What a step returns to the spec: a response value, or a plain value such as a string. */
public sealed interface StepResult {

  /**
   * A response, seen by the spec with {@code .status .body .json .ok .error .headers .duration_ms}.
   *
   * @param ok whether the exchange itself succeeded (an HTTP 500 is still ok)
   * @param status protocol status, 0 where none
   * @param body the reply body
   * @param headers reply headers, first value each
   * @param error why it was not ok, empty when ok
   * @param durationMs how long the exchange took
   * @param attributes protocol-specific attributes the spec reads by name, e.g. a gRPC reply's
   *     {@code code} and {@code message}
   */
  record Response(
      boolean ok,
      int status,
      byte[] body,
      Map<String, String> headers,
      String error,
      long durationMs,
      Map<String, String> attributes)
      implements StepResult {
    public Response {
      headers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(headers));
      attributes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(attributes));
    }

    /** A response with no protocol-specific attributes. */
    public Response(boolean ok, int status, byte[] body, Map<String, String> headers, String error, long durationMs) {
      this(ok, status, body, headers, error, durationMs, Map.of());
    }

    public static Response failed(String error, long durationMs) {
      return new Response(false, 0, new byte[0], Map.of(), error, durationMs);
    }

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** A plain value (String, Long, Double, Boolean, List, Map or null) returned as is. */
  record Value(Object value) implements StepResult {}
}
