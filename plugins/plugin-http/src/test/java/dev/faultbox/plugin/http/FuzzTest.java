package dev.faultbox.plugin.http;

import static dev.faultbox.testkit.MockDefinitionBuilder.mock;

import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.testkit.RecordingContext;
import dev.faultbox.testkit.reliability.Delivery;
import dev.faultbox.testkit.reliability.Mutations;
import dev.faultbox.testkit.reliability.ProtocolFuzz;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** The reliability suite's fuzzing of HTTP/1.1, h2c and h2 over TLS. */
class FuzzTest {

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static MockDefinition definition(String protocol, int port, boolean tls) {
    return mock("contract", protocol, port).route("GET /contract", Http1ServerTest.text(200, "served"))
        .route("POST /orders/{id}", Http1ServerTest.text(201, "created")).tls(tls).build();
  }

  /** HTTP/1.x: every refusal is an event, so is every answer. */
  static class Http1 extends ProtocolFuzz {
    @Override
    protected MockProtocol plugin() {
      return new HttpProtocol();
    }

    @Override
    protected String protocol() {
      return HttpProtocol.HTTP;
    }

    @Override
    protected MockDefinition definition(int port) {
      return FuzzTest.definition(protocol(), port, false);
    }

    @Override
    protected List<byte[]> validRequests() {
      return List.of(
          ascii("GET /contract HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n"),
          ascii("POST /orders/7?x=1 HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
              + "Content-Length: 13\r\n\r\n{\"item\": \"a\"}"),
          ascii("POST /orders/8 HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
              + "5\r\nhello\r\n0\r\nTrailer: x\r\n\r\n"),
          ascii("GET /contract HTTP/1.0\r\n\r\n"),
          ascii("GET /contract HTTP/1.1\r\nHost: a\r\n\r\nGET /missing HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
    }

    /** Request lines, header lines and bodies that break the grammar in the ways servers get wrong. */
    @Override
    protected Arbitrary<byte[]> invalidFrames() {
      Arbitrary<String> line = Arbitraries.of("GET /contract HTTP/1.1", "GET  /contract HTTP/1.1", "GET /contract HTTP/9.9",
          "GET /contract", "G\u0000T / HTTP/1.1", "GET /%zz HTTP/1.1", "GET http://x:99999999/ HTTP/1.1", "PRI * HTTP/2.0",
          "GET /" + "a".repeat(10_000) + " HTTP/1.1", "\u00ff\u00fe / HTTP/1.1");
      Arbitrary<String> header = Arbitraries.of("Host: a", "Host: a\r\nHost: b", "Host: a b", "Content-Length: -1",
          "Content-Length: 99999999999999999999", "Content-Length: 1, 2", "Transfer-Encoding: chunked\r\nContent-Length: 3",
          "Transfer-Encoding: gzip, chunked", "X: a\r\n folded", "NoColon", ": empty", "X-\u0000: nul",
          "X-Big: " + "b".repeat(9_000), "Expect: 100-continue", "Upgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: !!");
      Arbitrary<String> body = Arbitraries.of("", "abc", "zz\r\nabc\r\n0\r\n\r\n", "ffffffffffffffff\r\n", "3\r\nab");
      return Combinators.combine(line, header, body).as((l, h, b) -> ascii(l + "\r\n" + h + "\r\n\r\n" + b));
    }

    @Override
    protected boolean probe(InetSocketAddress at) throws Exception {
      return new HttpContractTest().exchange(at).ok();
    }

    /**
     * An answer is an event; so is a whole request that has no body (one with a body the client
     * cut short is no request, and closing on it is no refusal).
     */
    @Override
    protected boolean expectsEvent(byte[] input, Delivery delivery) {
      return delivery.reply().length > 0 || wholeWithoutBody(input);
    }
  }

  /** A head ending in an empty line, after something servers do not skip, and naming no body. */
  static boolean wholeWithoutBody(byte[] input) {
    String text = new String(input, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0 || text.substring(0, end).isBlank()) {
      return false;
    }
    String head = text.substring(0, end).toLowerCase(java.util.Locale.ROOT);
    return !head.contains("content-length") && !head.contains("transfer-encoding");
  }

  /**
   * HTTP/2: after the preface the mock speaks first (SETTINGS), so what proves an event is owed is
   * in its answer: a response HEADERS frame (a request served or refused), a GOAWAY with an error
   * (recorded as h2_error), or an HTTP/1.x answer to input that was not HTTP/2 at all.
   */
  static boolean h2AnswerOwesEvent(byte[] reply) {
    if (new String(reply, 0, Math.min(7, reply.length), StandardCharsets.ISO_8859_1).startsWith("HTTP/1.")) {
      return true;
    }
    int at = 0;
    while (at + 9 <= reply.length) {
      int length = ((reply[at] & 0xff) << 16) | ((reply[at + 1] & 0xff) << 8) | (reply[at + 2] & 0xff);
      int type = reply[at + 3] & 0xff;
      if (type == 1) {
        return true;
      }
      if (type == 7 && at + 17 <= reply.length) {
        int error = ((reply[at + 13] & 0xff) << 24) | ((reply[at + 14] & 0xff) << 16) | ((reply[at + 15] & 0xff) << 8)
            | (reply[at + 16] & 0xff);
        if (error != 0) {
          return true;
        }
      }
      at += 9 + length;
    }
    return false;
  }

  /** The preface, SETTINGS, then {@code frames}. */
  static byte[] h2(byte[]... frames) {
    return Mutations.concat(ascii("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), TestSupport.h2Frame(4, 0, 0, new byte[0]),
        Mutations.concat(frames));
  }

  static List<byte[]> h2Requests(String scheme) {
    byte[] post = TestSupport.h2Get(3, scheme, "/orders/9");
    post[9] = (byte) 0x83; // :method POST (static table entry 3)
    post[4] = 0x4; // END_HEADERS only: DATA follows
    return List.of(
        h2(TestSupport.h2Get(1, scheme, "/contract")),
        h2(TestSupport.h2Get(1, scheme, "/contract"), TestSupport.h2Get(3, scheme, "/missing")),
        h2(post, TestSupport.h2Frame(0, 0x1, 3, ascii("{\"n\": 1}"))),
        h2(TestSupport.h2Frame(8, 0, 0, new byte[] {0, 0, 1, 0}), TestSupport.h2Frame(6, 0, 0, new byte[8]),
            TestSupport.h2Get(5, scheme, "/contract")));
  }

  /** Frames of every type, flag set, stream and length, valid or not, after a valid preface. */
  static Arbitrary<byte[]> h2InvalidFrames() {
    Arbitrary<Integer> type = Arbitraries.integers().between(0, 12);
    Arbitrary<Integer> flags = Arbitraries.integers().between(0, 255);
    Arbitrary<Integer> stream = Arbitraries.oneOf(Arbitraries.of(0, 1, 2, 0x7fffffff, -1), Arbitraries.integers().between(0, 9));
    Arbitrary<byte[]> payload = Arbitraries.oneOf(Arbitraries.bytes().array(byte[].class).ofMaxSize(64),
        Arbitraries.of(new byte[16_385], new byte[70_000]));
    return Combinators.combine(type, flags, stream, payload).as((t, f, s, p) -> h2(TestSupport.h2Frame(t, f, s, p)));
  }

  /** h2c, with prior knowledge or by upgrade from HTTP/1.1. */
  static class H2c extends ProtocolFuzz {
    @Override
    protected MockProtocol plugin() {
      return new HttpProtocol();
    }

    @Override
    protected String protocol() {
      return HttpProtocol.HTTP2;
    }

    @Override
    protected MockDefinition definition(int port) {
      return FuzzTest.definition(protocol(), port, false);
    }

    @Override
    protected List<byte[]> validRequests() {
      List<byte[]> requests = new java.util.ArrayList<>(h2Requests("http"));
      requests.add(ascii("GET /contract HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, HTTP2-Settings\r\n"
          + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n"));
      return requests;
    }

    @Override
    protected Arbitrary<byte[]> invalidFrames() {
      return h2InvalidFrames();
    }

    @Override
    protected boolean probe(InetSocketAddress at) throws Exception {
      return new Http2ContractTest().exchange(at).ok();
    }

    @Override
    protected boolean expectsEvent(byte[] input, Delivery delivery) {
      return h2AnswerOwesEvent(delivery.reply());
    }
  }

  /** h2 over TLS (ALPN h2): the same frames, inside a real TLS session with the mock CA's certificate. */
  static class H2Tls extends ProtocolFuzz {
    private final SSLContext trusting;
    private final SSLContext resuming;

    H2Tls() throws Exception {
      trusting = Http2Test.trusting(true);
      resuming = tls12();
    }

    /**
     * A client context for the inputs: TLS 1.2, whose sessions the mock resumes without a new key
     * exchange, so 20,000 connections take seconds, not minutes. The probe speaks TLS 1.3.
     */
    private static SSLContext tls12() throws Exception {
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      store.setCertificateEntry("ca", TestSupport.CA.certificate());
      trust.init(store);
      SSLContext ssl = SSLContext.getInstance("TLSv1.2");
      ssl.init(null, trust.getTrustManagers(), null);
      return ssl;
    }

    @Override
    protected MockProtocol plugin() {
      return new HttpProtocol();
    }

    @Override
    protected String protocol() {
      return HttpProtocol.HTTP2;
    }

    @Override
    protected RecordingContext newContext() {
      return new RecordingContext().withTls(TestSupport.identity());
    }

    @Override
    protected MockDefinition definition(int port) {
      return FuzzTest.definition(protocol(), port, true);
    }

    @Override
    protected List<byte[]> validRequests() {
      return h2Requests("https");
    }

    @Override
    protected Arbitrary<byte[]> invalidFrames() {
      return h2InvalidFrames();
    }

    @Override
    protected Delivery deliver(InetSocketAddress at, byte[] input) throws IOException {
      return Delivery.tls(at, resuming, "localhost", input, CLOSE_WAIT, "h2");
    }

    @Override
    protected boolean probe(InetSocketAddress at) throws Exception {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(trusting)
          .connectTimeout(WAIT).build();
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + at.getPort() + "/contract"))
          .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 && r.body().equals("served") && r.version() == HttpClient.Version.HTTP_2;
    }

    @Override
    protected boolean expectsEvent(byte[] input, Delivery delivery) {
      return h2AnswerOwesEvent(delivery.reply());
    }
  }

}
