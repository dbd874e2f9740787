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

/** What the HTTP fuzz tests share: the definition, valid requests and frames, and the events owed. */
final class HttpFuzzInputs {

  private HttpFuzzInputs() {}

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static MockDefinition definition(String protocol, int port, boolean tls) {
    return mock("contract", protocol, port).route("GET /contract", Http1ServerTest.text(200, "served"))
        .route("POST /orders/{id}", Http1ServerTest.text(201, "created")).tls(tls).build();
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

}
