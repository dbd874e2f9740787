package dev.faultbox.plugin.grpc;

import static dev.faultbox.plugin.grpc.TestSupport.GEO;
import static dev.faultbox.plugin.grpc.TestSupport.inSpecDir;
import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import dev.faultbox.plugin.grpc.test.flags.FlagsGrpc;
import dev.faultbox.plugin.grpc.test.geo.City;
import dev.faultbox.plugin.grpc.test.geo.GeoConfigServiceGrpc;
import dev.faultbox.plugin.grpc.test.geo.GetCityRequest;
import dev.faultbox.spi.FaultDecision;
import dev.faultbox.spi.MockEvent;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.MockServer;
import dev.faultbox.spi.TlsIdentity;
import dev.faultbox.testkit.RecordingContext;
import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * gRPC-Web and Connect on a gRPC mock's port, beside native gRPC: real requests over real
 * sockets (Java's HttpClient on HTTP/1.1 and HTTP/2, curl), answered by the same routes, faults
 * and events as native calls.
 */
class WebCallsTest {

  private final TestSupport.Resources resources = new TestSupport.Resources();
  private final RecordingContext context = new RecordingContext();

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  private MockServer geo() throws Exception {
    return resources.server(TestSupport.geoCity(), context);
  }

  private MockServer flags() throws Exception {
    return resources.server(mock("flags", "grpc", 0)
        .route("/flags.v1.Flags/Get", new MockResponse.Structured(Map.of("variant", "B")))
        .route("/flags.v1.Flags/Fail", new MockResponse.Status("UNAVAILABLE", "flags are down"))
        .build(), context);
  }

  private static String url(MockServer server, String path) {
    return "http://127.0.0.1:" + server.address().getPort() + path;
  }

  private static byte[] getCity(long id) {
    return GetCityRequest.newBuilder().setId(id).build().toByteArray();
  }

  private void nativeCallStillWorks(MockServer server) {
    City city = GeoConfigServiceGrpc.newBlockingStub(resources.channel(server)).withDeadlineAfter(10, TimeUnit.SECONDS)
        .getCity(GetCityRequest.newBuilder().setId(1).build());
    assertThat(city.getName()).isEqualTo("Almaty");
  }

  // ---- gRPC-Web --------------------------------------------------------------------------

  @Test
  void grpcWebOverHttp1AnswersWithTheMessageAndATrailerFrame() throws Exception {
    MockServer server = geo();
    WebClients.WebReply reply = WebClients.grpcWeb(WebClients.http1(), url(server, GEO + "GetCity"), getCity(7),
        "x-grpc-web", "1", "origin", "http://app.test", "x-tenant", "acme");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.headers().get("content-type")).containsExactly("application/grpc-web+proto");
    assertThat(reply.headers().get("access-control-allow-origin")).containsExactly("http://app.test");
    assertThat(reply.headers().get("access-control-expose-headers").get(0)).contains("grpc-status", "grpc-message");
    assertThat(reply.messages()).hasSize(1);
    City city = City.parseFrom(reply.messages().get(0));
    assertThat(city.getName()).isEqualTo("Almaty");
    assertThat(city.getCityId()).isEqualTo(7);
    assertThat(reply.trailer("grpc-status")).isEqualTo("0");
    MockEvent event = context.awaitOp("ok", Duration.ofSeconds(10));
    assertThat(event.fields()).containsEntry("method", GEO + "GetCity").containsEntry("protocol", "grpc-web")
        .containsEntry("code", "OK").containsEntry("route", GEO + "GetCity");
    nativeCallStillWorks(server);
    assertThat(context.awaitEvents(2, Duration.ofSeconds(10)).get(1).fields()).doesNotContainKey("protocol");
  }

  @Test
  void grpcWebForwardsHeadersAsMetadataToDynamicHandlers() throws Exception {
    java.util.concurrent.atomic.AtomicReference<Map<String, String>> seen = new java.util.concurrent.atomic.AtomicReference<>();
    MockServer server = resources.server(mock("flags", "grpc", 0)
        .route("/flags.v1.Flags/Get", new MockResponse.Dynamic(request -> {
          seen.set(request.headers());
          return java.util.concurrent.CompletableFuture.completedFuture(new MockResponse.Structured(Map.of("variant", "dyn")));
        })).build(), context);
    WebClients.WebReply reply = WebClients.grpcWeb(WebClients.http1(), url(server, "/flags.v1.Flags/Get"),
        Struct.getDefaultInstance().toByteArray(), "x-tenant", "acme", "authorization", "Bearer t");
    assertThat(Struct.parseFrom(reply.messages().get(0)).getFieldsOrThrow("variant").getStringValue()).isEqualTo("dyn");
    assertThat(seen.get()).containsEntry("x-tenant", "acme").containsEntry("authorization", "Bearer t")
        .doesNotContainKeys("content-type", "faultbox-via");
  }

  @Test
  void grpcWebTextByCurlOverHttp1AndGrpcWebOverH2c() throws Exception {
    assumeTrue(WebClients.hasCurl(), "curl is not installed");
    MockServer server = geo();
    String body = Base64.getEncoder().encodeToString(WebClients.envelope(0, getCity(3)));
    WebClients.Curl curl = WebClients.curl("--http1.1", "-X", "POST", "-H", "content-type: application/grpc-web-text",
        "-H", "accept: application/grpc-web-text", "--data-binary", body, url(server, GEO + "GetCity"));
    assertThat(curl.exit()).as(curl.output()).isZero();
    WebClients.WebReply reply = WebClients.parse(200, Map.of(), Base64.getDecoder().decode(curl.output().trim()));
    assertThat(City.parseFrom(reply.messages().get(0)).getName()).isEqualTo("Almaty");
    assertThat(reply.trailer("grpc-status")).isEqualTo("0");

    // The same over HTTP/2 without TLS (prior knowledge), with the body in a file as binary.
    java.nio.file.Path file = java.nio.file.Files.createTempFile("grpc-web", ".bin");
    resources.add(() -> java.nio.file.Files.deleteIfExists(file));
    java.nio.file.Files.write(file, Base64.getEncoder().encode(WebClients.envelope(0, getCity(4))));
    curl = WebClients.curl("--http2-prior-knowledge", "-i", "-X", "POST", "-H", "content-type: application/grpc-web-text+proto",
        "--data-binary", "@" + file, url(server, GEO + "GetCity"));
    assertThat(curl.exit()).as(curl.output()).isZero();
    assertThat(curl.output()).startsWith("HTTP/2 200").contains("content-type: application/grpc-web-text+proto");
    String text = curl.output().substring(curl.output().indexOf("\r\n\r\n") + 4).trim();
    reply = WebClients.parse(200, Map.of(), GrpcWebCodec.unbase64(text.getBytes(StandardCharsets.US_ASCII)));
    assertThat(City.parseFrom(reply.messages().get(0)).getName()).isEqualTo("Almaty");
    assertThat(context.awaitEvents(2, Duration.ofSeconds(10))).allSatisfy(e ->
        assertThat(e.fields()).containsEntry("protocol", "grpc-web").containsEntry("code", "OK"));
    nativeCallStillWorks(server);
  }

  @Test
  void corsPreflightIsAnsweredAsABrowserNeedsWithoutAnEvent() throws Exception {
    MockServer server = geo();
    HttpResponse<byte[]> response = WebClients.http1().send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(url(server, GEO + "GetCity")))
        .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody())
        .header("origin", "http://app.test")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type,x-grpc-web,x-user-agent")
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(204);
    assertThat(response.headers().firstValue("access-control-allow-origin")).contains("http://app.test");
    assertThat(response.headers().firstValue("access-control-allow-methods").orElseThrow()).contains("POST");
    assertThat(response.headers().firstValue("access-control-allow-headers")).contains("content-type,x-grpc-web,x-user-agent");
    assertThat(response.headers().firstValue("access-control-expose-headers").orElseThrow())
        .contains("grpc-status", "grpc-message");
    nativeCallStillWorks(server);
    assertThat(context.awaitEvents(1, Duration.ofSeconds(10))).hasSize(1)
        .allSatisfy(e -> assertThat(e.fields()).doesNotContainKey("protocol"));
  }

  // ---- faults ------------------------------------------------------------------------------

  @Test
  void faultsApplyToGrpcWebAndConnectCalls() throws Exception {
    context.setFaultGate(probe -> new FaultDecision(FaultDecision.Action.RESPOND, Duration.ofMillis(300), 14,
        "injected outage", Optional.of("geo_down")));
    MockServer server = geo();
    long started = System.nanoTime();
    WebClients.WebReply reply = WebClients.grpcWeb(WebClients.http1(), url(server, GEO + "GetCity"), getCity(7));
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("the fault's delay").isGreaterThanOrEqualTo(300);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.messages()).isEmpty();
    assertThat(reply.trailer("grpc-status")).isEqualTo("14");
    assertThat(reply.trailer("grpc-message")).isEqualTo("injected outage");

    HttpResponse<byte[]> connect = WebClients.post(WebClients.http1(), url(server, GEO + "GetCity"), "application/json",
        "{\"id\": 7}".getBytes(StandardCharsets.UTF_8), "connect-protocol-version", "1");
    assertThat(connect.statusCode()).isEqualTo(503);
    assertThat(connect.headers().firstValue("content-type")).contains("application/json");
    assertThat(new String(connect.body(), StandardCharsets.UTF_8))
        .isEqualTo("{\"code\":\"unavailable\",\"message\":\"injected outage\"}");
    List<MockEvent> events = context.awaitEvents(2, Duration.ofSeconds(10));
    assertThat(events).extracting(e -> e.fields().get("protocol")).containsExactly("grpc-web", "connect");
    assertThat(events).allSatisfy(e -> assertThat(e.op()).isEqualTo("error"))
        .allSatisfy(e -> assertThat(e.fields()).containsEntry("fault", "geo_down").containsEntry("code", "UNAVAILABLE"));
  }

  @Test
  void routeStatusesAreConnectErrorsAndGrpcWebTrailers() throws Exception {
    MockServer server = flags();
    HttpResponse<byte[]> connect = WebClients.post(WebClients.http1(), url(server, "/flags.v1.Flags/Fail"),
        "application/json", "{}".getBytes(StandardCharsets.UTF_8));
    assertThat(connect.statusCode()).isEqualTo(503);
    assertThat(new String(connect.body(), StandardCharsets.UTF_8)).contains("\"code\":\"unavailable\"", "flags are down");
    HttpResponse<byte[]> missing = WebClients.post(WebClients.http1(), url(server, "/flags.v1.Flags/Missing"),
        "application/json", "{}".getBytes(StandardCharsets.UTF_8));
    assertThat(missing.statusCode()).isEqualTo(501);
    assertThat(new String(missing.body(), StandardCharsets.UTF_8)).contains("\"code\":\"unimplemented\"");
    WebClients.WebReply web = WebClients.grpcWeb(WebClients.http1(), url(server, "/flags.v1.Flags/Fail"), new byte[0]);
    assertThat(web.trailer("grpc-status")).isEqualTo("14");
    assertThat(web.trailer("grpc-message")).isEqualTo("flags are down");
    assertThat(context.awaitEvents(3, Duration.ofSeconds(10))).extracting(MockEvent::op)
        .containsExactly("error", "unmatched", "error");
  }

  // ---- Connect -----------------------------------------------------------------------------

  @Test
  void connectUnaryJsonByCurlAndBinaryByHttpClient() throws Exception {
    assumeTrue(WebClients.hasCurl(), "curl is not installed");
    MockServer server = geo();
    WebClients.Curl curl = WebClients.curl("--http1.1", "-i", "-H", "content-type: application/json",
        "-H", "connect-protocol-version: 1", "--data", "{\"id\":\"7\",\"locale\":\"kk\"}", url(server, GEO + "GetCity"));
    assertThat(curl.exit()).as(curl.output()).isZero();
    assertThat(curl.output()).startsWith("HTTP/1.1 200").contains("content-type: application/json")
        .endsWith("{\"name\":\"Almaty\",\"cityId\":\"7\"}");

    HttpResponse<byte[]> binary = WebClients.post(WebClients.http1(), url(server, GEO + "GetCity"), "application/proto",
        getCity(7), "connect-protocol-version", "1");
    assertThat(binary.statusCode()).isEqualTo(200);
    assertThat(binary.headers().firstValue("content-type")).contains("application/proto");
    assertThat(City.parseFrom(binary.body()).getName()).isEqualTo("Almaty");

    // GET for an idempotent call: ?encoding=json&message=...
    curl = WebClients.curl("--http1.1", "-G", "--data-urlencode", "message={\"id\":7}", "--data", "encoding=json",
        "--data", "connect=v1", url(server, GEO + "GetCity"));
    assertThat(curl.output()).isEqualTo("{\"name\":\"Almaty\",\"cityId\":\"7\"}");
    assertThat(context.awaitEvents(3, Duration.ofSeconds(10))).allSatisfy(e ->
        assertThat(e.fields()).containsEntry("protocol", "connect").containsEntry("code", "OK"));
  }

  @Test
  void connectJsonOnAnUntypedMockIsAStruct() throws Exception {
    java.util.concurrent.atomic.AtomicReference<Object> seen = new java.util.concurrent.atomic.AtomicReference<>();
    MockServer server = resources.server(mock("flags", "grpc", 0)
        .route("/flags.v1.Flags/Get", new MockResponse.Dynamic(request -> {
          seen.set(request.extras().get("request"));
          return java.util.concurrent.CompletableFuture.completedFuture(
              new MockResponse.Structured(Map.of("variant", "B", "rollout", 0.5)));
        })).build(), context);
    HttpResponse<byte[]> response = WebClients.post(WebClients.http1(), url(server, "/flags.v1.Flags/Get"),
        "application/json; charset=utf-8", "{\"flag\": \"checkout\", \"user\": {\"id\": 42}}".getBytes(StandardCharsets.UTF_8));
    assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    Struct.Builder reply = Struct.newBuilder();
    JsonFormat.parser().merge(new String(response.body(), StandardCharsets.UTF_8), reply);
    assertThat(reply.getFieldsOrThrow("variant").getStringValue()).isEqualTo("B");
    assertThat(reply.getFieldsOrThrow("rollout").getNumberValue()).isEqualTo(0.5);
    assertThat(seen.get()).isEqualTo(Map.of("flag", "checkout", "user", Map.of("id", 42.0)));
  }

  @Test
  void connectStreamingFramesWithTheEndStreamMessage() throws Exception {
    MockServer server = geo();
    HttpResponse<byte[]> response = WebClients.post(WebClients.http1(), url(server, GEO + "GetCity"),
        "application/connect+json", WebClients.envelope(0, "{\"id\":7}".getBytes(StandardCharsets.UTF_8)),
        "connect-protocol-version", "1");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).contains("application/connect+json");
    byte[] body = response.body();
    int first = ((body[1] & 0xff) << 24) | ((body[2] & 0xff) << 16) | ((body[3] & 0xff) << 8) | (body[4] & 0xff);
    assertThat(body[0]).isEqualTo((byte) 0);
    assertThat(new String(body, 5, first, StandardCharsets.UTF_8)).isEqualTo("{\"name\":\"Almaty\",\"cityId\":\"7\"}");
    assertThat(body[5 + first]).isEqualTo((byte) 0x02);
    assertThat(new String(body, 10 + first, body.length - 10 - first, StandardCharsets.UTF_8)).isEqualTo("{}");

    // A status ends the stream with the error in the end-stream message, HTTP 200.
    MockServer flags = flags();
    response = WebClients.post(WebClients.http1(), url(flags, "/flags.v1.Flags/Fail"), "application/connect+proto",
        WebClients.envelope(0, new byte[0]));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()[0]).isEqualTo((byte) 0x02);
    assertThat(new String(response.body(), 5, response.body().length - 5, StandardCharsets.UTF_8))
        .isEqualTo("{\"error\":{\"code\":\"unavailable\",\"message\":\"flags are down\"}}");
  }

  // ---- bad input -------------------------------------------------------------------------

  @Test
  void badWebRequestsGetProtocolAnswersAndEventsAndTheListenerKeepsServing() throws Exception {
    MockServer server = resources.server(inSpecDir(mock("geo-config", "grpc", 0)
        .config("descriptors", "all_upstreams.pb")
        .config("max_message_bytes", 1024)
        .route(GEO + "GetCity", new MockResponse.Structured(Map.of("name", "Almaty")))
        .build()), context);
    HttpClient client = WebClients.http1();
    // A truncated envelope.
    HttpResponse<byte[]> truncated = WebClients.post(client, url(server, GEO + "GetCity"), "application/grpc-web+proto",
        new byte[] {0, 0, 0, 0, 9, 1, 2});
    WebClients.WebReply reply = WebClients.parse(truncated.statusCode(), truncated.headers().map(), truncated.body());
    assertThat(reply.trailer("grpc-status")).isEqualTo("13");
    assertThat(reply.trailer("grpc-message")).contains("truncated envelope");
    // Over the mock's max message size, for gRPC-Web and Connect.
    reply = WebClients.grpcWeb(client, url(server, GEO + "GetCity"), new byte[2000]);
    assertThat(reply.trailer("grpc-status")).isEqualTo("8");
    HttpResponse<byte[]> big = WebClients.post(client, url(server, GEO + "GetCity"), "application/proto", new byte[5000]);
    assertThat(big.statusCode()).isEqualTo(429);
    assertThat(new String(big.body(), StandardCharsets.UTF_8)).contains("\"code\":\"resource_exhausted\"");
    // JSON that is not the method's input type.
    HttpResponse<byte[]> json = WebClients.post(client, url(server, GEO + "GetCity"), "application/json",
        "{\"id\": \"not a number\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(json.statusCode()).isEqualTo(400);
    assertThat(new String(json.body(), StandardCharsets.UTF_8)).contains("\"code\":\"invalid_argument\"",
        "inDriver.geo_config.GetCityRequest");
    // Not gRPC-Web or Connect at all, over HTTP/1.1.
    HttpResponse<byte[]> plain = WebClients.post(client, url(server, GEO + "GetCity"), "text/plain", new byte[] {1});
    assertThat(plain.statusCode()).isEqualTo(415);
    assertThat(new String(plain.body(), StandardCharsets.UTF_8)).contains("application/grpc-web");
    HttpResponse<byte[]> grpcOverHttp1 = WebClients.post(client, url(server, GEO + "GetCity"), "application/grpc",
        WebClients.envelope(0, getCity(1)));
    assertThat(grpcOverHttp1.statusCode()).isEqualTo(505);
    assertThat(new String(grpcOverHttp1.body(), StandardCharsets.UTF_8)).contains("gRPC needs HTTP/2");
    // Not HTTP at all.
    try (Socket socket = new Socket("127.0.0.1", server.address().getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write("\u0001\u0002garbage\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(answer).startsWith("HTTP/1.1 400");
    }
    List<MockEvent> events = context.awaitEvents(7, Duration.ofSeconds(10));
    assertThat(events).extracting(MockEvent::op).containsOnly("bad_request");
    assertThat(events).extracting(e -> e.fields().get("code")).containsExactly(
        "INTERNAL", "RESOURCE_EXHAUSTED", "RESOURCE_EXHAUSTED", "INVALID_ARGUMENT", "INTERNAL", "INTERNAL", "INTERNAL");
    assertThat(events).extracting(e -> e.fields().get("protocol")).containsExactly(
        "grpc-web", "grpc-web", "connect", "connect", "http/1.1", "http/1.1", "http/1.1");
    assertThat(events.get(1).fields()).containsEntry("req_size", 2000L);
    assertThat(events.get(4).fields()).containsEntry("status", 415);
    assertThat(events.get(5).fields()).containsEntry("status", 505);
    assertThat(events.get(6).fields()).containsEntry("status", 400);
    nativeCallStillWorks(server);
    assertThat(context.warnings()).isEmpty();
  }

  // ---- TLS ----------------------------------------------------------------------------------

  @Test
  void withTlsGrpcWebAndConnectWorkOverHttp1AndHttp2BesideNativeGrpc() throws Exception {
    TlsIdentity identity = TestSupport.CA.issue("geo-config");
    RecordingContext tls = context.withTls(identity);
    MockServer server = resources.server(inSpecDir(mock("geo-config", "grpc", 0)
        .config("descriptors", "all_upstreams.pb").tls(true)
        .route(GEO + "GetCity", new MockResponse.Structured(Map.of("name", "Secure")))
        .build()), tls);
    // ALPN offers both: a browser that only speaks HTTP/1.1 is not turned away at the handshake.
    for (String[] offered : new String[][] {{"http/1.1"}, {"h2", "http/1.1"}}) {
      try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) trusting(identity).getSocketFactory()
          .createSocket("127.0.0.1", server.address().getPort())) {
        socket.setSoTimeout(10_000);
        javax.net.ssl.SSLParameters parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(offered);
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        assertThat(socket.getApplicationProtocol()).isEqualTo(offered[0]);
      }
    }
    String url = "https://localhost:" + server.address().getPort() + GEO + "GetCity";
    for (HttpClient.Version version : HttpClient.Version.values()) {
      HttpClient client = HttpClient.newBuilder().version(version).sslContext(trusting(identity))
          .connectTimeout(Duration.ofSeconds(10)).build();
      HttpResponse<byte[]> response = WebClients.post(client, url, "application/grpc-web+proto",
          WebClients.envelope(0, getCity(1)));
      assertThat(response.version()).isEqualTo(version);
      WebClients.WebReply reply = WebClients.parse(response.statusCode(), response.headers().map(), response.body());
      assertThat(City.parseFrom(reply.messages().get(0)).getName()).isEqualTo("Secure");
      assertThat(reply.trailer("grpc-status")).isEqualTo("0");
      HttpResponse<byte[]> connect = WebClients.post(client, url, "application/json", "{}".getBytes(StandardCharsets.UTF_8));
      assertThat(connect.version()).isEqualTo(version);
      assertThat(new String(connect.body(), StandardCharsets.UTF_8)).isEqualTo("{\"name\":\"Secure\"}");
    }
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.address().getPort())
        .sslContext(GrpcSslContexts.forClient().trustManager(identity.authority()).build())
        .overrideAuthority("geo-config").proxyDetector(a -> null).build();
    resources.add(() -> {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    });
    assertThat(GeoConfigServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .getCity(GetCityRequest.getDefaultInstance()).getName()).isEqualTo("Secure");
    assertThat(context.awaitEvents(5, Duration.ofSeconds(10))).extracting(e -> e.fields().get("protocol"))
        .containsExactly("grpc-web", "connect", "grpc-web", "connect", null);
  }

  static SSLContext trusting(TlsIdentity identity) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    store.setCertificateEntry("ca", identity.authority());
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, trust.getTrustManagers(), null);
    return ssl;
  }

  /** Kept for the flags stub import: an untyped native call on the same port as web calls. */
  @Test
  void untypedNativeAndWebCallsShareTheRoutes() throws Exception {
    MockServer server = flags();
    Struct flag = FlagsGrpc.newBlockingStub(resources.channel(server)).withDeadlineAfter(10, TimeUnit.SECONDS)
        .get(Struct.getDefaultInstance());
    assertThat(flag.getFieldsOrThrow("variant")).isEqualTo(Value.newBuilder().setStringValue("B").build());
    WebClients.WebReply reply = WebClients.grpcWeb(WebClients.http1(), url(server, "/flags.v1.Flags/Get"),
        Struct.getDefaultInstance().toByteArray());
    assertThat(Struct.parseFrom(reply.messages().get(0))).isEqualTo(flag);
  }

  // ---- deadlines, streaming methods, HTTP/2 limits ------------------------------------------

  @Test
  void theCallersTimeoutBecomesTheCallsDeadline() throws Exception {
    context.setFaultGate(probe -> new FaultDecision(FaultDecision.Action.PASS, Duration.ofSeconds(3), 0, "",
        Optional.of("slow")));
    MockServer server = geo();
    WebClients.WebReply reply = WebClients.grpcWeb(WebClients.http1(), url(server, GEO + "GetCity"), getCity(7),
        "grpc-timeout", "200m");
    assertThat(reply.trailer("grpc-status")).isEqualTo("4");
    HttpResponse<byte[]> connect = WebClients.post(WebClients.http1(), url(server, GEO + "GetCity"), "application/json",
        "{}".getBytes(StandardCharsets.UTF_8), "connect-timeout-ms", "200");
    assertThat(connect.statusCode()).isEqualTo(504);
    assertThat(new String(connect.body(), StandardCharsets.UTF_8)).contains("\"code\":\"deadline_exceeded\"");
    assertThat(context.awaitEvents(2, Duration.ofSeconds(10))).allSatisfy(e -> {
      assertThat(e.op()).isEqualTo("error");
      assertThat(e.fields()).containsEntry("code", "DEADLINE_EXCEEDED");
    });
  }

  @Test
  void pipelinedHttp1RequestsAreAnsweredInOrder() throws Exception {
    MockServer server = geo();
    try (Socket socket = new Socket("127.0.0.1", server.address().getPort())) {
      socket.setSoTimeout(10_000);
      StringBuilder requests = new StringBuilder();
      for (int i = 1; i <= 20; i++) {
        String body = "{\"id\":" + i + "}";
        requests.append("POST ").append(GEO).append("GetCity HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n")
            .append(i == 20 ? "Connection: close\r\n" : "").append("Content-Length: ").append(body.length())
            .append("\r\n\r\n").append(body);
      }
      socket.getOutputStream().write(requests.toString().getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      String answers = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertThat(answers.split("HTTP/1.1 200 OK", -1)).hasSize(21);
    }
    assertThat(context.awaitEvents(20, Duration.ofSeconds(10))).hasSize(20)
        .allSatisfy(e -> assertThat(e.fields()).containsEntry("protocol", "connect").containsEntry("code", "OK"));
  }

  @Test
  void closingTheMockEndsItsHttp1Connections() throws Exception {
    MockServer server = TestSupport.start(inSpecDir(mock("geo-config", "grpc", 0)
        .config("descriptors", "all_upstreams.pb")
        .route(GEO + "GetCity", new MockResponse.Structured(Map.of("name", "Almaty"))).build()), context);
    try (Socket socket = new Socket("127.0.0.1", server.address().getPort())) {
      socket.setSoTimeout(10_000);
      byte[] body = WebClients.envelope(0, getCity(1));
      OutputStream out = socket.getOutputStream();
      out.write(("POST " + GEO + "GetCity HTTP/1.1\r\nHost: x\r\nContent-Type: application/grpc-web+proto\r\n"
          + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] head = in.readNBytes(15);
      assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200 OK");
      context.awaitOp("ok", Duration.ofSeconds(10)); // answered; the connection stays open (keep-alive)
      server.close();
      // The rest of the answer, then the end of the stream: read() returns -1 rather than timing out.
      in.readAllBytes();
    }
  }

  @Test
  void aClientThatGoesAwayCancelsTheCall() throws Exception {
    assumeTrue(WebClients.hasCurl(), "curl is not installed");
    context.setFaultGate(probe -> new FaultDecision(FaultDecision.Action.PASS, Duration.ofSeconds(5), 0, "",
        Optional.of("slow")));
    MockServer server = geo();
    // HTTP/1.1: the connection closes with the call in flight.
    try (Socket socket = new Socket("127.0.0.1", server.address().getPort())) {
      byte[] body = WebClients.envelope(0, getCity(1));
      OutputStream out = socket.getOutputStream();
      out.write(("POST " + GEO + "GetCity HTTP/1.1\r\nHost: x\r\nContent-Type: application/grpc-web+proto\r\n"
          + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      Thread.sleep(200); // the request is read and the call started; then the client leaves
    }
    MockEvent first = context.awaitOp("error", Duration.ofSeconds(4));
    assertThat(first.fields()).containsEntry("code", "CANCELLED").containsEntry("protocol", "grpc-web");
    // HTTP/2: curl gives up after a second.
    WebClients.curl("--http2-prior-knowledge", "--max-time", "1", "-H", "content-type: application/json", "--data", "{}",
        url(server, GEO + "GetCity"));
    assertThat(context.awaitEvents(2, Duration.ofSeconds(4)).get(1).fields()).containsEntry("code", "CANCELLED")
        .containsEntry("protocol", "connect");
  }

  /**
   * A streaming method of grpc-java's own (server reflection, bidi) over gRPC-Web and Connect
   * streaming: the client sends one message and half-closes, each reply comes as its own frame.
   */
  @Test
  void aStreamingMethodAnswersFrameByFrame() throws Exception {
    MockServer server = geo();
    String reflection = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";
    byte[] list = io.grpc.reflection.v1.ServerReflectionRequest.newBuilder().setListServices("").build().toByteArray();
    WebClients.WebReply reply = WebClients.grpcWeb(WebClients.http1(), url(server, reflection), list);
    assertThat(reply.messages()).hasSize(1);
    assertThat(io.grpc.reflection.v1.ServerReflectionResponse.parseFrom(reply.messages().get(0))
        .getListServicesResponse().getServiceList()).extracting(s -> s.getName())
        .contains("inDriver.geo_config.GeoConfigService");
    assertThat(reply.trailer("grpc-status")).isEqualTo("0");
    HttpResponse<byte[]> connect = WebClients.post(WebClients.http1(), url(server, reflection), "application/connect+proto",
        WebClients.envelope(0, list));
    byte[] body = connect.body();
    int first = ((body[1] & 0xff) << 24) | ((body[2] & 0xff) << 16) | ((body[3] & 0xff) << 8) | (body[4] & 0xff);
    assertThat(io.grpc.reflection.v1.ServerReflectionResponse.parseFrom(java.util.Arrays.copyOfRange(body, 5, 5 + first))
        .hasListServicesResponse()).isTrue();
    assertThat(body[5 + first]).isEqualTo((byte) 0x02);
  }

  /** Server streaming from the mock's own routes: each message its own frame, then the status. */
  @Test
  void serverStreamingRoutesOverGrpcWebAndConnect() throws Exception {
    MockServer server = resources.server(mock("flags", "grpc", 0)
        .route("/flags.v1.Flags/Subscribe", StreamingTest.script(10, null, Map.of("n", 1), Map.of("n", 2), Map.of("n", 3)))
        .build(), context);
    WebClients.WebReply reply = WebClients.grpcWeb(WebClients.http1(), url(server, "/flags.v1.Flags/Subscribe"),
        Struct.getDefaultInstance().toByteArray());
    assertThat(reply.messages()).hasSize(3);
    assertThat(Struct.parseFrom(reply.messages().get(2)).getFieldsOrThrow("n").getNumberValue()).isEqualTo(3.0);
    assertThat(reply.trailer("grpc-status")).isEqualTo("0");
    HttpResponse<byte[]> connect = WebClients.post(WebClients.http1(), url(server, "/flags.v1.Flags/Subscribe"),
        "application/connect+json", WebClients.envelope(0, "{}".getBytes(StandardCharsets.UTF_8)));
    assertThat(new String(connect.body(), StandardCharsets.ISO_8859_1))
        .contains("{\"n\":1.0}", "{\"n\":2.0}", "{\"n\":3.0}").endsWith("{}");
    assertThat(context.awaitOp("ok", Duration.ofSeconds(10)).fields()).containsEntry("protocol", "grpc-web")
        .containsEntry("messages_out", 3);
    assertThat(context.recorded(Dispatcher.OP_SEND)).hasSize(6) // three per call
        .allSatisfy(e -> assertThat(e.fields()).containsKey("protocol"));
  }

  @Test
  void overHttp2ABodyOverTheLimitIsRefusedAtOnce() throws Exception {
    assumeTrue(WebClients.hasCurl(), "curl is not installed");
    MockServer server = resources.server(mock("flags", "grpc", 0)
        .config("max_message_bytes", 1024)
        .route("/**", new MockResponse.Structured(Map.of("variant", "B"))).build(), context);
    java.nio.file.Path file = java.nio.file.Files.createTempFile("connect", ".bin");
    resources.add(() -> java.nio.file.Files.deleteIfExists(file));
    java.nio.file.Files.write(file, new byte[200_000]);
    WebClients.Curl curl = WebClients.curl("--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_code}",
        "-H", "content-type: application/proto", "--data-binary", "@" + file, url(server, "/flags.v1.Flags/Get"));
    assertThat(curl.output()).endsWith("429");
    assertThat(context.awaitOp("bad_request", Duration.ofSeconds(10)).fields())
        .containsEntry("code", "RESOURCE_EXHAUSTED").containsEntry("protocol", "connect");
    assertThat(FlagsGrpc.newBlockingStub(resources.channel(server)).withDeadlineAfter(10, TimeUnit.SECONDS)
        .get(Struct.getDefaultInstance()).getFieldsOrThrow("variant").getStringValue()).isEqualTo("B");
  }
}
