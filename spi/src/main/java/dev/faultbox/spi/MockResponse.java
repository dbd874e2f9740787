package dev.faultbox.spi;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a route answers, in shapes any protocol can take; each protocol says in
 * {@link ProtocolFactory#prepare} which it accepts and refuses the rest. Static bodies are encoded
 * once, when the spec loads, never per request.
 */
public sealed interface MockResponse {

  /**
   * A fixed answer of bytes.
   *
   * @param status protocol status (HTTP status; 0 where a protocol has none)
   * @param headers extra headers, in declaration order
   * @param body the encoded body
   * @param contentType the body's media type, when the constructor implies one
   *     ({@code json_response}, {@code text_response}); empty for raw bytes
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

  /**
   * A protocol status with a message, such as a gRPC {@code UNAVAILABLE}.
   *
   * @param code the code as the spec wrote it: a number ({@code "14"}) or a name the protocol
   *     knows ({@code "UNAVAILABLE"}); the protocol resolves it
   * @param message the status message
   * @param details structured error details the protocol encodes itself (gRPC's
   *     {@code google.rpc.Status} details, each a map with an {@code @type}), as plain Java values
   *     (see {@link Structured}); empty for none
   */
  record Status(String code, String message, List<Map<String, Object>> details) implements MockResponse {
    public Status {
      java.util.Objects.requireNonNull(code, "code");
      java.util.Objects.requireNonNull(message, "message");
      details = List.copyOf(details);
    }

    /** A status without details. */
    public Status(String code, String message) {
      this(code, message, List.of());
    }
  }

  /**
   * A structured body the protocol encodes itself (a gRPC message against the method's output
   * type, or as {@code google.protobuf.Struct}), as plain Java values: String, Long, Double,
   * Boolean, byte[], List and Map with String keys. Plugins encode it once, in prepare, when
   * nothing about it depends on the request.
   */
  record Structured(Map<String, Object> body) implements MockResponse {
    public Structured {
      body = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(body));
    }
  }

  /** An answer computed per request by a spec function. */
  record Dynamic(DynamicHandler handler) implements MockResponse {}

  /**
   * An answer in a shape only its protocol knows, built by that plugin's own Starlark prelude
   * (a gRPC message stream, a reply to a client stream): the protocol reads {@code parts} and
   * refuses a {@code kind} it does not know.
   *
   * @param kind the shape's name, prefixed by its protocol ({@code "grpc.stream"})
   * @param parts plain Java values as in {@link Structured}, where any value may also be a
   *     {@link MockResponse} (a {@code dynamic(fn)}, a status), inside lists and maps too
   */
  record Composite(String kind, Map<String, Object> parts) implements MockResponse {
    public Composite {
      java.util.Objects.requireNonNull(kind, "kind");
      parts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parts));
    }
  }
}
