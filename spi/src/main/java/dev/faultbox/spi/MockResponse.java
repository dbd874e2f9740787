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

  /** A gRPC status: {@code code} 0..16 (canonical numbering) with a message. */
  record GrpcStatus(int code, String message) implements MockResponse {}

  /**
   * A message the protocol encodes itself, given as plain Java values (as in
   * {@link MockDefinition#config()}): a gRPC reply encoded against the method's output type, or as
   * {@code google.protobuf.Struct} when the mock has no descriptors. Plugins encode it once, at
   * start, when nothing about it depends on the request.
   */
  record Message(Map<String, Object> fields) implements MockResponse {
    public Message {
      fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
    }
  }

  /** An answer computed per request by a spec function. */
  record Dynamic(DynamicHandler handler) implements MockResponse {}
}
