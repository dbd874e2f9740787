package dev.faultbox.spi;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a plugin needs to serve one interface of a mock, as declared in the spec. Immutable.
 *
 * @param service the mock's service name
 * @param iface the interface to serve
 * @param routes routes in declaration order
 * @param defaultResponse the answer when no route matches; empty means the protocol's own
 * @param tls whether to terminate TLS
 * @param config the opaque {@code config=} dict as plain Java values: String, Long, Double,
 *     Boolean, byte[], List and Map (String keys), in declaration order
 * @param specDirectory the directory of the root spec, for files a config names
 * @param declaredAt where {@code mock_service(...)} was called
 */
public record MockDefinition(
    String service,
    InterfaceSpec iface,
    List<Route> routes,
    Optional<MockResponse> defaultResponse,
    boolean tls,
    Map<String, Object> config,
    Path specDirectory,
    SourceLocation declaredAt) {

  public MockDefinition {
    routes = List.copyOf(routes);
    config = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(config));
  }

  /** A new event of this mock's interface. */
  public MockEvent event(String op, Map<String, ?> fields) {
    return new MockEvent(service, iface.name(), op, Map.copyOf(fields));
  }
}
