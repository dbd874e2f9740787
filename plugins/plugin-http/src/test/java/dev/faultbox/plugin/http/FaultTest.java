package dev.faultbox.plugin.http;

import static dev.faultbox.plugin.http.TestSupport.connect;
import static dev.faultbox.plugin.http.TestSupport.read;
import static dev.faultbox.plugin.http.TestSupport.send;
import static dev.faultbox.testkit.MockDefinitionBuilder.dynamic;
import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultbox.plugin.http.TestSupport.Frame;
import dev.faultbox.plugin.http.TestSupport.RawResponse;
import dev.faultbox.spi.FaultDecision;
import dev.faultbox.spi.FaultProbe;
import dev.faultbox.spi.MockEvent;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.MockServer;
import dev.faultbox.testkit.RecordingContext;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.event.Level;

class FaultTest {

  private final RecordingContext context = new RecordingContext();
  private final List<FaultProbe> probes = new CopyOnWriteArrayList<>();
  private final AtomicInteger dynamicCalls = new AtomicInteger();
  /** What the mock logs, kept from the build output; the tests that provoke warnings check it. */
  private final TestSupport.CapturedLog log = new TestSupport.CapturedLog();
  private MockServer server;
  private MockServer tlsServer;

  @BeforeEach
  void start() throws Exception {
    server =
        TestSupport.start(
            mock("auth", "http2", 0)
                .route("GET /a", Http1ServerTest.text(200, "a"))
                .route("GET /d", dynamic(r -> {
                  dynamicCalls.incrementAndGet();
                  return CompletableFuture.completedFuture((MockResponse) Http1ServerTest.text(200, "d"));
                }))
                .build(),
            TestSupport.logTo(context, log));
  }

  @AfterEach
  void stop() {
    server.close();
    if (tlsServer != null) {
      tlsServer.close();
    }
  }

  private void gate(FaultDecision decision) {
    context.setFaultGate(
        probe -> {
          probes.add(probe);
          return probe.attributes().get("path").startsWith("/ok") ? FaultDecision.PASS : decision;
        });
  }

  private static FaultDecision decision(FaultDecision.Action action, long delayMs, int status, String message) {
    return new FaultDecision(action, Duration.ofMillis(delayMs), status, message, Optional.of("jwks_unavailable"));
  }

  @Test
  void probeDescribesTheRequest() throws Exception {
    gate(FaultDecision.PASS);
    TestSupport.get(server.address(), "/a?x=1");
    assertThat(probes).containsExactly(new FaultProbe("GET /a", java.util.Map.of("path", "/a", "method", "GET")));
    assertThat(context.awaitEvent(Duration.ofSeconds(5)).fields()).doesNotContainKey("fault");
  }

  @Test
  void probeMethodIsUpperCasedAsRoutesCompareIt() throws Exception {
    gate(FaultDecision.PASS);
    RawResponse r = TestSupport.exchange(server.address(), "get /a HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    assertThat(r.bodyText()).isEqualTo("a");
    assertThat(probes).containsExactly(new FaultProbe("get /a", java.util.Map.of("path", "/a", "method", "GET")));
  }

  @Test
  void errorAnswersWithJsonError() throws Exception {
    gate(decision(FaultDecision.Action.ERROR, 0, 503, "backend \"down\"\n"));
    RawResponse r = TestSupport.get(server.address(), "/a");
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.header("content-type")).isEqualTo("application/json");
    assertThat(r.bodyText()).isEqualTo("{\"error\":\"backend \\\"down\\\"\\n\"}");
    MockEvent event = context.awaitEvent(Duration.ofSeconds(5));
    assertThat(event.fields())
        .containsEntry("status", 503)
        .containsEntry("fault", "jwks_unavailable")
        .doesNotContainKey("route");
    TestSupport.get(server.address(), "/d");
    assertThat(dynamicCalls).hasValue(0);
  }

  @Test
  void delayThenPass() throws Exception {
    gate(decision(FaultDecision.Action.PASS, 300, 0, ""));
    long started = System.nanoTime();
    RawResponse r = TestSupport.get(server.address(), "/a");
    assertThat((System.nanoTime() - started) / 1_000_000).isGreaterThanOrEqualTo(280);
    assertThat(r.bodyText()).isEqualTo("a");
    MockEvent event = context.awaitEvent(Duration.ofSeconds(5));
    assertThat(event.fields()).containsEntry("fault", "jwks_unavailable").containsEntry("route", "GET /a");
    assertThat((Long) event.fields().get("duration_ms")).isGreaterThanOrEqualTo(280);
  }

  @Test
  void delayDoesNotBlockTheEventLoop() throws Exception {
    gate(decision(FaultDecision.Action.PASS, 1500, 0, ""));
    CompletableFuture<RawResponse> slow =
        CompletableFuture.supplyAsync(() -> {
          try {
            return TestSupport.get(server.address(), "/a");
          } catch (IOException e) {
            throw new RuntimeException(e);
          }
        });
    TestSupport.sleep(100);
    for (int i = 0; i < 10; i++) {
      long started = System.nanoTime();
      assertThat(TestSupport.get(server.address(), "/ok" + i).status()).isEqualTo(404);
      assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(1000);
    }
    assertThat(slow.get().bodyText()).isEqualTo("a");
  }

  @Test
  void dropClosesTheConnectionWithoutAnswer() throws Exception {
    gate(decision(FaultDecision.Action.DROP, 0, 0, ""));
    try (Socket socket = connect(server.address())) {
      send(socket, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
    }
    MockEvent event = context.awaitEvent(Duration.ofSeconds(5));
    assertThat(event.op()).isEqualTo("GET /a");
    assertThat(event.fields()).containsEntry("fault", "jwks_unavailable").containsEntry("status", 0);
    context.setFaultGate(dev.faultbox.spi.FaultGate.PASS_THROUGH);
    TestSupport.assertServing(server.address());
  }

  @Test
  void dropOnHttp2FailsTheJdkClientsRequestAndItsNextConnectionIsServed() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    String base = "http://127.0.0.1:" + server.address().getPort();
    client.send(HttpRequest.newBuilder(URI.create(base + "/ok")).build(), HttpResponse.BodyHandlers.ofString());
    gate(decision(FaultDecision.Action.DROP, 50, 0, ""));
    assertThatThrownBy(
            () ->
                client.send(
                    HttpRequest.newBuilder(URI.create(base + "/a")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
    HttpResponse<String> after =
        client.send(HttpRequest.newBuilder(URI.create(base + "/ok2")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(after.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(after.statusCode()).isEqualTo(404);
    MockEvent dropped = context.awaitOp("GET /a", Duration.ofSeconds(5));
    assertThat(dropped.fields()).containsEntry("proto", "HTTP/2").containsEntry("fault", "jwks_unavailable");
  }

  /** drop(stream = True) resets the request's stream and the connection serves the next one. */
  @Test
  void aStreamDropResetsTheStreamAndKeepsTheConnection() throws Exception {
    gate(decision(FaultDecision.Action.RESET, 0, 0, ""));
    try (Socket socket = TestSupport.connect(server.address())) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      TestSupport.h2Preface(out);
      out.write(TestSupport.h2Get(1, "http", "/a"));
      out.flush();
      Frame reset = nextFrame(socket, f -> f.stream() == 1);
      assertThat(reset.type()).isEqualTo(TestSupport.H2_RST_STREAM);
      assertThat(context.awaitOp("GET /a", Duration.ofSeconds(5)).fields()).containsEntry("fault", "jwks_unavailable");
      gate(FaultDecision.PASS);
      out.write(TestSupport.h2Get(3, "http", "/ok"));
      out.flush();
      assertThat(nextFrame(socket, f -> f.stream() == 3).type()).isEqualTo(TestSupport.H2_HEADERS);
    }
  }

  private static Frame nextFrame(Socket socket, java.util.function.Predicate<Frame> wanted) throws IOException {
    java.io.DataInputStream in = new java.io.DataInputStream(socket.getInputStream());
    while (true) {
      int length = in.readUnsignedByte() << 16 | in.readUnsignedShort();
      int type = in.readUnsignedByte();
      int flags = in.readUnsignedByte();
      int stream = in.readInt() & 0x7fffffff;
      byte[] payload = new byte[length];
      in.readFully(payload);
      Frame f = new Frame(type, flags, stream, payload);
      if (wanted.test(f)) {
        return f;
      }
    }
  }

  /** drop() ends the connection on HTTP/2 as on HTTP/1.1: no response, no stream reset. */
  @ParameterizedTest
  @ValueSource(strings = {"prior-knowledge", "upgrade", "tls"})
  void dropClosesTheHttp2Connection(String way) throws Exception {
    boolean tls = way.equals("tls");
    MockServer target = tls ? startTls() : server;
    gate(decision(FaultDecision.Action.DROP, 0, 0, ""));
    try (Socket socket = h2Connect(way, target)) {
      OutputStream out = socket.getOutputStream();
      if (way.equals("upgrade")) {
        send(socket, "GET /a HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, HTTP2-Settings\r\n"
            + "Upgrade: h2c\r\nHTTP2-Settings: \r\n\r\n");
        assertThat(read(socket.getInputStream()).status()).isEqualTo(101);
        try {
          TestSupport.h2Preface(out); // the upgraded request is stream 1
        } catch (java.net.SocketException e) {
          // The drop needs no preface, so the mock may have closed the connection already.
        }
      } else {
        TestSupport.h2Preface(out);
        out.write(TestSupport.h2Get(1, tls ? "https" : "http", "/a"));
        out.flush();
      }
      List<Frame> frames = TestSupport.h2FramesToEnd(socket);
      assertThat(frames).extracting(Frame::type).doesNotContain(TestSupport.H2_RST_STREAM, TestSupport.H2_HEADERS);
    }
    MockEvent dropped = context.awaitOp("GET /a", Duration.ofSeconds(5));
    assertThat(dropped.fields()).containsEntry("proto", "HTTP/2").containsEntry("fault", "jwks_unavailable");
    assertThat(context.recorded()).filteredOn(e -> e.fields().containsKey("fault")).hasSize(1);
    assertThat(context.recorded("h2_error")).isEmpty();
    // the listener serves new connections, on HTTP/2
    HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2);
    if (tls) {
      builder.sslContext(Http2Test.trusting(true));
    }
    HttpResponse<String> after =
        builder.build().send(
            HttpRequest.newBuilder(URI.create((tls ? "https" : "http") + "://127.0.0.1:" + target.address().getPort() + "/ok"))
                .timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(after.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(after.statusCode()).isEqualTo(404);
  }

  private MockServer startTls() throws Exception {
    tlsServer =
        TestSupport.start(
            mock("auth", "http2", 0).tls(true).route("GET /a", Http1ServerTest.text(200, "a")).build(),
            TestSupport.logTo(context.withTls(TestSupport.identity()), log));
    return tlsServer;
  }

  /** A connection that speaks HTTP/2 from its first byte: plain, or TLS with ALPN h2. */
  private static Socket h2Connect(String way, MockServer target) throws Exception {
    if (!way.equals("tls")) {
      return connect(target.address());
    }
    SSLSocket socket =
        (SSLSocket) Http2Test.trusting(true).getSocketFactory().createSocket("127.0.0.1", target.address().getPort());
    socket.setSoTimeout(10_000);
    SSLParameters parameters = socket.getSSLParameters();
    parameters.setApplicationProtocols(new String[] {"h2"});
    socket.setSSLParameters(parameters);
    socket.startHandshake();
    assertThat(socket.getApplicationProtocol()).isEqualTo("h2");
    return socket;
  }

  @Test
  void respondAnswersWithTheBodyAsGiven() throws Exception {
    gate(decision(FaultDecision.Action.RESPOND, 0, 429, "{\"error\":\"rate limited\",\"retry_after\":\"1s\"}"));
    RawResponse r = TestSupport.get(server.address(), "/a");
    assertThat(r.status()).isEqualTo(429);
    assertThat(r.header("content-type")).isEqualTo("application/json");
    assertThat(r.bodyText()).isEqualTo("{\"error\":\"rate limited\",\"retry_after\":\"1s\"}");
    gate(decision(FaultDecision.Action.RESPOND, 0, 503, "down for maintenance"));
    r = TestSupport.get(server.address(), "/a");
    assertThat(r.header("content-type")).isEqualTo("text/plain; charset=utf-8");
    assertThat(r.bodyText()).isEqualTo("down for maintenance");
  }

  @Test
  void errorOverHttp2() throws Exception {
    gate(decision(FaultDecision.Action.ERROR, 0, 429, "slow down"));
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    String base = "http://127.0.0.1:" + server.address().getPort();
    client.send(HttpRequest.newBuilder(URI.create(base + "/ok")).build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> r =
        client.send(HttpRequest.newBuilder(URI.create(base + "/a")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(r.body()).isEqualTo("{\"error\":\"slow down\"}");
  }

  @Test
  void duplicateServesOnce() throws Exception {
    gate(decision(FaultDecision.Action.DUPLICATE, 0, 0, ""));
    RawResponse r = TestSupport.get(server.address(), "/d");
    assertThat(r.bodyText()).isEqualTo("d");
    assertThat(dynamicCalls).hasValue(1);
    MockEvent event = context.awaitEvent(Duration.ofSeconds(5));
    assertThat(event.fields()).containsEntry("fault", "jwks_unavailable").containsEntry("status", 200);
  }

  @Test
  void failingGateServesNormally() throws Exception {
    context.setFaultGate(probe -> {
      throw new IllegalStateException("gate broke");
    });
    assertThat(TestSupport.get(server.address(), "/a").bodyText()).isEqualTo("a");
    assertThat(log.lines).singleElement().satisfies(line -> {
      assertThat(line.level()).isEqualTo(Level.WARN);
      assertThat(line.message()).isEqualTo("auth.main: fault gate failed, serving normally");
      assertThat(line.thrown()).isInstanceOf(IllegalStateException.class).hasMessage("gate broke");
    });
  }

  @Test
  void delayedRequestsStayInPipelineOrder() throws Exception {
    context.setFaultGate(
        probe -> probe.attributes().get("path").equals("/a")
            ? new FaultDecision(FaultDecision.Action.PASS, Duration.ofMillis(200), 0, "", Optional.empty())
            : FaultDecision.PASS);
    try (Socket socket = connect(server.address())) {
      send(socket, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /d HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(read(socket.getInputStream()).bodyText()).isEqualTo("a");
      assertThat(read(socket.getInputStream()).bodyText()).isEqualTo("d");
    }
  }
}
