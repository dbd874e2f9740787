package dev.faultbox.plugin.http;

import static dev.faultbox.testkit.MockDefinitionBuilder.dynamic;
import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultbox.spi.Endpoint;
import dev.faultbox.spi.MockContext;
import dev.faultbox.spi.MockEvent;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.MockServer;
import dev.faultbox.spi.StepException;
import dev.faultbox.spi.StepMethod;
import dev.faultbox.spi.StepResult;
import dev.faultbox.testkit.FreePorts;
import dev.faultbox.testkit.RecordingContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpStepTest {

  private final RecordingContext context = new RecordingContext();
  private MockServer server;

  /** Echoes the request as text: method, path, sorted query, content type, X-Test header, body. */
  private static MockResponse echo() {
    return dynamic(
        request -> {
          Map<String, String> lower = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
          lower.putAll(request.headers());
          String text =
              request.method() + " " + request.path() + " q=" + new TreeMap<>(request.query())
                  + " ct=" + lower.get("content-type") + " x=" + lower.get("x-test")
                  + " body=" + new String(request.body(), StandardCharsets.UTF_8);
          return CompletableFuture.completedFuture(
              new MockResponse.Static(
                  200, Map.of("X-Reply", "yes"), text.getBytes(StandardCharsets.UTF_8), Optional.of("text/plain")));
        });
  }

  private MockServer start(String proto, boolean tls) throws Exception {
    MockContext ctx = tls ? context.withTls(TestSupport.identity()) : context;
    server =
        TestSupport.start(
            mock("api", proto, 0)
                .tls(tls)
                .route("* /echo/**", echo())
                .route(
                    "GET /never",
                    dynamic(request -> new CompletableFuture<>()))
                .route("GET /created", Http1ServerTest.json(201, "{\"id\":7}", Map.of()))
                .build(),
            ctx);
    return server;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private Endpoint endpoint(String proto, boolean tls, boolean trustCa) {
    return new Endpoint(
        "api", "main", proto, "127.0.0.1", server.address().getPort(), tls,
        trustCa ? Optional.of(TestSupport.CA.certificate()) : Optional.empty());
  }

  private StepResult.Response call(String proto, Endpoint endpoint, String step, Map<String, Object> kwargs) {
    StepMethod method = TestSupport.factory(proto).steps().get(step);
    return (StepResult.Response) method.call(endpoint, kwargs);
  }

  private static Map<String, Object> args(Object... pairs) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put((String) pairs[i], pairs[i + 1]);
    }
    return map;
  }

  @Test
  void getWithPathQueryAndHeaders() throws Exception {
    start("http", false);
    StepResult.Response r =
        call("http", endpoint("http", false, false), "get",
            args("path", "/echo/a?z=9", "query", Map.of("q", "a b&c"), "headers", Map.of("X-Test", "t")));
    assertThat(r.ok()).isTrue();
    assertThat(r.error()).isEmpty();
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.bodyText()).isEqualTo("GET /echo/a q={q=a b&c, z=9} ct=null x=t body=");
    assertThat(r.headers()).containsEntry("Content-Type", "text/plain").containsEntry("X-Reply", "yes");
    assertThat(r.durationMs()).isGreaterThanOrEqualTo(0);
    MockEvent event = context.awaitEvent(Duration.ofSeconds(5));
    assertThat(event.fields()).containsEntry("proto", "HTTP/1.1");
  }

  @Test
  void defaultsToRoot() throws Exception {
    start("http", false);
    StepResult.Response r = call("http", endpoint("http", false, false), "get", Map.of());
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.ok()).isTrue();
    assertThat(context.awaitEvent(Duration.ofSeconds(5)).op()).isEqualTo("GET /");
  }

  @Test
  void dictBodyIsJson() throws Exception {
    start("http", false);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", "bob");
    body.put("tags", List.of("a", 1L, true));
    body.put("none", null);
    StepResult.Response r = call("http", endpoint("http", false, false), "post", args("path", "/echo/users", "body", body));
    assertThat(r.bodyText())
        .isEqualTo("POST /echo/users q={} ct=application/json x=null body={\"name\":\"bob\",\"tags\":[\"a\",1,true],\"none\":null}");
    StepResult.Response list = call("http", endpoint("http", false, false), "put", args("path", "/echo/l", "body", List.of(1.5)));
    assertThat(list.bodyText()).endsWith("ct=application/json x=null body=[1.5]");
    StepResult.Response own =
        call("http", endpoint("http", false, false), "patch",
            args("path", "/echo/p", "body", Map.of("a", 1L), "headers", Map.of("content-type", "application/merge-patch+json")));
    assertThat(own.bodyText()).contains("ct=application/merge-patch+json");
    StepResult.Response text = call("http", endpoint("http", false, false), "delete", args("path", "/echo/t", "body", "plain"));
    assertThat(text.bodyText()).isEqualTo("DELETE /echo/t q={} ct=null x=null body=plain");
  }

  @Test
  void headHasNoBody() throws Exception {
    start("http", false);
    StepResult.Response r = call("http", endpoint("http", false, false), "head", args("path", "/created"));
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.body()).isEmpty();
    assertThat(r.headers()).containsEntry("Content-Length", "8");
  }

  @Test
  void timeoutIsNotOk() throws Exception {
    start("http", false);
    StepResult.Response r = call("http", endpoint("http", false, false), "get", args("path", "/never", "timeout_ms", 300L));
    assertThat(r.ok()).isFalse();
    assertThat(r.error())
        .isEqualTo("GET http://127.0.0.1:" + server.address().getPort() + "/never failed: timed out after 300ms");
    assertThat(r.durationMs()).isBetween(250L, 5000L);
  }

  @Test
  void refusedIsNotOk() {
    int port = FreePorts.tcp();
    Endpoint nowhere = Endpoint.plain("api", "main", "http", "127.0.0.1", port);
    StepResult.Response r = (StepResult.Response) TestSupport.factory("http").steps().get("get").call(nowhere, args("path", "/x"));
    assertThat(r.ok()).isFalse();
    assertThat(r.status()).isZero();
    assertThat(r.error()).isEqualTo("GET http://127.0.0.1:" + port + "/x failed: connection refused");
  }

  @Test
  void http2StepsUseH2c() throws Exception {
    start("http2", false);
    for (int i = 0; i < 3; i++) {
      StepResult.Response r = call("http2", endpoint("http2", false, false), "post", args("path", "/echo/x", "body", Map.of("i", (long) i)));
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.headers()).containsEntry("Content-Type", "text/plain").containsEntry("X-Reply", "yes");
    }
    List<MockEvent> events = context.awaitEvents(3, Duration.ofSeconds(5));
    // the first request may carry the h2c upgrade over HTTP/1.1; later ones run on HTTP/2
    assertThat(events.get(2).fields()).containsEntry("proto", "HTTP/2");
  }

  @Test
  void tlsStepsTrustTheMockCa() throws Exception {
    start("http2", true);
    StepResult.Response r = call("http2", endpoint("http2", true, true), "get", args("path", "/echo/tls", "query", Map.of("a", 1L)));
    assertThat(r.ok()).as(r.error()).isTrue();
    assertThat(r.bodyText()).startsWith("GET /echo/tls q={a=1}");
    assertThat(context.awaitEvent(Duration.ofSeconds(5)).fields()).containsEntry("proto", "HTTP/2");
    StepResult.Response h11 = call("http", endpoint("http", true, true), "get", args("path", "/created"));
    assertThat(h11.status()).isEqualTo(201);
    assertThat(context.awaitEvents(2, Duration.ofSeconds(5)).get(1).fields()).containsEntry("proto", "HTTP/1.1");
  }

  @Test
  void tlsWithoutTheCaFailsTheHandshake() throws Exception {
    start("http", true);
    StepResult.Response r = call("http", endpoint("http", true, false), "get", args("path", "/created"));
    assertThat(r.ok()).isFalse();
    assertThat(r.error())
        .startsWith("GET https://127.0.0.1:" + server.address().getPort() + "/created failed: TLS handshake failed: ");
    assertThat(r.error()).doesNotContain("\n");
  }

  @Test
  void badArgumentsRaise() throws Exception {
    start("http", false);
    Endpoint e = endpoint("http", false, false);
    assertThatThrownBy(() -> call("http", e, "get", args("headers", Map.of("Host", "evil"))))
        .isInstanceOf(StepException.class)
        .hasMessageStartingWith("get() headers= cannot set \"Host\"");
    assertThatThrownBy(() -> call("http", e, "post", args("body", 42L)))
        .isInstanceOf(StepException.class)
        .hasMessage("post() body= must be a str, bytes, dict or list, got int");
    assertThatThrownBy(() -> call("http", e, "get", args("path", "x")))
        .isInstanceOf(StepException.class)
        .hasMessage("get() path= must start with \"/\", got \"x\"");
    assertThatThrownBy(() -> call("http", e, "get", args("timeout_ms", 0L)))
        .isInstanceOf(StepException.class)
        .hasMessage("get() timeout_ms= must be in 1..3600000, got 0");
    assertThatThrownBy(() -> call("http", e, "get", args("query", List.of("a"))))
        .isInstanceOf(StepException.class)
        .hasMessage("get() query= must be a dict, got list");
    assertThatThrownBy(() -> call("http", e, "get", args("headers", Map.of("X", 1L))))
        .isInstanceOf(StepException.class)
        .hasMessage("get() headers= must be a dict of str, got a str key with a int value");
    assertThatThrownBy(() -> call("http", e, "get", args("path", "/a b")))
        .isInstanceOf(StepException.class)
        .hasMessageStartingWith("get() path= does not make a valid URL");
    assertThatThrownBy(() -> call("http", e, "post", args("body", Map.of("x", new Object()))))
        .isInstanceOf(StepException.class)
        .hasMessageStartingWith("post() body= cannot be sent as JSON");
    assertThat(context.recorded()).isEmpty();
  }

  @Test
  void closeForgetsTheClients() {
    StepClients clients = new StepClients();
    java.net.http.HttpClient kept = clients.get(false, false, Optional.empty());
    assertThat(clients.get(false, false, Optional.empty())).isSameAs(kept);
    clients.close();
    clients.close();
    assertThat(clients.get(false, false, Optional.empty())).isNotSameAs(kept);
  }
}
