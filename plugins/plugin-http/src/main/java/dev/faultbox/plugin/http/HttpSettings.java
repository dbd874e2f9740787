package dev.faultbox.plugin.http;

import dev.faultbox.plugin.support.Config;
import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.PreparedMock;
import dev.faultbox.spi.Route;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code prepare()} made of a definition, once: the protocol, the config with defaults
 * applied, the compiled routes and every static response encoded. Immutable, so every
 * {@code start()} of it shares it.
 *
 * @param encoded each static route or default response, by identity, encoded
 */
record HttpSettings(
    MockDefinition definition,
    String protocol,
    int maxBodyBytes,
    int maxHeaderBytes,
    long idleTimeoutMs,
    RouteTable routes,
    Map<MockResponse, Responses.Encoded> encoded)
    implements PreparedMock {

  static final String MAX_BODY_BYTES = "max_body_bytes";
  static final String MAX_HEADER_BYTES = "max_header_bytes";
  static final String IDLE_TIMEOUT_MS = "idle_timeout_ms";

  static final int DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
  static final int DEFAULT_MAX_HEADER_BYTES = 8192;
  static final long DEFAULT_IDLE_TIMEOUT_MS = 60_000;

  /** 1 GiB: a mock has no business buffering more of one request. */
  static final long MAX_MAX_BODY_BYTES = 1L << 30;
  /** 1 MiB of request line and headers. */
  static final long MAX_MAX_HEADER_BYTES = 1L << 20;
  /** The smallest header budget that still fits a plain request. */
  static final long MIN_MAX_HEADER_BYTES = 256;
  /** One day: longer would only hide a stuck client. */
  static final long MAX_IDLE_TIMEOUT_MS = 86_400_000L;

  /** Accepted keys, sorted, as the error message lists them. */
  static final List<String> KEYS = List.of(IDLE_TIMEOUT_MS, MAX_BODY_BYTES, MAX_HEADER_BYTES);

  static HttpSettings of(MockDefinition definition) throws InvalidMockException {
    String protocol = definition.iface().protocol();
    if (!HttpProtocol.HTTP.equals(protocol) && !HttpProtocol.HTTP2.equals(protocol)) {
      throw new InvalidMockException(
          "the http plugin serves http and http2, not \"" + protocol + "\"");
    }
    int port = definition.iface().port();
    if (port < 0 || port > 65535) {
      throw new InvalidMockException("port " + port + " is not in 0..65535");
    }

    long maxBody = DEFAULT_MAX_BODY_BYTES;
    long maxHeader = DEFAULT_MAX_HEADER_BYTES;
    long idle = DEFAULT_IDLE_TIMEOUT_MS;
    for (Map.Entry<String, Object> entry : definition.config().entrySet()) {
      String key = entry.getKey();
      Object value = entry.getValue();
      switch (key == null ? "" : key) {
        case MAX_BODY_BYTES -> maxBody = Config.intIn("http", key, value, 0, MAX_MAX_BODY_BYTES);
        case MAX_HEADER_BYTES -> maxHeader = Config.intIn("http", key, value, MIN_MAX_HEADER_BYTES, MAX_MAX_HEADER_BYTES);
        case IDLE_TIMEOUT_MS -> idle = Config.intIn("http", key, value, 1, MAX_IDLE_TIMEOUT_MS);
        default -> throw Config.unknownKey("http", key, KEYS);
      }
    }

    Map<MockResponse, Responses.Encoded> encoded = new IdentityHashMap<>();
    for (Route route : definition.routes()) {
      check("route \"" + route.pattern() + "\": ", route.response(), encoded);
    }
    MockResponse fallback = definition.defaultResponse().orElse(null);
    if (fallback != null) {
      check("default: ", fallback, encoded);
    }
    RouteTable routes = RouteTable.compile(definition.routes(), fallback);
    return new HttpSettings(definition, protocol, (int) maxBody, (int) maxHeader, idle, routes,
        Collections.unmodifiableMap(encoded));
  }

  /** Refuses what HTTP cannot answer with, and encodes a static response into {@code encoded}. */
  private static void check(String where, MockResponse response, Map<MockResponse, Responses.Encoded> encoded)
      throws InvalidMockException {
    if (response instanceof MockResponse.Status || response instanceof MockResponse.Structured
        || response instanceof MockResponse.Composite) {
      throw new InvalidMockException(where + Responses.constructor(response)
          + " is not an HTTP response; use json_response(...), text_response(...) or status_only(...)");
    }
    if (response == null
        || (response instanceof MockResponse.Dynamic d && d.handler() == null)
        || (response instanceof MockResponse.Static s && s.body() == null)) {
      throw new InvalidMockException(where + "no response");
    }
    if (response instanceof MockResponse.Static s && !encoded.containsKey(s)) {
      try {
        encoded.put(s, Responses.encode(s));
      } catch (IllegalArgumentException e) {
        throw new InvalidMockException(where + e.getMessage());
      }
    }
  }
}
