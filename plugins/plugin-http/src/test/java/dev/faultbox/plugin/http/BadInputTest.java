package dev.faultbox.plugin.http;

import static dev.faultbox.plugin.http.TestSupport.connect;
import static dev.faultbox.plugin.http.TestSupport.read;
import static dev.faultbox.plugin.http.TestSupport.send;
import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.plugin.http.TestSupport.RawResponse;
import dev.faultbox.spi.MockEvent;
import dev.faultbox.spi.MockServer;
import dev.faultbox.testkit.RecordingContext;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BadInputTest {

  private final RecordingContext context = new RecordingContext();
  private MockServer server;

  private MockServer start(String protocol) throws Exception {
    server =
        TestSupport.start(
            mock("svc", protocol, 0)
                .route("* /**", Http1ServerTest.text(200, "ok"))
                .config("max_body_bytes", 16L)
                .config("max_header_bytes", 1024L)
                .config("idle_timeout_ms", 300L)
                .build(),
            context);
    return server;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private RawResponse badExchange(String bytes) throws Exception {
    try (Socket socket = connect(server.address())) {
      send(socket, bytes);
      RawResponse response = read(socket.getInputStream());
      assertThat(response.header("connection")).isEqualTo("close");
      assertThat(TestSupport.closedByPeer(socket)).isTrue();
      return response;
    }
  }

  @Test
  void garbageBytesAre400() throws Exception {
    start("http");
    RawResponse r = badExchange("\u0001\u0002garbage \u00ff\u00fe\r\n\r\n");
    assertThat(r.status()).isEqualTo(400);
    MockEvent event = context.awaitOp("bad_request", Duration.ofSeconds(5));
    assertThat(event.fields()).containsEntry("status", 400).containsKey("error");
    TestSupport.assertServing(server.address());
  }

  @Test
  void malformedRequestLineIs400() throws Exception {
    start("http");
    RawResponse r = badExchange("GET /x HTTP/1.1 extra junk\r\nHost: x\r\n\r\n");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.bodyText()).isEqualTo("bad request\n");
    assertThat((String) context.awaitOp("bad_request", Duration.ofSeconds(5)).fields().get("error"))
        .startsWith("malformed request: ");
    TestSupport.assertServing(server.address());
  }

  @Test
  void malformedHeaderIs400() throws Exception {
    start("http");
    RawResponse r = badExchange("GET /x HTTP/1.1\r\nHost: x\r\nBad Header Name: v\r\n\r\n");
    assertThat(r.status()).isEqualTo(400);
    assertThat(context.awaitOp("bad_request", Duration.ofSeconds(5)).fields()).containsEntry("status", 400);
    TestSupport.assertServing(server.address());
  }

  /** On an http2 port the same request also asks for h2c: a bad Host is refused, never upgraded. */
  private static final String UPGRADE = "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: \r\n";

  @ParameterizedTest
  @ValueSource(strings = {"http", "http2"})
  void twoHostHeadersAre400(String protocol) throws Exception {
    start(protocol);
    RawResponse r = badExchange("GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n" + UPGRADE + "\r\n");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.bodyText()).isEqualTo("bad request\n");
    MockEvent event = context.awaitOp("bad_request", Duration.ofSeconds(5));
    assertThat(event.fields())
        .containsEntry("status", 400)
        .containsEntry("error", "more than one Host header")
        .containsEntry("proto", "HTTP/1.1");
    assertThat(context.recorded()).hasSize(1);
    TestSupport.assertServing(server.address());
  }

  @ParameterizedTest
  @ValueSource(strings = {"http", "http2"})
  void http11WithoutHostIs400(String protocol) throws Exception {
    start(protocol);
    RawResponse r = badExchange("GET /x HTTP/1.1\r\n" + UPGRADE + "\r\n");
    assertThat(r.status()).isEqualTo(400);
    assertThat(context.awaitOp("bad_request", Duration.ofSeconds(5)).fields())
        .containsEntry("status", 400)
        .containsEntry("error", "missing Host header");
    // HTTP/1.0 needs no Host, but may not have two
    assertThat(TestSupport.exchange(server.address(), "GET /x HTTP/1.0\r\n\r\n").status()).isEqualTo(200);
    assertThat(badExchange("GET /x HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n").status()).isEqualTo(400);
    TestSupport.assertServing(server.address());
  }

  @Test
  void invalidHostIs400() throws Exception {
    start("http");
    for (String host : List.of("a b", "x/y", "user@x", "x:80:80", "x:port", "[::1", "x?")) {
      RawResponse r = badExchange("GET /x HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
      assertThat(r.status()).as(host).isEqualTo(400);
    }
    assertThat(context.recorded("bad_request")).hasSize(7)
        .allSatisfy(e -> assertThat(e.fields()).containsEntry("error", "invalid Host header"));
    for (String host : List.of("", "x", "x:", "localhost:8080", "127.0.0.1:1", "[::1]:8080", "[v1.fe]", "my_host.example-1.com", "%41")) {
      RawResponse r =
          TestSupport.exchange(server.address(), "GET /x HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
      assertThat(r.status()).as(host).isEqualTo(200);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"http", "http2"})
  void oversizedHeadersAre431(String protocol) throws Exception {
    start(protocol);
    RawResponse r = badExchange("GET /x HTTP/1.1\r\nHost: x\r\n" + UPGRADE + "X-Big: " + "a".repeat(2000) + "\r\n\r\n");
    assertThat(r.status()).isEqualTo(431);
    MockEvent event = context.awaitOp("bad_request", Duration.ofSeconds(5));
    assertThat(event.fields())
        .containsEntry("status", 431)
        .containsEntry("error", "request headers over 1024 bytes");
    TestSupport.assertServing(server.address());
  }

  @Test
  void oversizedBodyIs413() throws Exception {
    start("http");
    RawResponse r =
        badExchange("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + "b".repeat(100));
    assertThat(r.status()).isEqualTo(413);
    MockEvent event = context.awaitOp("bad_request", Duration.ofSeconds(5));
    assertThat(event.fields()).containsEntry("status", 413).containsEntry("error", "request body over 16 bytes");
    TestSupport.assertServing(server.address());
  }

  @Test
  void oversizedChunkedBodyIs413() throws Exception {
    start("http");
    RawResponse r =
        badExchange(
            "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "a\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n");
    assertThat(r.status()).isEqualTo(413);
    TestSupport.assertServing(server.address());
  }

  @Test
  void bodyWithinTheLimitIsServed() throws Exception {
    start("http");
    RawResponse r =
        TestSupport.exchange(
            server.address(), "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 16\r\nConnection: close\r\n\r\n" + "b".repeat(16));
    assertThat(r.status()).isEqualTo(200);
    assertThat(context.awaitOp("POST /x", Duration.ofSeconds(5)).fields()).containsEntry("req_size", 16);
  }

  @Test
  void expectContinueOverTheLimitIs413() throws Exception {
    start("http");
    try (Socket socket = connect(server.address())) {
      send(socket, "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n");
      RawResponse r = read(socket.getInputStream());
      assertThat(r.status()).isEqualTo(413);
    }
    assertThat(context.awaitOp("bad_request", Duration.ofSeconds(5)).fields()).containsEntry("status", 413);
  }

  @Test
  void silentClientIsClosedForIdleness() throws Exception {
    start("http");
    long started = System.nanoTime();
    try (Socket socket = connect(server.address())) {
      assertThat(TestSupport.closedByPeer(socket)).isTrue();
    }
    assertThat((System.nanoTime() - started) / 1_000_000).isBetween(250L, 5_000L);
    MockEvent event = context.awaitOp("idle_timeout", Duration.ofSeconds(5));
    assertThat(event.fields()).containsEntry("error", "no complete request within 300ms");
    TestSupport.assertServing(server.address());
  }

  @Test
  void halfARequestIsClosedForIdleness() throws Exception {
    start("http");
    try (Socket socket = connect(server.address())) {
      send(socket, "GET /x HTTP/1.1\r\nHost: x\r\n");
      assertThat(TestSupport.closedByPeer(socket)).isTrue();
    }
    context.awaitOp("idle_timeout", Duration.ofSeconds(5));
  }

  @Test
  void idleKeepAliveConnectionIsClosedQuietly() throws Exception {
    start("http");
    try (Socket socket = connect(server.address())) {
      send(socket, "GET /x HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(read(socket.getInputStream()).status()).isEqualTo(200);
      assertThat(TestSupport.closedByPeer(socket)).isTrue();
    }
    assertThat(context.recorded("idle_timeout")).isEmpty();
  }

  @Test
  void idleOnHttp2PortToo() throws Exception {
    start("http2");
    try (Socket socket = connect(server.address())) {
      assertThat(TestSupport.closedByPeer(socket)).isTrue();
    }
    context.awaitOp("idle_timeout", Duration.ofSeconds(5));
  }

  @Test
  void invalidHttp2FramesAreAnH2Error() throws Exception {
    start("http2");
    try (Socket socket = connect(server.address())) {
      OutputStream out = socket.getOutputStream();
      out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      // A SETTINGS frame whose length (5) is not a multiple of 6: a connection error.
      out.write(new byte[] {0, 0, 5, 4, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5});
      out.flush();
      assertThat(TestSupport.closedByPeer(socket)).isTrue();
    }
    MockEvent event = context.awaitOp("h2_error", Duration.ofSeconds(5));
    assertThat((String) event.fields().get("error")).startsWith("FRAME_SIZE_ERROR: ");
    assertThat(event.fields()).containsEntry("proto", "HTTP/2");
    TestSupport.assertServing(server.address());
  }

  @Test
  void dataOnAnIdleStreamIsAnH2Error() throws Exception {
    start("http2");
    try (Socket socket = connect(server.address())) {
      OutputStream out = socket.getOutputStream();
      out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}); // empty SETTINGS
      out.write(new byte[] {0, 0, 2, 0, 0, 0, 0, 0, 3, 'h', 'i'}); // DATA on stream 3, never opened
      out.flush();
      assertThat(TestSupport.closedByPeer(socket)).isTrue();
    }
    MockEvent event = context.awaitOp("h2_error", Duration.ofSeconds(5));
    assertThat((String) event.fields().get("error")).startsWith("PROTOCOL_ERROR: ");
    TestSupport.assertServing(server.address());
  }

  @Test
  void corruptPrefaceOnHttp2PortIsRefused() throws Exception {
    start("http2");
    try (Socket socket = connect(server.address())) {
      send(socket, "PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n");
      InputStream in = socket.getInputStream();
      RawResponse r = read(in);
      assertThat(r.status()).isEqualTo(400);
    }
    assertThat(context.awaitOp("bad_request", Duration.ofSeconds(5)).fields()).containsEntry("status", 400);
    TestSupport.assertServing(server.address());
  }
}
