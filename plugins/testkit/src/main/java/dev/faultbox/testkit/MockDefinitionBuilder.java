package dev.faultbox.testkit;

import dev.faultbox.spi.DynamicHandler;
import dev.faultbox.spi.InterfaceSpec;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.Route;
import dev.faultbox.spi.SourceLocation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Builds {@link MockDefinition}s the way the kernel would from a spec:
 *
 * <pre>{@code
 * MockDefinition def = MockDefinitionBuilder.mock("legacy", "tcp", port)
 *     .route("PING", "PONG\n")
 *     .defaultBody("ERR unknown\n")
 *     .config("idle_timeout_ms", 500L)
 *     .build();
 * }</pre>
 */
public final class MockDefinitionBuilder {

  private final String service;
  private String ifaceName = "main";
  private String protocol;
  private int port;
  private final List<Route> routes = new ArrayList<>();
  private MockResponse defaultResponse;
  private boolean tls;
  private final Map<String, Object> config = new LinkedHashMap<>();

  private MockDefinitionBuilder(String service, String protocol, int port) {
    this.service = Objects.requireNonNull(service, "service");
    this.protocol = Objects.requireNonNull(protocol, "protocol");
    this.port = port;
  }

  /** A definition of {@code interface("main", protocol, port)} of {@code service}. */
  public static MockDefinitionBuilder mock(String service, String protocol, int port) {
    return new MockDefinitionBuilder(service, protocol, port);
  }

  /** A fixed response with status 0, no headers and the UTF-8 bytes of {@code body}. */
  public static MockResponse.Static body(String body) {
    return body(body.getBytes(StandardCharsets.UTF_8));
  }

  /** A fixed response with status 0, no headers and {@code body}. */
  public static MockResponse.Static body(byte[] body) {
    return new MockResponse.Static(0, Map.of(), body.clone(), Optional.empty());
  }

  /** A response computed per request by {@code handler}. */
  public static MockResponse.Dynamic dynamic(DynamicHandler handler) {
    return new MockResponse.Dynamic(handler);
  }

  public MockDefinitionBuilder iface(String name, String protocol, int port) {
    this.ifaceName = Objects.requireNonNull(name, "name");
    this.protocol = Objects.requireNonNull(protocol, "protocol");
    this.port = port;
    return this;
  }

  public MockDefinitionBuilder port(int port) {
    this.port = port;
    return this;
  }

  /** Adds a route; routes keep the order they are added in. */
  public MockDefinitionBuilder route(String pattern, MockResponse response) {
    routes.add(new Route(pattern, response));
    return this;
  }

  public MockDefinitionBuilder route(String pattern, String body) {
    return route(pattern, body(body));
  }

  public MockDefinitionBuilder defaultResponse(MockResponse response) {
    this.defaultResponse = response;
    return this;
  }

  public MockDefinitionBuilder defaultBody(String body) {
    return defaultResponse(body(body));
  }

  public MockDefinitionBuilder tls(boolean tls) {
    this.tls = tls;
    return this;
  }

  /** Adds a {@code config=} entry; values are plain Java values (Long, String, ...). */
  public MockDefinitionBuilder config(String key, Object value) {
    config.put(key, value);
    return this;
  }

  public MockDefinition build() {
    return new MockDefinition(
        service,
        new InterfaceSpec(ifaceName, protocol, port),
        routes,
        Optional.ofNullable(defaultResponse),
        tls,
        config,
        Path.of("."),
        new SourceLocation("test.star", 1, 1));
  }
}
