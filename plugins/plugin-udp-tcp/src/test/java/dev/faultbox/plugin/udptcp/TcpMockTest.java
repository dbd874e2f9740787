package dev.faultbox.plugin.udptcp;

import static dev.faultbox.testkit.MockDefinitionBuilder.body;
import static dev.faultbox.testkit.MockDefinitionBuilder.dynamic;
import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.spi.DynamicHandlerException;
import dev.faultbox.spi.MockEvent;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.testkit.FreePorts;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TcpMockTest extends MockTestSupport {

  private int legacy() throws Exception {
    return startPort(
        mock("legacy", "tcp", 0)
            .route("PING", "PONG\n")
            .route("VERSION", "2.0.0\n")
            .defaultBody("ERR unknown\n")
            .build());
  }

  @Test
  void routesAnswerAndCloseOneRequestPerConnection() throws Exception {
    int port = legacy();

    assertThat(tcp(port, "PING\n")).isEqualTo("PONG\n");
    assertThat(tcp(port, "VERSION\n")).isEqualTo("2.0.0\n");
    assertThat(tcp(port, "HELLO\n")).isEqualTo("ERR unknown\n");
    // Only the first line of a connection is served.
    assertThat(tcp(port, "PING\nVERSION\n")).isEqualTo("PONG\n");

    List<MockEvent> events = context.awaitEvents(4, WAIT);
    assertThat(events).extracting(MockEvent::op).containsOnly("recv");
    assertThat(events.get(0).service()).isEqualTo("legacy");
    assertThat(events.get(0).iface()).isEqualTo("main");
    assertThat(events.get(0).fields())
        .containsEntry("req_size", 5)
        .containsEntry("resp_size", 5)
        .containsEntry("matched", true)
        .containsEntry("route", "PING")
        .containsEntry("body", "PING")
        .doesNotContainKeys("error", "fault", "src");
    assertThat(events.get(2).fields())
        .containsEntry("matched", false)
        .containsEntry("resp_size", 12)
        .containsEntry("body", "HELLO")
        .doesNotContainKey("route");
  }

  @Test
  void patternsAreBytePrefixesAndDeclarationOrderWins() throws Exception {
    int port =
        startPort(
            mock("svc", "tcp", 0)
                .route("VERSION", "v\n")
                .route("VERSION 2", "never\n")
                .route("", "anything\n")
                .build());

    assertThat(tcp(port, "VERSION 2\n")).isEqualTo("v\n");
    assertThat(tcp(port, "VERS\n")).isEqualTo("anything\n");
    assertThat(tcp(port, "version\n")).isEqualTo("anything\n");
    assertThat(context.awaitEvents(3, WAIT).get(0).fields()).containsEntry("route", "VERSION");
  }

  @Test
  void noRouteAndNoDefaultWritesNothingAndCloses() throws Exception {
    int port = startPort(mock("svc", "tcp", 0).route("PING", "PONG\n").build());

    assertThat(tcp(port, utf8("QUIT\n"), false)).isEmpty();
    assertThat(onlyEvent().fields())
        .containsEntry("matched", false)
        .containsEntry("resp_size", 0)
        .containsEntry("req_size", 5);
  }

  @Test
  void bodiesAreWrittenExactlyWithoutAddingANewline() throws Exception {
    int port = startPort(mock("svc", "tcp", 0).route("A", "no newline").route("B", "").build());

    assertThat(tcp(port, "A\n")).isEqualTo("no newline");
    assertThat(tcp(port, "B\n")).isEmpty();
    assertThat(context.awaitEvents(2, WAIT).get(1).fields())
        .containsEntry("matched", true)
        .containsEntry("resp_size", 0);
  }

  @Test
  void endOfInputWithoutNewlineServesThePartialLine() throws Exception {
    int port = legacy();

    assertThat(tcp(port, utf8("PING"), true)).isEqualTo(utf8("PONG\n"));
    assertThat(onlyEvent().fields()).containsEntry("req_size", 4).containsEntry("body", "PING");

    // Nothing at all before end of input: closed, nothing recorded.
    assertThat(tcp(port, new byte[0], true)).isEmpty();
    assertThat(tcp(port, "PING\n")).isEqualTo("PONG\n");
    assertThat(context.awaitEvents(2, WAIT)).hasSize(2);
  }

  @Test
  void crLfIsStrippedFromTheEventBodyOnly() throws Exception {
    int port = legacy();

    assertThat(tcp(port, "PING\r\n")).isEqualTo("PONG\n");
    assertThat(onlyEvent().fields()).containsEntry("body", "PING").containsEntry("req_size", 6);
  }

  @Test
  void garbageBytesAreJustBytes() throws Exception {
    byte[] pattern = {(byte) 0xff, 0x00, (byte) 0xc3};
    int port =
        startPort(
            mock("svc", "tcp", 0)
                .route("é", "accent\n")
                .route(new String(new byte[] {0x01, 0x02}, StandardCharsets.UTF_8), "binary\n")
                .defaultBody("ERR unknown\n")
                .build());

    byte[] garbage = new byte[300];
    for (int i = 0; i < garbage.length; i++) {
      garbage[i] = (byte) (i * 37 + 11 == '\n' ? 0 : i * 37 + 11);
    }
    garbage[0] = pattern[0];
    garbage[garbage.length - 1] = '\n';
    // Any newline inside ends the line early; the answer is the default either way.
    assertThat(tcp(port, garbage, false)).isEqualTo(utf8("ERR unknown\n"));
    assertThat(tcp(port, new byte[] {(byte) 0xc3, (byte) 0xa9, 'x', '\n'}, false))
        .isEqualTo(utf8("accent\n"));
    assertThat(tcp(port, new byte[] {0x01, 0x02, (byte) 0x80, '\n'}, false))
        .isEqualTo(utf8("binary\n"));
    assertThat(context.awaitEvents(3, WAIT)).hasSize(3);
  }

  @Test
  void eventBodyIsCappedAt1024Characters() throws Exception {
    int port = legacy();
    String line = "PING " + "x".repeat(5000) + "\n";

    assertThat(tcp(port, line)).isEqualTo("PONG\n");
    MockEvent event = onlyEvent();
    assertThat((String) event.fields().get("body")).hasSize(1024).startsWith("PING xxx");
    assertThat(event.fields()).containsEntry("req_size", line.length());
  }

  @Test
  void dynamicHandlerEchoesTheLineIncludingItsNewline() throws Exception {
    List<byte[]> seen = Collections.synchronizedList(new ArrayList<>());
    int port =
        startPort(
            mock("svc", "tcp", 0)
                .route(
                    "ECHO",
                    dynamic(
                        request -> {
                          seen.add(request.body());
                          return CompletableFuture.completedFuture(body(request.body()));
                        }))
                .build());

    assertThat(tcp(port, "ECHO hello\n")).isEqualTo("ECHO hello\n");
    assertThat(seen).singleElement().isEqualTo(utf8("ECHO hello\n"));
    assertThat(onlyEvent().fields())
        .containsEntry("matched", true)
        .containsEntry("route", "ECHO")
        .containsEntry("resp_size", 11);
  }

  @Test
  void slowDynamicHandlerAnswersLaterWithoutHoldingOthersUp() throws Exception {
    int port =
        startPort(
            mock("svc", "tcp", 0)
                .route("SLOW", dynamic(request -> later(400, body("slow\n"))))
                .route("PING", "PONG\n")
                .build());

    CompletableFuture<String> slow =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return tcp(port, "SLOW\n");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    long started = System.nanoTime();
    Thread.sleep(50);
    assertThat(tcp(port, "PING\n")).isEqualTo("PONG\n");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(350);
    assertThat(slow.get(5, TimeUnit.SECONDS)).isEqualTo("slow\n");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(350);
  }

  @Test
  void failingDynamicHandlerAnswersErrAndRecordsTheError() throws Exception {
    int port =
        startPort(
            mock("svc", "tcp", 0)
                .route(
                    "NOW",
                    dynamic(
                        request ->
                            CompletableFuture.failedFuture(
                                new DynamicHandlerException("spec.star:3:5: boom"))))
                .route(
                    "LATER",
                    dynamic(
                        request ->
                            CompletableFuture.supplyAsync(
                                () -> {
                                  throw new IllegalStateException("late\nfailure");
                                },
                                CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS))))
                .route(
                    "THROW",
                    dynamic(
                        request -> {
                          throw new DynamicHandlerException("thrown");
                        }))
                .route(
                    "GRPC",
                    dynamic(
                        request -> CompletableFuture.completedFuture(new MockResponse.Status("2", "x"))))
                .build());

    assertThat(tcp(port, "NOW\n")).isEqualTo("ERR spec.star:3:5: boom\n");
    assertThat(context.awaitEvent(WAIT).fields())
        .containsEntry("error", "spec.star:3:5: boom")
        .containsEntry("matched", true)
        .containsEntry("route", "NOW");
    assertThat(tcp(port, "LATER\n")).isEqualTo("ERR late failure\n");
    assertThat(tcp(port, "THROW\n")).isEqualTo("ERR thrown\n");
    assertThat(tcp(port, "GRPC\n")).startsWith("ERR dynamic handler answered grpcstatus");
    assertThat(context.awaitEvents(4, WAIT))
        .extracting(e -> e.fields().get("error"))
        .containsExactly(
            "spec.star:3:5: boom",
            "late failure",
            "thrown",
            "dynamic handler answered grpcstatus, which a tcp mock cannot send");
  }

  @Test
  void tooLongLineIsRefusedAndOthersAreStillServed() throws Exception {
    int port =
        startPort(
            mock("svc", "tcp", 0)
                .route("PING", "PONG\n")
                .defaultBody("ok\n")
                .config("max_line_bytes", 16L)
                .build());

    assertThat(tcp(port, utf8("x".repeat(100)), false)).isEmpty();
    MockEvent error = onlyEvent();
    assertThat(error.op()).isEqualTo("recv_error");
    assertThat(error.fields()).containsEntry("error", "line longer than 16 bytes");

    // Exactly the limit, plus the newline, is fine; one more byte is not.
    assertThat(tcp(port, "x".repeat(16) + "\n")).isEqualTo("ok\n");
    assertThat(tcp(port, "x".repeat(17) + "\n")).isEmpty();
    assertThat(tcp(port, "PING\n")).isEqualTo("PONG\n");
    assertThat(context.awaitEvents(4, WAIT))
        .extracting(MockEvent::op)
        .containsExactly("recv_error", "recv", "recv_error", "recv");
  }

  @Test
  void defaultLineLimitIs65536Bytes() throws Exception {
    int port = legacy();

    assertThat(tcp(port, utf8("y".repeat(70_000)), false)).isEmpty();
    assertThat(onlyEvent().fields()).containsEntry("error", "line longer than 65536 bytes");
  }

  @Test
  void idleClientIsClosedAndOthersAreStillServed() throws Exception {
    int port =
        startPort(
            mock("svc", "tcp", 0)
                .route("PING", "PONG\n")
                .config("idle_timeout_ms", 200L)
                .build());

    try (Socket idle = new Socket()) {
      idle.connect(new InetSocketAddress(FreePorts.loopback(), port), SO_TIMEOUT_MS);
      idle.setSoTimeout(SO_TIMEOUT_MS);
      InputStream in = idle.getInputStream();
      idle.getOutputStream().write(utf8("PIN"));
      long started = System.nanoTime();
      assertThat(tcp(port, "PING\n")).isEqualTo("PONG\n");
      assertThat(in.read()).isEqualTo(-1);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started))
          .isBetween(150L, 3000L);
    }
    List<MockEvent> events = context.awaitEvents(2, WAIT);
    assertThat(events.get(1).op()).isEqualTo("recv_error");
    assertThat(events.get(1).fields()).containsEntry("error", "idle for 200ms");
  }

  @Test
  void eventIsRecordedBeforeTheReplyIsWritten() throws Exception {
    int port =
        startPort(
            mock("svc", "tcp", 0)
                .route("PING", "PONG\n")
                .route(
                    "ECHO",
                    dynamic(
                        request ->
                            CompletableFuture.supplyAsync(() -> body(request.body()))))
                .build());

    for (int i = 0; i < 300; i++) {
      String request = i % 3 == 0 ? "ECHO " + i + "\n" : "PING\n";
      String expected = i % 3 == 0 ? request : "PONG\n";
      assertThat(tcp(port, request)).isEqualTo(expected);
      assertThat(context.recorded()).hasSize(i + 1);
    }
  }

  static <T> CompletableFuture<T> later(long ms, T value) {
    return CompletableFuture.supplyAsync(
        () -> value, CompletableFuture.delayedExecutor(ms, TimeUnit.MILLISECONDS));
  }
}
