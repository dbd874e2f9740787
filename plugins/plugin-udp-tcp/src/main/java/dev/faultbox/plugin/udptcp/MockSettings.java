package dev.faultbox.plugin.udptcp;

import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.Route;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A checked definition: the protocol, its config with defaults applied, and routes whose responses
 * this plugin can send. Built by {@code validate()} and again by {@code start()}.
 */
record MockSettings(String protocol, int maxLineBytes, long idleTimeoutMs) {

  static final String MAX_LINE_BYTES = "max_line_bytes";
  static final String IDLE_TIMEOUT_MS = "idle_timeout_ms";
  static final int DEFAULT_MAX_LINE_BYTES = 65536;
  static final long DEFAULT_IDLE_TIMEOUT_MS = 10_000;
  /** Large enough for any sane line protocol; bounds what one connection may buffer. */
  static final int MAX_MAX_LINE_BYTES = 16 * 1024 * 1024;
  /** One day: longer would only hide a stuck client. */
  static final long MAX_IDLE_TIMEOUT_MS = 86_400_000L;

  private static final List<String> TCP_KEYS = List.of(IDLE_TIMEOUT_MS, MAX_LINE_BYTES);

  static MockSettings of(MockDefinition definition) throws InvalidMockException {
    String protocol = definition.iface().protocol();
    if (!UdpTcpProtocol.TCP.equals(protocol) && !UdpTcpProtocol.UDP.equals(protocol)) {
      throw new InvalidMockException(
          "the udp-tcp plugin serves tcp and udp, not \"" + protocol + "\"");
    }
    int port = definition.iface().port();
    if (port < 0 || port > 65535) {
      throw new InvalidMockException("port " + port + " is not in 0..65535");
    }
    checkResponses(protocol, definition.routes(), definition.defaultResponse());

    int maxLineBytes = DEFAULT_MAX_LINE_BYTES;
    long idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS;
    List<String> accepted = protocol.equals(UdpTcpProtocol.TCP) ? TCP_KEYS : List.of();
    for (Map.Entry<String, Object> entry : definition.config().entrySet()) {
      String key = entry.getKey();
      if (!accepted.contains(key)) {
        throw new InvalidMockException(
            protocol + " mock config has no key \"" + key + "\"; accepted: "
                + (accepted.isEmpty() ? "none" : String.join(", ", accepted)));
      }
      if (key.equals(MAX_LINE_BYTES)) {
        maxLineBytes = (int) positiveInt(protocol, key, entry.getValue(), MAX_MAX_LINE_BYTES);
      } else {
        idleTimeoutMs = positiveInt(protocol, key, entry.getValue(), MAX_IDLE_TIMEOUT_MS);
      }
    }
    return new MockSettings(protocol, maxLineBytes, idleTimeoutMs);
  }

  private static void checkResponses(
      String protocol, List<Route> routes, Optional<MockResponse> defaultResponse)
      throws InvalidMockException {
    for (Route route : routes) {
      if (route.pattern() == null) {
        throw new InvalidMockException(protocol + " mock route has no pattern");
      }
      checkResponse(protocol, route.response());
    }
    if (defaultResponse.isPresent()) {
      checkResponse(protocol, defaultResponse.get());
    }
  }

  private static void checkResponse(String protocol, MockResponse response)
      throws InvalidMockException {
    if (response instanceof MockResponse.GrpcStatus) {
      throw new InvalidMockException(
          "grpc_error() cannot answer a " + protocol + " mock; use bytes_response(data = ...)");
    }
    if (response == null
        || (response instanceof MockResponse.Static s && s.body() == null)
        || (response instanceof MockResponse.Dynamic d && d.handler() == null)) {
      throw new InvalidMockException(protocol + " mock route has no response");
    }
  }

  private static long positiveInt(String protocol, String key, Object value, long max)
      throws InvalidMockException {
    if (!(value instanceof Long || value instanceof Integer)) {
      throw new InvalidMockException(
          protocol + " mock config \"" + key + "\" must be an int, got " + starlarkType(value));
    }
    long n = ((Number) value).longValue();
    if (n <= 0 || n > max) {
      throw new InvalidMockException(
          protocol + " mock config \"" + key + "\" must be in 1.." + max + ", got " + n);
    }
    return n;
  }

  /** The Starlark name of a plain config value's type, for messages. */
  static String starlarkType(Object value) {
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
