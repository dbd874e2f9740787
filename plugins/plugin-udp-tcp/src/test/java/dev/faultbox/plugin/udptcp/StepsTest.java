package dev.faultbox.plugin.udptcp;

import static dev.faultbox.testkit.MockDefinitionBuilder.body;
import static dev.faultbox.testkit.MockDefinitionBuilder.dynamic;
import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultbox.spi.Endpoint;
import dev.faultbox.spi.StepException;
import dev.faultbox.spi.StepMethod;
import dev.faultbox.spi.StepResult;
import dev.faultbox.testkit.FreePorts;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StepsTest extends MockTestSupport {

  private StepMethod step(String proto, String name) {
    return steps(protocol, proto).get(name);
  }

  private static Endpoint at(String proto, int port) {
    return Endpoint.plain("svc", "main", proto, "127.0.0.1", port);
  }

  @Test
  void tcpSendReturnsTheReplyLine() throws Exception {
    int port =
        startPort(
            mock("svc", "tcp", 0)
                .route("PING", "PONG\n")
                .route("CRLF", "yes\r\nmore\n")
                .route("PARTIAL", "no newline")
                .route("BIN", body(new byte[] {'a', 0, 'b'}))
                .build());
    StepMethod send = step("tcp", "send");

    assertThat(send.call(at("tcp", port), Map.of("data", "PING"))).isEqualTo(new StepResult.Value("PONG"));
    assertThat(send.call(at("tcp", port), Map.of("data", "PING\n", "timeout_ms", 1000L)))
        .isEqualTo(new StepResult.Value("PONG"));
    assertThat(send.call(at("tcp", port), Map.of("data", "CRLF"))).isEqualTo(new StepResult.Value("yes"));
    assertThat(send.call(at("tcp", port), Map.of("data", "PARTIAL")))
        .isEqualTo(new StepResult.Value("no newline"));
    assertThat(send.call(at("tcp", port), Map.of("data", "NOTHING"))).isEqualTo(new StepResult.Value(""));
    assertThat(send.call(at("tcp", port), Map.of("data", "BIN".getBytes())))
        .isEqualTo(new StepResult.Value("a\0b"));
    // The newline is added once, never doubled.
    assertThat(context.awaitEvents(6, WAIT))
        .extracting(e -> e.fields().get("req_size"))
        .containsExactly(5, 5, 5, 8, 8, 4);
  }

  @Test
  void tcpSendFailuresRaiseOneLine() throws Exception {
    int slow = startPort(mock("svc", "tcp", 0).route("", dynamic(r -> TcpMockTest.later(2000, body("late\n")))).build());
    StepMethod send = step("tcp", "send");

    long started = System.nanoTime();
    assertThatThrownBy(() -> send.call(at("tcp", slow), Map.of("data", "X", "timeout_ms", 300L)))
        .isExactlyInstanceOf(StepException.class)
        .hasMessage("tcp send to 127.0.0.1:" + slow + " failed: no reply within 300ms");
    assertThat((System.nanoTime() - started) / 1_000_000).isBetween(250L, 1500L);

    int refused = FreePorts.tcp();
    assertThatThrownBy(() -> send.call(at("tcp", refused), Map.of("data", "PING")))
        .isExactlyInstanceOf(StepException.class)
        .hasMessage("tcp send to 127.0.0.1:" + refused + " failed: connection refused");

    assertThatThrownBy(() -> send.call(at("tcp", refused), Map.of()))
        .isExactlyInstanceOf(StepException.class)
        .hasMessage("send() requires data=");
    assertThatThrownBy(() -> send.call(at("tcp", refused), Map.of("data", 5L)))
        .hasMessage("send() data= must be a str, got int");
    assertThatThrownBy(() -> send.call(at("tcp", refused), Map.of("data", "x", "timeout_ms", "5")))
        .hasMessage("send() timeout_ms= must be an int, got str");
    assertThatThrownBy(() -> send.call(at("tcp", refused), Map.of("data", "x", "timeout_ms", 0L)))
        .hasMessage("send() timeout_ms= must be in 1..3600000, got 0");
  }

  @Test
  void udpSendReturnsTheReplyDatagram() throws Exception {
    int port = startPort(mock("svc", "udp", 0).route("ping", "pong\n").build());

    StepResult result = step("udp", "send").call(at("udp", port), Map.of("data", "ping"));
    assertThat(result)
        .isInstanceOfSatisfying(
            StepResult.Response.class,
            r -> {
              assertThat(r.ok()).isTrue();
              assertThat(r.status()).isZero();
              assertThat(r.body()).isEqualTo(utf8("pong\n"));
              assertThat(r.headers()).isEmpty();
              assertThat(r.error()).isEmpty();
              assertThat(r.durationMs()).isBetween(0L, 5000L);
            });
    assertThat(onlyEvent().fields()).containsEntry("body", "ping").containsEntry("req_size", 4);
  }

  @Test
  void udpSendWithoutReplyTimesOut() throws Exception {
    int port = startPort(mock("statsd", "udp", 0).build());

    StepResult result =
        step("udp", "send").call(at("udp", port), Map.of("data", "m:1|c", "timeout_ms", 300L));
    assertThat(result)
        .isInstanceOfSatisfying(
            StepResult.Response.class,
            r -> {
              assertThat(r.ok()).isFalse();
              assertThat(r.error()).isEqualTo("no reply within 300ms");
              assertThat(r.body()).isEmpty();
              assertThat(r.durationMs()).isBetween(250L, 2000L);
            });
    assertThat(onlyEvent().fields()).containsEntry("body", "m:1|c");
  }

  @Test
  void udpSendNoReplyJustSends() throws Exception {
    int port = startPort(mock("statsd", "udp", 0).build());

    StepResult result = step("udp", "send_no_reply").call(at("udp", port), Map.of("data", "m:2|g"));
    assertThat(result)
        .isInstanceOfSatisfying(
            StepResult.Response.class,
            r -> {
              assertThat(r.ok()).isTrue();
              assertThat(r.body()).isEmpty();
              assertThat(r.error()).isEmpty();
            });
    assertThat(onlyEvent().fields()).containsEntry("body", "m:2|g").containsEntry("matched", false);
  }

  @Test
  void udpSendToNothingIsNotOk() {
    int port = FreePorts.udp();
    StepResult result =
        step("udp", "send").call(at("udp", port), Map.of("data", "x", "timeout_ms", 500L));
    assertThat(result)
        .isInstanceOfSatisfying(
            StepResult.Response.class,
            r -> {
              assertThat(r.ok()).isFalse();
              assertThat(r.error()).isIn("udp send to 127.0.0.1:" + port + " failed: port unreachable",
                  "no reply within 500ms");
            });
  }

  @Test
  void udpStepArgumentErrorsRaise() {
    assertThatThrownBy(() -> step("udp", "send").call(at("udp", 1), Map.of()))
        .isExactlyInstanceOf(StepException.class)
        .hasMessage("send() requires data=");
    assertThatThrownBy(() -> step("udp", "send_no_reply").call(at("udp", 1), Map.of()))
        .hasMessage("send_no_reply() requires data=");
    assertThatThrownBy(
            () -> step("udp", "send_no_reply").call(at("udp", 1), Map.of("data", new byte[70_000])))
        .hasMessage("send_no_reply() data= is 70000 bytes; a datagram holds at most 65507");
  }
}
