package dev.faultbox.plugin.udptcp;

import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.Route;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Routes compiled once, by {@code prepare()}: each pattern's UTF-8 bytes, in declaration order.
 * Immutable, so every start of a prepared mock shares it.
 */
final class RouteTable {

  /** A chosen response; {@code pattern} is empty for the default. */
  record Match(Optional<String> pattern, MockResponse response) {}

  private record Compiled(String pattern, byte[] prefix, MockResponse response) {}

  private final List<Compiled> routes;
  private final Optional<MockResponse> defaultResponse;

  RouteTable(MockDefinition definition) {
    this.routes =
        definition.routes().stream()
            .map(RouteTable::compile)
            .toList();
    this.defaultResponse = definition.defaultResponse();
  }

  private static Compiled compile(Route route) {
    return new Compiled(
        route.pattern(), route.pattern().getBytes(StandardCharsets.UTF_8), route.response());
  }

  /** The first route whose pattern prefixes {@code request}, else the default, else empty. */
  Optional<Match> match(byte[] request) {
    for (Compiled route : routes) {
      if (startsWith(request, route.prefix())) {
        return Optional.of(new Match(Optional.of(route.pattern()), route.response()));
      }
    }
    return defaultResponse.map(response -> new Match(Optional.empty(), response));
  }

  private static boolean startsWith(byte[] data, byte[] prefix) {
    if (prefix.length > data.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (data[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
