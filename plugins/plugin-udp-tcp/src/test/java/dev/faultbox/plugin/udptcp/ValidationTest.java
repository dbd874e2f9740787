package dev.faultbox.plugin.udptcp;

import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.ProtocolFactory;
import dev.faultbox.testkit.RecordingContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValidationTest {

  private final ProtocolFactory tcp = MockTestSupport.factory("tcp");
  private final ProtocolFactory udp = MockTestSupport.factory("udp");

  /** As the kernel does at load, with the factory of the definition's protocol; tcp for others. */
  private void prepare(MockDefinition definition) throws InvalidMockException {
    (definition.iface().protocol().equals("udp") ? udp : tcp).prepare(definition);
  }

  private void rejects(MockDefinition definition, String message) {
    assertThatThrownBy(() -> prepare(definition))
        .isExactlyInstanceOf(InvalidMockException.class)
        .hasMessage(message);
  }

  @Test
  void acceptsTcpConfigKeys() {
    assertThatCode(
            () ->
                prepare(
                    mock("s", "tcp", 9000)
                        .config("max_line_bytes", 1024L)
                        .config("idle_timeout_ms", 500L)
                        .route("PING", "PONG\n")
                        .build()))
        .doesNotThrowAnyException();
    assertThatCode(() -> prepare(mock("s", "udp", 8125).build())).doesNotThrowAnyException();
  }

  @Test
  void rejectsUnknownConfigKeys() {
    rejects(
        mock("s", "tcp", 9000).config("foo", 1L).build(),
        "tcp mock config has no key \"foo\"; accepted: idle_timeout_ms, max_line_bytes");
    rejects(
        mock("s", "udp", 8125).config("max_line_bytes", 10L).build(),
        "udp mock config has no key \"max_line_bytes\"; accepted: none");
  }

  @Test
  void rejectsWrongConfigTypesAndValues() {
    rejects(
        mock("s", "tcp", 9000).config("max_line_bytes", "big").build(),
        "tcp mock config \"max_line_bytes\" must be an int, got str");
    rejects(
        mock("s", "tcp", 9000).config("idle_timeout_ms", 1.5).build(),
        "tcp mock config \"idle_timeout_ms\" must be an int, got float");
    rejects(
        mock("s", "tcp", 9000).config("idle_timeout_ms", List.of()).build(),
        "tcp mock config \"idle_timeout_ms\" must be an int, got list");
    rejects(
        mock("s", "tcp", 9000).config("idle_timeout_ms", 0L).build(),
        "tcp mock config \"idle_timeout_ms\" must be in 1..86400000, got 0");
    rejects(
        mock("s", "tcp", 9000).config("max_line_bytes", -1L).build(),
        "tcp mock config \"max_line_bytes\" must be in 1..16777216, got -1");
  }

  @Test
  void rejectsGrpcResponses() {
    rejects(
        mock("s", "tcp", 9000).route("PING", new MockResponse.Status("14", "down")).build(),
        "grpc_error() cannot answer a tcp mock; use bytes_response(data = ...)");
    rejects(
        mock("s", "udp", 8125).defaultResponse(new MockResponse.Status("2", "x")).build(),
        "grpc_error() cannot answer a udp mock; use bytes_response(data = ...)");
    rejects(
        mock("s", "tcp", 9000).route("GET", new MockResponse.Structured(Map.of("a", 1L))).build(),
        "grpc_response() cannot answer a tcp mock; use bytes_response(data = ...)");
  }

  @Test
  void rejectsOtherProtocols() {
    rejects(mock("s", "http", 80).build(), "the udp-tcp plugin serves tcp and udp, not \"http\"");
  }

  @Test
  void aBadMockFailsBeforeItCanStart() {
    assertThatThrownBy(
            () ->
                tcp.start(
                    tcp.prepare(mock("s", "tcp", 0).config("foo", 1L).build()), new RecordingContext()))
        .isInstanceOf(InvalidMockException.class);
  }
}
