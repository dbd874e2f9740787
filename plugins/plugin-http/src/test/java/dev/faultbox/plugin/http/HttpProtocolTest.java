package dev.faultbox.plugin.http;

import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultbox.spi.FaultModel;
import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.PreparedMock;
import dev.faultbox.spi.ProtocolFactory;
import dev.faultbox.spi.SpiVersion;
import dev.faultbox.spi.StarlarkLibrary;
import dev.faultbox.testkit.MockDefinitionBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class HttpProtocolTest {

  private final HttpProtocol protocol = new HttpProtocol();

  /** Prepares with the factory of the definition's protocol, or http's for a protocol it lacks. */
  private PreparedMock prepare(MockDefinition definition) throws InvalidMockException {
    String name = definition.iface().protocol();
    return protocol.protocols().stream()
        .filter(f -> f.name().equals(name))
        .findFirst()
        .orElse(protocol.protocols().get(0))
        .prepare(definition);
  }

  private void invalid(MockDefinitionBuilder builder, String message) {
    assertThatThrownBy(() -> prepare(builder.build()))
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
    assertThat(http.protocols()).extracting(ProtocolFactory::name).containsExactlyInAnyOrder("http", "http2");
    assertThat(http.spiVersion()).isEqualTo(SpiVersion.CURRENT);
  }

  @Test
  void stepsPerProtocol() {
    assertThat(TestSupport.factory("http").steps()).containsOnlyKeys("get", "post", "put", "patch", "delete", "head");
    assertThat(TestSupport.factory("http2").steps()).containsOnlyKeys("get", "post", "put", "patch", "delete", "head");
    assertThat(protocol.protocols()).extracting(ProtocolFactory::name).doesNotContain("tcp");
    assertThat(TestSupport.factory("http").steps().get("post").parameters())
        .containsExactly("path", "body", "headers", "query", "timeout_ms");
  }

  @Test
  void bothProtocolsBindStreamsTakeTlsAndFaultOnPathAndMethod() {
    for (ProtocolFactory factory : protocol.protocols()) {
      assertThat(factory.transport()).isEqualTo(ProtocolFactory.Transport.STREAM);
      assertThat(factory.supportsTls()).isTrue();
      FaultModel model = factory.faultModel();
      assertThat(model.matchers())
          .containsOnly(Map.entry("path", FaultModel.Match.GLOB), Map.entry("method", FaultModel.Match.GLOB_IGNORING_CASE));
      assertThat(model.statusNames()).isEmpty();
      assertThat(model.minStatus()).isEqualTo(100);
      assertThat(model.maxStatus()).isEqualTo(999);
      assertThat(model.errorStatus()).isEqualTo(500);
      assertThat(model.responseStatus()).isEqualTo(200);
    }
  }

  @Test
  void librariesAreTheRecipes() {
    List<StarlarkLibrary> libraries = protocol.libraries();
    assertThat(libraries).extracting(StarlarkLibrary::path).containsExactly("recipes/http.star", "recipes/http2.star");
    assertThat(libraries).noneMatch(StarlarkLibrary::prelude);
    assertThat(libraries.get(0).source()).contains("http_faults = struct(").contains("\nhttp = http_faults\n");
    assertThat(libraries.get(1).source()).contains("http2_faults = struct(").contains("stream_reset");
    assertThat(protocol.libraries()).isSameAs(libraries); // read once
  }

  @Test
  void preparedMockIsTheDefinitionCompiled() throws Exception {
    MockDefinition definition = mock("auth", "http2", 0).route("GET /a", "x").config("max_body_bytes", 10L).build();
    HttpSettings prepared = (HttpSettings) prepare(definition);
    assertThat(prepared.definition()).isSameAs(definition);
    assertThat(prepared.protocol()).isEqualTo("http2");
    assertThat(prepared.maxBodyBytes()).isEqualTo(10);
    assertThat(prepared.routes().keys()).containsExactly("GET /a");
    assertThat(prepared.encoded()).containsOnlyKeys(definition.routes().get(0).response());
  }

  @Test
  void validDefinitionsPass() {
    assertThatCode(
            () ->
                prepare(
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
    assertThatCode(() -> prepare(mock("auth", "http2", 0).build())).doesNotThrowAnyException();
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
  void statusResponseCannotAnswer() {
    invalid(
        mock("a", "http", 1).route("GET /x", new MockResponse.Status("14", "down")),
        "route \"GET /x\": status_response(...) is not an HTTP response;"
            + " use json_response(...), text_response(...) or status_only(...)");
    invalid(
        mock("a", "http2", 1).defaultResponse(new MockResponse.Status("UNAVAILABLE", "down")),
        "default: status_response(...) is not an HTTP response;"
            + " use json_response(...), text_response(...) or status_only(...)");
  }

  @Test
  void structuredResponseCannotAnswer() {
    invalid(
        mock("a", "http2", 1).route("GET /x", new MockResponse.Structured(Map.of("a", 1L))),
        "route \"GET /x\": structured_response(...) is not an HTTP response;"
            + " use json_response(...), text_response(...) or status_only(...)");
    invalid(
        mock("a", "http", 1).defaultResponse(new MockResponse.Structured(Map.of())),
        "default: structured_response(...) is not an HTTP response;"
            + " use json_response(...), text_response(...) or status_only(...)");
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
