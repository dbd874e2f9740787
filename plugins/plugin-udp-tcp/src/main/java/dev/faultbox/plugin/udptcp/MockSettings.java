package dev.faultbox.plugin.udptcp;

import dev.faultbox.plugin.support.Config;
import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.Route;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A checked definition: the protocol, its config with defaults applied, and routes whose responses
 * this plugin can send. Built once, by {@code prepare()}.
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
        throw Config.unknownKey(protocol, key, accepted);
      }
      if (key.equals(MAX_LINE_BYTES)) {
        maxLineBytes = (int) Config.intIn(protocol, key, entry.getValue(), 1, MAX_MAX_LINE_BYTES);
      } else {
        idleTimeoutMs = Config.intIn(protocol, key, entry.getValue(), 1, MAX_IDLE_TIMEOUT_MS);
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
    // Named after the gRPC constructors that build these, as specs have always been told.
    if (response instanceof MockResponse.Status || response instanceof MockResponse.Structured) {
      throw new InvalidMockException((response instanceof MockResponse.Structured ? "grpc_response()" : "grpc_error()")
          + " cannot answer a " + protocol + " mock; use bytes_response(data = ...)");
    }
    if (response instanceof MockResponse.Composite c) {
      throw new InvalidMockException(c.kind() + "(...) cannot answer a " + protocol + " mock; use bytes_response(data = ...)");
    }
    if (response == null
        || (response instanceof MockResponse.Static s && s.body() == null)
        || (response instanceof MockResponse.Dynamic d && d.handler() == null)) {
      throw new InvalidMockException(protocol + " mock route has no response");
    }
  }
}
