package dev.faultbox.plugin.http;

import static dev.faultbox.plugin.http.TestSupport.connect;
import static dev.faultbox.plugin.http.TestSupport.exchange;
import static dev.faultbox.plugin.http.TestSupport.get;
import static dev.faultbox.plugin.http.TestSupport.read;
import static dev.faultbox.plugin.http.TestSupport.send;
import static dev.faultbox.testkit.MockDefinitionBuilder.dynamic;
import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.faultbox.plugin.http.TestSupport.RawResponse;
import dev.faultbox.spi.DynamicHandlerException;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockEvent;
import dev.faultbox.spi.MockRequest;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.MockServer;
import dev.faultbox.testkit.FreePorts;
import dev.faultbox.testkit.RecordingContext;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class Http1ServerTest {

  static MockResponse.Static json(int status, String json, Map<String, String> headers) {
    return new MockResponse.Static(status, headers, json.getBytes(StandardCharsets.UTF_8), Optional.of("application/json"));
  }

  static MockResponse.Static text(int status, String text) {
    return new MockResponse.Static(
        status, Map.of(), text.getBytes(StandardCharsets.UTF_8), Optional.of("text/plain; charset=utf-8"));
  }

  static MockResponse.Static statusOnly(int status) {
    return new MockResponse.Static(status, Map.of(), new byte[0], Optional.empty());
  }

  static final Executor LATER = CompletableFuture.delayedExecutor(150, TimeUnit.MILLISECONDS);

  private final RecordingContext context = new RecordingContext();
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private MockServer server;
  private final AtomicReference<MockRequest> seen = new AtomicReference<>();

  @BeforeEach
  void start() throws Exception {
    MockDefinition definition =
        mock("auth", "http", FreePorts.tcp())
            .route("GET /json", json(0, "{\"a\":1}", Map.of("X-Mock", "1")))
            .route("GET /text", text(201, "hello"))
            .route("GET /bytes", new MockResponse.Static(0, Map.of(), new byte[] {1, 2, 3}, Optional.empty()))
            .route("GET /health", statusOnly(204))
            .route("GET /old", new MockResponse.Static(302, Map.of("Location", "/new"), new byte[0], Optional.empty()))
            .route(
                "GET /typed",
                new MockResponse.Static(
                    200, Map.of("Content-Type", "application/vnd.x+json", "X-Multi", "m"), "{}".getBytes(StandardCharsets.UTF_8),
                    Optional.of("application/json")))
            .route(
                "* /echo/**",
                dynamic(
                    request -> {
                      seen.set(request);
                      String body =
                          request.method() + " " + request.path() + " q=" + request.query() + " h="
                              + request.headers().get("X-Test") + " body=" + new String(request.body(), StandardCharsets.UTF_8);
                      return CompletableFuture.completedFuture(text(200, body));
                    }))
            .route(
                "GET /slow",
                dynamic(request -> CompletableFuture.supplyAsync(() -> (MockResponse) text(200, "slow"), LATER)))
            .route(
                "GET /fail",
                dynamic(request -> CompletableFuture.failedFuture(new DynamicHandlerException("spec.star:3:5: boom"))))
            .route(
                "GET /fail-async",
                dynamic(request -> CompletableFuture.supplyAsync(() -> {
                  throw new DynamicHandlerException("spec.star:4:5: async boom");
                })))
            .route("GET /throws", dynamic(request -> {
              throw new IllegalStateException("thrown directly");
            }))
            .route("GET /grpc", dynamic(request -> CompletableFuture.completedFuture(new MockResponse.Status("14", "x"))))
            .route("GET /api/users", text(200, "users"))
            .route("GET /api/*", text(200, "one"))
            .route("GET /api/**", text(200, "many"))
            .route("* /**", text(200, "catch-all"))
            .build();
    server = TestSupport.start(definition, context);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.address().getPort() + path;
  }

  private HttpResponse<byte[]> call(String method, String path, byte[] body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url(path)))
            .timeout(Duration.ofSeconds(10))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
            .header("X-Test", "t1")
            .build();
    return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpResponse<byte[]> fetch(String path) throws Exception {
    return call("GET", path, null);
  }

  private static String text(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  @Test
  void jsonResponseWithRouteHeaders() throws Exception {
    HttpResponse<byte[]> r = fetch("/json");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(text(r)).isEqualTo("{\"a\":1}");
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(r.headers().firstValue("content-length")).hasValue("7");
    assertThat(r.headers().firstValue("x-mock")).hasValue("1");
    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
  }

  @Test
  void textBytesStatusOnlyRedirect() throws Exception {
    HttpResponse<byte[]> t = fetch("/text");
    assertThat(t.statusCode()).isEqualTo(201);
    assertThat(text(t)).isEqualTo("hello");
    assertThat(t.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");

    HttpResponse<byte[]> b = fetch("/bytes");
    assertThat(b.statusCode()).isEqualTo(200);
    assertThat(b.body()).containsExactly(1, 2, 3);
    assertThat(b.headers().firstValue("content-type")).isEmpty();

    HttpResponse<byte[]> s = fetch("/health");
    assertThat(s.statusCode()).isEqualTo(204);
    assertThat(s.body()).isEmpty();

    HttpResponse<byte[]> redirect = fetch("/old");
    assertThat(redirect.statusCode()).isEqualTo(302);
    assertThat(redirect.headers().firstValue("location")).hasValue("/new");
    assertThat(redirect.headers().firstValue("content-length")).hasValue("0");
  }

  @Test
  void headersOverrideTheResponseContentType() throws Exception {
    HttpResponse<byte[]> r = fetch("/typed");
    assertThat(r.headers().allValues("content-type")).containsExactly("application/vnd.x+json");
    assertThat(r.headers().firstValue("x-multi")).hasValue("m");
  }

  @Test
  void routesByPrecedenceEndToEnd() throws Exception {
    assertThat(text(fetch("/api/users"))).isEqualTo("users");
    assertThat(text(fetch("/api/orders"))).isEqualTo("one");
    assertThat(text(fetch("/api/orders/1"))).isEqualTo("many");
    assertThat(text(fetch("/api/users/?x=1"))).isEqualTo("users");
    assertThat(text(call("POST", "/api/users", "x".getBytes(StandardCharsets.UTF_8)))).isEqualTo("catch-all");
    assertThat(text(fetch("/"))).isEqualTo("catch-all");
    List<MockEvent> events = context.awaitEvents(6, Duration.ofSeconds(5));
    assertThat(events.get(0).fields()).containsEntry("route", "GET /api/users");
    assertThat(events.get(1).fields()).containsEntry("route", "GET /api/*");
    assertThat(events.get(2).fields()).containsEntry("route", "GET /api/**");
    assertThat(events.get(4).fields()).containsEntry("route", "* /**");
  }

  @Test
  void headGetsHeadersOnly() throws Exception {
    RawResponse r = exchange(server.address(), "HEAD /json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("content-length")).isEqualTo("7");
    assertThat(r.header("content-type")).isEqualTo("application/json");
    HttpResponse<byte[]> viaClient = call("HEAD", "/json", null);
    assertThat(viaClient.statusCode()).isEqualTo(200);
    assertThat(viaClient.body()).isEmpty();
    MockEvent event = context.awaitOp("HEAD /json", Duration.ofSeconds(5));
    assertThat(event.fields()).containsEntry("body_size", 0).containsEntry("route", "GET /json");
  }

  @Test
  void eventFields() throws Exception {
    fetch("/json?x=1&y=2");
    MockEvent event = context.awaitEvent(Duration.ofSeconds(5));
    assertThat(event.service()).isEqualTo("auth");
    assertThat(event.iface()).isEqualTo("main");
    assertThat(event.op()).isEqualTo("GET /json");
    assertThat(event.fields())
        .containsEntry("status", 200)
        .containsEntry("body_size", 7)
        .containsEntry("req_size", 0)
        .containsEntry("method", "GET")
        .containsEntry("path", "/json")
        .containsEntry("proto", "HTTP/1.1")
        .containsEntry("route", "GET /json")
        .containsKey("duration_ms")
        .doesNotContainKeys("error", "fault");
    assertThat(event.fields().get("duration_ms")).isInstanceOf(Long.class); // numbers stay numbers
  }

  @Test
  void dynamicEchoSeesTheRequest() throws Exception {
    HttpResponse<byte[]> r = call("PUT", "/echo/a%20b/c?x=1&x=2&y=%C3%A9", "payload".getBytes(StandardCharsets.UTF_8));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(text(r)).isEqualTo("PUT /echo/a b/c q={x=1, y=é} h=t1 body=payload");
    MockRequest request = seen.get();
    assertThat(request.headers()).containsEntry("X-Test", "t1").containsKey("Content-Length");
    MockEvent event = context.awaitEvent(Duration.ofSeconds(5));
    assertThat(event.op()).isEqualTo("PUT /echo/a b/c");
    assertThat(event.fields()).containsEntry("req_size", 7).containsEntry("route", "* /echo/**");
  }

  @Test
  void delayedDynamic() throws Exception {
    HttpResponse<byte[]> r = fetch("/slow");
    assertThat(text(r)).isEqualTo("slow");
    MockEvent event = context.awaitEvent(Duration.ofSeconds(5));
    assertThat((Long) event.fields().get("duration_ms")).isGreaterThanOrEqualTo(100);
  }

  @Test
  void failingDynamicIs500WithError() throws Exception {
    HttpResponse<byte[]> r = fetch("/fail");
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(text(r)).isEqualTo("dynamic handler error: spec.star:3:5: boom\n");
    assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
    MockEvent event = context.awaitEvent(Duration.ofSeconds(5));
    assertThat(event.fields()).containsEntry("status", 500).containsEntry("error", "spec.star:3:5: boom");

    assertThat(text(fetch("/fail-async"))).isEqualTo("dynamic handler error: spec.star:4:5: async boom\n");
    HttpResponse<byte[]> thrown = fetch("/throws");
    assertThat(thrown.statusCode()).isEqualTo(500);
    assertThat(text(thrown)).isEqualTo("dynamic handler error: thrown directly\n");
    HttpResponse<byte[]> grpc = fetch("/grpc");
    assertThat(grpc.statusCode()).isEqualTo(500);
    assertThat(text(grpc)).startsWith("dynamic handler error: dynamic handler answered status_response(...)");
    assertThat(context.awaitEvents(4, Duration.ofSeconds(5)).get(3).fields()).containsKey("error");
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    try (Socket socket = connect(server.address())) {
      send(
          socket,
          "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
              + "GET /text HTTP/1.1\r\nHost: x\r\n\r\n"
              + "GET /echo/1 HTTP/1.1\r\nHost: x\r\n\r\n"
              + "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
              + "GET /json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      InputStream in = socket.getInputStream();
      assertThat(read(in).bodyText()).isEqualTo("slow");
      assertThat(read(in).bodyText()).isEqualTo("hello");
      assertThat(read(in).bodyText()).startsWith("GET /echo/1");
      assertThat(read(in).bodyText()).isEqualTo("slow");
      RawResponse last = read(in);
      assertThat(last.bodyText()).isEqualTo("{\"a\":1}");
      assertThat(last.header("connection")).isEqualTo("close");
      assertThat(TestSupport.closedByPeer(socket)).isTrue();
    }
    List<MockEvent> events = context.awaitEvents(5, Duration.ofSeconds(5));
    assertThat(events).extracting(MockEvent::op)
        .containsExactly("GET /slow", "GET /text", "GET /echo/1", "GET /slow", "GET /json");
  }

  @Test
  void keepAliveServesManyRequestsOnOneConnection() throws Exception {
    try (Socket socket = connect(server.address())) {
      InputStream in = socket.getInputStream();
      for (int i = 0; i < 5; i++) {
        send(socket, "GET /text HTTP/1.1\r\nHost: x\r\n\r\n");
        RawResponse r = read(in);
        assertThat(r.bodyText()).isEqualTo("hello");
        assertThat(r.header("connection")).isNull();
      }
    }
  }

  @Test
  void http10ClosesUnlessKeepAliveAsked() throws Exception {
    try (Socket socket = connect(server.address())) {
      send(socket, "GET /text HTTP/1.0\r\n\r\n");
      RawResponse r = read(socket.getInputStream());
      assertThat(r.statusLine()).startsWith("HTTP/1.0 201");
      assertThat(TestSupport.closedByPeer(socket)).isTrue();
    }
    try (Socket socket = connect(server.address())) {
      send(socket, "GET /text HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
      RawResponse first = read(socket.getInputStream());
      assertThat(first.header("connection")).isEqualToIgnoringCase("keep-alive");
      send(socket, "GET /json HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
      assertThat(read(socket.getInputStream()).bodyText()).isEqualTo("{\"a\":1}");
    }
    MockEvent event = context.awaitEvent(Duration.ofSeconds(5));
    assertThat(event.fields()).containsEntry("proto", "HTTP/1.0");
  }

  @Test
  void eventIsRecordedBeforeTheReplyLeaves() throws Exception {
    try (Socket socket = connect(server.address())) {
      InputStream in = socket.getInputStream();
      for (int i = 0; i < 300; i++) {
        String path = i % 2 == 0 ? "/text" : "/echo/" + i;
        send(socket, "GET " + path + "?i=" + i + " HTTP/1.1\r\nHost: x\r\n\r\n");
        read(in);
        List<MockEvent> events = context.recorded();
        assertThat(events).hasSize(i + 1);
        assertThat(events.get(i).op()).isEqualTo("GET " + path);
      }
    }
    for (int i = 0; i < 100; i++) {
      fetch("/json");
      assertThat(context.recorded()).hasSize(301 + i);
    }
  }

  @Test
  void absoluteFormTarget() throws Exception {
    RawResponse r =
        exchange(server.address(), "GET http://auth:8090/text?q=1 HTTP/1.1\r\nHost: auth\r\nConnection: close\r\n\r\n");
    assertThat(r.bodyText()).isEqualTo("hello");
  }

  @Test
  void curlHttp11() throws Exception {
    assumeTrue(TestSupport.curlHasHttp2(), "curl with HTTP2 support is not installed");
    TestSupport.Run run = TestSupport.curl("--http1.1", "-i", url("/json"));
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).startsWith("HTTP/1.1 200").containsIgnoringCase("x-mock: 1").contains("Content-Type: application/json").endsWith("{\"a\":1}");
  }

  @Test
  void notFoundWithoutDefault() throws Exception {
    MockServer plain = TestSupport.start(mock("p", "http", 0).route("GET /a", text(200, "a")).build(), context);
    try {
      InetSocketAddress address = plain.address();
      RawResponse r = get(address, "/nope");
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.bodyText()).isEqualTo("not found\n");
      assertThat(r.header("content-type")).isEqualTo("text/plain; charset=utf-8");
      MockEvent event = context.awaitOp("GET /nope", Duration.ofSeconds(5));
      assertThat(event.fields()).containsEntry("status", 404).doesNotContainKey("route");
    } finally {
      plain.close();
    }
  }

  @Test
  void defaultResponse() throws Exception {
    MockServer withDefault =
        TestSupport.start(
            mock("p", "http", 0).route("GET /a", text(200, "a")).defaultResponse(json(503, "{\"d\":1}", Map.of())).build(),
            context);
    try {
      RawResponse r = get(withDefault.address(), "/nope");
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.bodyText()).isEqualTo("{\"d\":1}");
      MockEvent event = context.awaitOp("GET /nope", Duration.ofSeconds(5));
      assertThat(event.fields()).containsEntry("status", 503).doesNotContainKey("route");
    } finally {
      withDefault.close();
    }
  }
}
