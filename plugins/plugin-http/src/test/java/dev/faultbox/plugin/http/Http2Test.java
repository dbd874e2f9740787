package dev.faultbox.plugin.http;

import static dev.faultbox.testkit.MockDefinitionBuilder.dynamic;
import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.faultbox.spi.MockContext;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockEvent;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.MockServer;
import dev.faultbox.testkit.RecordingContext;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Http2Test {

  private final RecordingContext context = new RecordingContext();
  private MockServer server;

  private static MockDefinition definition(String protocol, boolean tls) {
    return mock("auth", protocol, 0)
        .tls(tls)
        .route("GET /json", Http1ServerTest.json(200, "{\"ok\":true}", Map.of("X-Mock", "1")))
        .route(
            "POST /echo",
            dynamic(
                request ->
                    CompletableFuture.completedFuture(
                        Http1ServerTest.text(200, "got " + new String(request.body(), StandardCharsets.UTF_8)
                            + " ua=" + (request.headers().containsKey("user-agent") || request.headers().containsKey("User-Agent"))
                            + " h2=" + request.headers().keySet().stream().anyMatch(k -> k.startsWith("x-http2"))))))
        .route("GET /health", Http1ServerTest.statusOnly(204))
        .build();
  }

  private MockServer start(String protocol, boolean tls) throws Exception {
    MockContext ctx = tls ? context.withTls(TestSupport.identity()) : context;
    server = TestSupport.start(definition(protocol, tls), ctx);
    return server;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private String url(boolean tls, String path) {
    return (tls ? "https" : "http") + "://127.0.0.1:" + server.address().getPort() + path;
  }

  static SSLContext trusting(boolean mockCa) throws Exception {
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    if (mockCa) {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      store.setCertificateEntry("ca", TestSupport.CA.certificate());
      factory.init(store);
    } else {
      factory.init((KeyStore) null);
    }
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, factory.getTrustManagers(), null);
    return ssl;
  }

  private static HttpClient client(HttpClient.Version version, SSLContext ssl) {
    HttpClient.Builder builder = HttpClient.newBuilder().version(version).connectTimeout(Duration.ofSeconds(5));
    if (ssl != null) {
      builder.sslContext(ssl);
    }
    return builder.build();
  }

  private static HttpRequest get(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build();
  }

  @Test
  void curlPriorKnowledge() throws Exception {
    assumeTrue(TestSupport.curlHasHttp2(), "curl with HTTP2 support is not installed");
    start("http2", false);
    TestSupport.Run run = TestSupport.curl("--http2-prior-knowledge", "-i", url(false, "/json"));
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).startsWith("HTTP/2 200").contains("x-mock: 1").endsWith("{\"ok\":true}");
    MockEvent event = context.awaitEvent(Duration.ofSeconds(5));
    assertThat(event.op()).isEqualTo("GET /json");
    assertThat(event.fields()).containsEntry("proto", "HTTP/2").containsEntry("status", 200)
        .containsEntry("route", "GET /json");

    TestSupport.Run post = TestSupport.curl("--http2-prior-knowledge", "-d", "abc", url(false, "/echo"));
    assertThat(post.out()).isEqualTo("got abc ua=true h2=false");
    TestSupport.Run missing = TestSupport.curl("--http2-prior-knowledge", "-i", url(false, "/nope"));
    assertThat(missing.out()).startsWith("HTTP/2 404").endsWith("not found\n");
  }

  @Test
  void plainHttp11StillServedOnAnHttp2Port() throws Exception {
    start("http2", false);
    HttpResponse<String> r =
        client(HttpClient.Version.HTTP_1_1, null).send(get(url(false, "/json")), HttpResponse.BodyHandlers.ofString());
    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(r.body()).isEqualTo("{\"ok\":true}");
    assertThat(context.awaitEvent(Duration.ofSeconds(5)).fields()).containsEntry("proto", "HTTP/1.1");
  }

  @Test
  void jdkClientUpgradesToH2c() throws Exception {
    start("http2", false);
    HttpClient client = client(HttpClient.Version.HTTP_2, null);
    HttpResponse<String> first = client.send(get(url(false, "/json")), HttpResponse.BodyHandlers.ofString());
    assertThat(first.body()).isEqualTo("{\"ok\":true}");
    assertThat(first.version()).isEqualTo(HttpClient.Version.HTTP_2);
    HttpResponse<String> second =
        client.send(
            HttpRequest.newBuilder(URI.create(url(false, "/echo"))).POST(HttpRequest.BodyPublishers.ofString("zz")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(second.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(second.body()).isEqualTo("got zz ua=true h2=false");
    List<MockEvent> events = context.awaitEvents(2, Duration.ofSeconds(5));
    assertThat(events).extracting(e -> e.fields().get("proto")).containsExactly("HTTP/2", "HTTP/2");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http", "http2"})
  void jdkClientH2OverTls(String protocol) throws Exception {
    start(protocol, true);
    HttpClient client = client(HttpClient.Version.HTTP_2, trusting(true));
    HttpResponse<String> r = client.send(get(url(true, "/json")), HttpResponse.BodyHandlers.ofString());
    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(r.body()).isEqualTo("{\"ok\":true}");
    HttpResponse<String> h11 =
        client(HttpClient.Version.HTTP_1_1, trusting(true)).send(get(url(true, "/json")), HttpResponse.BodyHandlers.ofString());
    assertThat(h11.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(h11.body()).isEqualTo("{\"ok\":true}");
    List<MockEvent> events = context.awaitEvents(2, Duration.ofSeconds(5));
    assertThat(events).extracting(e -> e.fields().get("proto")).containsExactly("HTTP/2", "HTTP/1.1");
  }

  @Test
  void jdkClientThatDoesNotTrustTheCaFailsTheHandshake() throws Exception {
    start("http2", true);
    HttpClient client = client(HttpClient.Version.HTTP_2, trusting(false));
    assertThatThrownBy(() -> client.send(get(url(true, "/json")), HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(SSLHandshakeException.class);
    // still serving trusting clients
    HttpResponse<String> r =
        client(HttpClient.Version.HTTP_2, trusting(true)).send(get(url(true, "/json")), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void curlH2OverTls() throws Exception {
    assumeTrue(TestSupport.curlHasHttp2(), "curl with HTTP2 support is not installed");
    start("http2", true);
    String ca = TestSupport.CA.caFile().toString();
    TestSupport.Run run = TestSupport.curl("--http2", "--cacert", ca, "-i", url(true, "/json"));
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).startsWith("HTTP/2 200").endsWith("{\"ok\":true}");
    TestSupport.Run localhost =
        TestSupport.curl("--http2", "--cacert", ca, "-s", "-o", "/dev/null", "-w", "%{http_code} %{http_version}",
            "--resolve", "localhost:" + server.address().getPort() + ":127.0.0.1",
            "https://localhost:" + server.address().getPort() + "/health");
    assertThat(localhost.out()).isEqualTo("204 2");
    TestSupport.Run h11 = TestSupport.curl("--http1.1", "--cacert", ca, "-i", url(true, "/json"));
    assertThat(h11.out()).startsWith("HTTP/1.1 200");
  }

  @Test
  void curlWithoutTheCaFailsTheHandshake() throws Exception {
    assumeTrue(TestSupport.curlHasHttp2(), "curl with HTTP2 support is not installed");
    start("http2", true);
    TestSupport.Run run = TestSupport.curl("--http2", url(true, "/json"));
    assertThat(run.exit()).isEqualTo(60); // peer certificate cannot be authenticated
    assertThat(context.recorded()).isEmpty();
  }

  @Test
  void manyConcurrentStreams() throws Exception {
    start("http2", false);
    HttpClient client = client(HttpClient.Version.HTTP_2, null);
    List<CompletableFuture<HttpResponse<String>>> pending =
        java.util.stream.IntStream.range(0, 50)
            .mapToObj(i -> client.sendAsync(get(url(false, "/json")), HttpResponse.BodyHandlers.ofString()))
            .toList();
    for (CompletableFuture<HttpResponse<String>> f : pending) {
      assertThat(f.get(10, java.util.concurrent.TimeUnit.SECONDS).body()).isEqualTo("{\"ok\":true}");
    }
    context.awaitEvents(50, Duration.ofSeconds(5));
  }

  @Test
  void oversizedBodyOnAStreamIs413() throws Exception {
    server =
        TestSupport.start(
            mock("auth", "http2", 0).route("* /**", MockResponse_ok()).config("max_body_bytes", 4L).build(), context);
    HttpClient client = client(HttpClient.Version.HTTP_2, null);
    // first request upgrades (without a body), the second runs on HTTP/2
    client.send(get(url(false, "/warmup")), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(URI.create(url(false, "/big"))).POST(HttpRequest.BodyPublishers.ofString("0123456789")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(r.statusCode()).isEqualTo(413);
    MockEvent event = context.awaitOp("bad_request", Duration.ofSeconds(5));
    assertThat(event.fields()).containsEntry("status", 413).containsEntry("proto", "HTTP/2");
    assertThat(client.send(get(url(false, "/after")), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
  }

  @Test
  void oversizedHeadersOnAStreamAre431WithAnEvent() throws Exception {
    assumeTrue(TestSupport.curlHasHttp2(), "curl with HTTP2 support is not installed");
    server =
        TestSupport.start(
            mock("auth", "http2", 0).route("* /**", MockResponse_ok()).config("max_header_bytes", 1024L).build(), context);
    TestSupport.Run big =
        TestSupport.curl("--http2-prior-knowledge", "-i", "-H", "X-Big: " + "a".repeat(1100), url(false, "/big"));
    assertThat(big.out()).startsWith("HTTP/2 431");
    MockEvent event = context.awaitOp("bad_request", Duration.ofSeconds(5));
    assertThat(event.fields())
        .containsEntry("status", 431)
        .containsEntry("error", "request headers over 1024 bytes")
        .containsEntry("proto", "HTTP/2");
    assertThat(context.recorded()).hasSize(1);
    TestSupport.Run after = TestSupport.curl("--http2-prior-knowledge", "-i", url(false, "/after"));
    assertThat(after.out()).startsWith("HTTP/2 200");
  }

  /** An h2c upgrade request whose body is over the limit is refused on HTTP/1.1, as any other. */
  @ParameterizedTest
  @ValueSource(strings = {
      "Content-Length: 10\r\n\r\n0123456789",
      "Transfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n0\r\n\r\n",
      "Content-Length: 10\r\nExpect: 100-continue\r\n\r\n"})
  void oversizedBodyOnAnUpgradeRequestIs413WithAnEvent(String body) throws Exception {
    server =
        TestSupport.start(
            mock("auth", "http2", 0).route("* /**", MockResponse_ok()).config("max_body_bytes", 4L).build(), context);
    try (Socket socket = TestSupport.connect(server.address())) {
      TestSupport.send(socket, "POST /big HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, HTTP2-Settings\r\n"
          + "Upgrade: h2c\r\nHTTP2-Settings: \r\n" + body);
      TestSupport.RawResponse r = TestSupport.read(socket.getInputStream());
      assertThat(r.status()).isEqualTo(413);
      assertThat(r.bodyText()).isEqualTo("request body too large\n");
      assertThat(r.header("connection")).isEqualTo("close");
      assertThat(TestSupport.closedByPeer(socket)).isTrue();
    }
    MockEvent event = context.awaitOp("bad_request", Duration.ofSeconds(5));
    assertThat(event.fields())
        .containsEntry("status", 413)
        .containsEntry("error", "request body over 4 bytes")
        .containsEntry("proto", "HTTP/1.1");
    assertThat(context.recorded()).hasSize(1);
    assertThat(client(HttpClient.Version.HTTP_2, null).send(get(url(false, "/after")), HttpResponse.BodyHandlers.ofString())
        .version()).isEqualTo(HttpClient.Version.HTTP_2);
  }

  /** Found by the fuzzer: Netty failed to convert such a target after its 101, leaving no answer and no event. */
  @Test
  void anUpgradeRequestWhoseTargetIsNoUriIsAnsweredOnHttp1() throws Exception {
    server = TestSupport.start(mock("auth", "http2", 0).route("* /**", MockResponse_ok()).build(), context);
    try (Socket socket = TestSupport.connect(server.address())) {
      TestSupport.send(socket, "GET /a\u00f9%zz HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, HTTP2-Settings\r\n"
          + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n");
      TestSupport.RawResponse r = TestSupport.read(socket.getInputStream());
      assertThat(r.status()).isNotEqualTo(101);
    }
    assertThat(context.awaitEvent(Duration.ofSeconds(5)).fields()).containsEntry("proto", "HTTP/1.1");
  }

  private static MockResponse.Static MockResponse_ok() {
    return Http1ServerTest.text(200, "ok");
  }
}
