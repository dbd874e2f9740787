package dev.faultbox.plugin.http;

import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.SpiVersion;
import dev.faultbox.testkit.MockDefinitionBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class HttpProtocolTest {

  private final HttpProtocol protocol = new HttpProtocol();

  private void invalid(MockDefinitionBuilder builder, String message) {
    assertThatThrownBy(() -> protocol.validate(builder.build()))
        .isInstanceOf(InvalidMockException.class)
        .hasMessage(message);
  }

  @Test
  void serviceLoaderFindsThePlugin() {
    List<MockProtocol> found =
        ServiceLoader.load(MockProtocol.class).stream().map(ServiceLoader.Provider::get).toList();
    assertThat(found).hasAtLeastOneElementOfType(HttpProtocol.class);
    MockProtocol http = found.stream().filter(p -> p instanceof HttpProtocol).findFirst().orElseThrow();
    assertThat(http.id()).isEqualTo("http");
    assertThat(http.protocols()).containsExactlyInAnyOrder("http", "http2");
    assertThat(http.spiVersion()).isEqualTo(SpiVersion.CURRENT);
  }

  @Test
  void stepsPerProtocol() {
    assertThat(protocol.steps("http")).containsOnlyKeys("get", "post", "put", "patch", "delete", "head");
    assertThat(protocol.steps("http2")).containsOnlyKeys("get", "post", "put", "patch", "delete", "head");
    assertThat(protocol.steps("tcp")).isEmpty();
    assertThat(protocol.steps("http").get("post").parameters())
        .containsExactly("path", "body", "headers", "query", "timeout_ms");
  }

  @Test
  void validDefinitionsPass() {
    assertThatCode(
            () ->
                protocol.validate(
                    mock("auth", "http", 8090)
                        .route("GET /a", "x")
                        .route("* /**", "y")
                        .route("POST /users/{id}/posts/*", "z")
                        .defaultBody("d")
                        .config("max_body_bytes", 10L)
                        .config("max_header_bytes", 1024L)
                        .config("idle_timeout_ms", 100L)
                        .build()))
        .doesNotThrowAnyException();
    assertThatCode(() -> protocol.validate(mock("auth", "http2", 0).build())).doesNotThrowAnyException();
  }

  @Test
  void badRouteKeys() {
    invalid(mock("a", "http", 1).route("GET", "x"), "route \"GET\" needs a path: write \"GET /path\"");
    invalid(mock("a", "http", 1).route("G{T /x", "x"), "route \"G{T /x\": \"G{T\" is not an HTTP method");
    invalid(mock("a", "http", 1).route("GET x", "x"), "route \"GET x\": the path must start with \"/\"");
    invalid(
        mock("a", "http", 1).route("GET /a**", "x"),
        "route \"GET /a**\": \"a**\" mixes \"**\" into a segment; \"**\" must be a whole segment");
  }

  @Test
  void grpcErrorCannotAnswer() {
    invalid(
        mock("a", "http", 1).route("GET /x", new MockResponse.GrpcStatus(14, "down")),
        "route \"GET /x\": grpc_error() cannot answer an http mock; use json_response(...) or status_only(...)");
    invalid(
        mock("a", "http", 1).defaultResponse(new MockResponse.GrpcStatus(14, "down")),
        "default: grpc_error() cannot answer an http mock; use json_response(...) or status_only(...)");
  }

  @Test
  void badStaticResponses() {
    invalid(
        mock("a", "http", 1).route("GET /x", new MockResponse.Static(42, Map.of(), new byte[0], Optional.empty())),
        "route \"GET /x\": status 42 cannot answer an http request; use 200..999 (0 means 200)");
    invalid(
        mock("a", "http", 1)
            .route("GET /x", new MockResponse.Static(200, Map.of("Bad Name", "v"), new byte[0], Optional.empty())),
        "route \"GET /x\": header name \"Bad Name\" is not an HTTP token");
    invalid(
        mock("a", "http", 1)
            .route("GET /x", new MockResponse.Static(200, Map.of("X-A", "a\r\nb"), new byte[0], Optional.empty())),
        "route \"GET /x\": header \"X-A\" has a value with a line break or control character");
    invalid(
        mock("a", "http", 1)
            .route("GET /x", new MockResponse.Static(200, Map.of("Content-Length", "3"), new byte[0], Optional.empty())),
        "route \"GET /x\": header \"Content-Length\" is set by the mock from the body; remove it");
  }

  @Test
  void unknownConfigKey() {
    invalid(
        mock("a", "http", 1).config("foo", 1L),
        "http mock config has no key \"foo\"; accepted: idle_timeout_ms, max_body_bytes, max_header_bytes");
  }

  @Test
  void badConfigValues() {
    invalid(
        mock("a", "http", 1).config("max_body_bytes", "10"),
        "http mock config \"max_body_bytes\" must be an int, got str");
    invalid(
        mock("a", "http", 1).config("idle_timeout_ms", 0L),
        "http mock config \"idle_timeout_ms\" must be in 1..86400000, got 0");
    invalid(
        mock("a", "http", 1).config("max_header_bytes", 10L),
        "http mock config \"max_header_bytes\" must be in 256..1048576, got 10");
    invalid(
        mock("a", "http", 1).config("max_body_bytes", -1L),
        "http mock config \"max_body_bytes\" must be in 0..1073741824, got -1");
    invalid(
        mock("a", "http", 1).config("idle_timeout_ms", 1.5),
        "http mock config \"idle_timeout_ms\" must be an int, got float");
  }

  @Test
  void wrongProtocolAndPort() {
    invalid(mock("a", "tcp", 1), "the http plugin serves http and http2, not \"tcp\"");
    invalid(mock("a", "http", 70000), "port 70000 is not in 0..65535");
  }
}
