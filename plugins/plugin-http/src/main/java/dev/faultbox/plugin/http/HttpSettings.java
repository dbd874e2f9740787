package dev.faultbox.plugin.http;

import dev.faultbox.plugin.support.Config;
import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.Route;
import java.util.List;
import java.util.Map;

/**
 * A checked definition: the protocol, the config with defaults applied, and the compiled routes
 * with every static response encoded. Built by {@code validate()} and again by {@code start()}.
 */
record HttpSettings(
    String protocol, int maxBodyBytes, int maxHeaderBytes, long idleTimeoutMs, RouteTable routes) {

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

    for (Route route : definition.routes()) {
      checkResponse("route \"" + route.pattern() + "\": ", route.response());
    }
    MockResponse fallback = definition.defaultResponse().orElse(null);
    if (fallback != null) {
      checkResponse("default: ", fallback);
    }
    RouteTable routes = RouteTable.compile(definition.routes(), fallback);
    return new HttpSettings(protocol, (int) maxBody, (int) maxHeader, idle, routes);
  }

  private static void checkResponse(String where, MockResponse response)
      throws InvalidMockException {
    if (response instanceof MockResponse.GrpcStatus || response instanceof MockResponse.Message) {
      throw new InvalidMockException(where + (response instanceof MockResponse.Message ? "grpc_response()" : "grpc_error()")
          + " cannot answer an http mock; use json_response(...) or status_only(...)");
    }
    if (response == null
        || (response instanceof MockResponse.Dynamic d && d.handler() == null)
        || (response instanceof MockResponse.Static s && s.body() == null)) {
      throw new InvalidMockException(where + "no response");
    }
    if (response instanceof MockResponse.Static s) {
      String problem = Responses.problem(s);
      if (problem != null) {
        throw new InvalidMockException(where + problem);
      }
    }
  }
}
