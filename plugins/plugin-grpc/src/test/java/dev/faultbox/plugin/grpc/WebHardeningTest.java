package dev.faultbox.plugin.grpc;

import static dev.faultbox.plugin.grpc.TestSupport.GEO;
import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.faultbox.plugin.grpc.test.geo.City;
import dev.faultbox.plugin.grpc.test.geo.GeoConfigServiceGrpc;
import dev.faultbox.plugin.grpc.test.geo.GetCityRequest;
import dev.faultbox.spi.MockEvent;
import dev.faultbox.spi.MockServer;
import dev.faultbox.testkit.RecordingContext;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Malformed or unusual web requests over real sockets: each gets a protocol answer and an event,
 * and neither its connection's other calls nor the listener suffer.
 */
class WebHardeningTest {

  private final TestSupport.Resources resources = new TestSupport.Resources();
  private final RecordingContext context = new RecordingContext();

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  private MockServer geo() throws Exception {
    return resources.server(TestSupport.geoCity(), context);
  }

  private void nativeCallStillWorks(MockServer server) {
    City city = GeoConfigServiceGrpc.newBlockingStub(resources.channel(server)).withDeadlineAfter(10, TimeUnit.SECONDS)
        .getCity(GetCityRequest.newBuilder().setId(1).build());
    assertThat(city.getName()).isEqualTo("Almaty");
  }

  private static Socket socket(MockServer server) throws Exception {
    Socket socket = new Socket("127.0.0.1", server.address().getPort());
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static void send(Socket socket, String text) throws Exception {
    OutputStream out = socket.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** Reads until the text has been seen, or the connection ends; bounded by the socket's timeout. */
  private static String readUntil(Socket socket, String end) throws Exception {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    while (!seen.toString(StandardCharsets.ISO_8859_1).contains(end)) {
      int n = in.read(buffer);
      if (n < 0) {
        break;
      }
      seen.write(buffer, 0, n);
    }
    return seen.toString(StandardCharsets.ISO_8859_1);
  }

  private static final String GOOD_GET = "GET " + GEO + "GetCity?encoding=json&message=%7B%22id%22%3A1%7D HTTP/1.1\r\n"
      + "Host: x\r\n\r\n";

  @Test
  void aBadPercentEscapeInAConnectGetIsInvalidArgumentAndTheConnectionKeepsServing() throws Exception {
    MockServer server = geo();
    try (Socket socket = socket(server)) {
      send(socket, "GET " + GEO + "GetCity?encoding=json&message=%zz HTTP/1.1\r\nHost: x\r\n\r\n");
      String bad = readUntil(socket, "}\r\n0\r\n\r\n");
      assertThat(bad).startsWith("HTTP/1.1 400").contains("invalid_argument", "not percent-encoded");
      send(socket, "GET " + GEO + "GetCity?encoding=json&message=%7B% HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(readUntil(socket, "}\r\n0\r\n\r\n")).startsWith("HTTP/1.1 400").contains("not percent-encoded");
      send(socket, GOOD_GET);
      assertThat(readUntil(socket, "}\r\n0\r\n\r\n")).startsWith("HTTP/1.1 200").contains("Almaty");
    }
    assertThat(context.awaitEvents(3, Duration.ofSeconds(10))).extracting(e -> e.fields().get("code"))
        .containsExactly("INVALID_ARGUMENT", "INVALID_ARGUMENT", "OK");
    assertThat(context.warnings()).isEmpty();
  }

  @Test
  void overHttp2ABadPercentEscapeEndsItsStreamOnly() throws Exception {
    assumeTrue(WebClients.hasCurl(), "curl is not installed");
    MockServer server = geo();
    String base = "http://127.0.0.1:" + server.address().getPort() + GEO + "GetCity?encoding=json&message=";
    // Unfixed, the decoder's exception ended the connection (GOAWAY): curl failed with no answer.
    WebClients.Curl curl = WebClients.curl("--http2-prior-knowledge", "-w", " %{http_code}", base + "%zz");
    assertThat(curl.exit()).as(curl.output()).isZero();
    assertThat(curl.output()).contains("invalid_argument", "not percent-encoded").endsWith(" 400");
    assertThat(context.awaitEvents(1, Duration.ofSeconds(10))).extracting(MockEvent::op).containsExactly("bad_request");
    nativeCallStillWorks(server);
  }

  @Test
  void aConnectionThatSendsNothingIsClosedAndANativeClientIsUnaffected() throws Exception {
    System.setProperty(Http1Front.HANDSHAKE_TIMEOUT_PROPERTY, "300");
    try {
      MockServer server = geo();
      io.grpc.ManagedChannel channel = resources.channel(server);
      GeoConfigServiceGrpc.GeoConfigServiceBlockingStub stub = GeoConfigServiceGrpc.newBlockingStub(channel);
      assertThat(stub.withDeadlineAfter(10, TimeUnit.SECONDS).getCity(GetCityRequest.getDefaultInstance()).getName())
          .isEqualTo("Almaty");
      try (Socket silent = socket(server)) {
        assertThat(silent.getInputStream().read()).isEqualTo(-1); // closed by the mock, not by the 10 s timeout
      }
      try (Socket half = socket(server)) {
        send(half, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"); // the preface, no SETTINGS
        assertThat(half.getInputStream().readAllBytes()).isNotNull(); // the mock's SETTINGS, then the end
      }
      Thread.sleep(600); // past the timeout: the native connection, which sent its SETTINGS, stays
      assertThat(channel.getState(false)).isEqualTo(io.grpc.ConnectivityState.READY);
      assertThat(stub.withDeadlineAfter(10, TimeUnit.SECONDS).getCity(GetCityRequest.getDefaultInstance()).getName())
          .isEqualTo("Almaty");
    } finally {
      System.clearProperty(Http1Front.HANDSHAKE_TIMEOUT_PROPERTY);
    }
  }

  @Test
  void anIdleHttp1KeepAliveConnectionIsClosed() throws Exception {
    System.setProperty(Http1Front.IDLE_TIMEOUT_PROPERTY, "300");
    try {
      MockServer server = geo();
      try (Socket socket = socket(server)) {
        send(socket, GOOD_GET);
        assertThat(readUntil(socket, "}\r\n0\r\n\r\n")).startsWith("HTTP/1.1 200").contains("Almaty");
        assertThat(socket.getInputStream().read()).isEqualTo(-1); // closed when idle, not by the 10 s timeout
      }
    } finally {
      System.clearProperty(Http1Front.IDLE_TIMEOUT_PROPERTY);
    }
  }

  @Test
  void aBrokenChunkedBodyIsAnswered400AndTheConnectionCloses() throws Exception {
    MockServer server = geo();
    try (Socket socket = socket(server)) {
      send(socket, "POST " + GEO + "GetCity HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n8\r\n{\"id\":1}\r\nzz\r\n\r\n");
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1); // to the close
      assertThat(answer).startsWith("HTTP/1.1 400").contains("malformed HTTP/1.1 body").doesNotContain("Almaty");
    }
    MockEvent event = context.awaitOp("bad_request", Duration.ofSeconds(10));
    assertThat(event.fields()).containsEntry("status", 400).containsEntry("protocol", "http/1.1");
    assertThat(context.recorded("ok")).isEmpty();
  }

  @Test
  void aMalformedPipelinedRequestIsAnsweredAfterTheOneBeforeIt() throws Exception {
    MockServer server = geo();
    try (Socket socket = socket(server)) {
      send(socket, GOOD_GET + "\u0001\u0002garbage\r\n\r\n" + GOOD_GET);
      String answers = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1); // to the close
      // The whole first answer, then the 400, then the close: nothing read after the malformed request.
      assertThat(answers).startsWith("HTTP/1.1 200");
      int end = answers.indexOf("}\r\n0\r\n\r\n");
      assertThat(end).isPositive();
      assertThat(answers.substring(end + 8)).startsWith("HTTP/1.1 400").doesNotContain("HTTP/1.1 200");
    }
    assertThat(context.awaitEvents(2, Duration.ofSeconds(10))).extracting(MockEvent::op)
        .containsExactly("ok", "bad_request");
  }

  @Test
  void aConnectGetOfSomeKilobytesIsServed() throws Exception {
    MockServer server = geo();
    String padding = "%20".repeat(4000); // 12 KB of encoded JSON whitespace, over Netty's 4 KiB default line
    try (Socket socket = socket(server)) {
      send(socket, "GET " + GEO + "GetCity?encoding=json&message=%7B" + padding + "%22id%22%3A1%7D HTTP/1.1\r\n"
          + "Host: x\r\n\r\n");
      assertThat(readUntil(socket, "}\r\n0\r\n\r\n")).startsWith("HTTP/1.1 200").contains("Almaty");
    }
  }

  @Test
  void smallSpecDeviationsAreRefusedOrAnsweredAsTheSpecsSay() throws Exception {
    MockServer server = geo();
    try (Socket socket = socket(server)) {
      // An encoding that is neither json nor proto, decided by the parsed query (not by a substring).
      send(socket, "GET " + GEO + "GetCity?x=encoding=json&encoding=xml&message=%7B%7D HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(readUntil(socket, "}\r\n0\r\n\r\n")).startsWith("HTTP/1.1 400").contains("encoding must be json or proto");
      // A timeout that is not a number.
      String body = "{\"id\":1}";
      send(socket, "POST " + GEO + "GetCity HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Connect-Timeout-Ms: -5\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
      assertThat(readUntil(socket, "}\r\n0\r\n\r\n")).startsWith("HTTP/1.1 400").contains("connect-timeout-ms");
      // A preflight's 204 carries no Content-Length.
      send(socket, "OPTIONS " + GEO + "GetCity HTTP/1.1\r\nHost: x\r\nOrigin: http://page\r\n\r\n");
      String preflight = readUntil(socket, "\r\n\r\n");
      assertThat(preflight).startsWith("HTTP/1.1 204").doesNotContainIgnoringCase("content-length");
      // A 415 says what it takes.
      send(socket, "POST " + GEO + "GetCity HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
          + "Content-Length: 1\r\n\r\nx");
      assertThat(readUntil(socket, "\r\n\r\n")).startsWith("HTTP/1.1 415").contains("accept-post: application/grpc-web");
    }
    try (Socket socket = socket(server)) {
      send(socket, "POST " + GEO + "GetCity HTTP/1.1\r\nHost: x\r\nContent-Type: application/grpc-web+proto\r\n"
          + "grpc-timeout: soon\r\nContent-Length: 0\r\n\r\n");
      assertThat(readUntil(socket, "grpc-status")).startsWith("HTTP/1.1 200");
    }
    try (Socket socket = socket(server)) {
      // HTTP/1.0 knows no chunked encoding: the answer ends with the connection.
      send(socket, "GET " + GEO + "GetCity?encoding=json&message=%7B%22id%22%3A1%7D HTTP/1.0\r\n\r\n");
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(answer).contains(" 200 ").doesNotContainIgnoringCase("chunked").endsWith("}");
    }
    List<MockEvent> events = context.awaitEvents(5, Duration.ofSeconds(10));
    assertThat(events).extracting(e -> e.fields().get("code"))
        .containsExactly("INVALID_ARGUMENT", "INVALID_ARGUMENT", "INTERNAL", "INVALID_ARGUMENT", "OK");
  }
}
