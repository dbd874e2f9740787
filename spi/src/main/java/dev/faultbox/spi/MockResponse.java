package dev.faultbox.spi;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * What a route answers. Static bodies are encoded once, when the spec loads, never per request.
 * The hierarchy is closed; a protocol that needs a new shape adds a record here.
 */
public sealed interface MockResponse {

  /**
   * A fixed answer.
   *
   * @param status protocol status (HTTP status; 0 where a protocol has none)
   * @param headers extra headers, in declaration order
   * @param body the encoded body
   * @param contentType the body's media type, when the constructor implies one
   */
  record Static(int status, Map<String, String> headers, byte[] body, Optional<String> contentType)
      implements MockResponse {
    public Static {
      headers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(headers));
    }

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** A gRPC status: {@code code} 1..16 (canonical numbering) with a message. */
  record GrpcStatus(int code, String message) implements MockResponse {}

  /** An answer computed per request by a spec function. */
  record Dynamic(DynamicHandler handler) implements MockResponse {}
}
