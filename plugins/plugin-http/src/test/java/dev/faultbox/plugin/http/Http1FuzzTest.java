package dev.faultbox.plugin.http;

import static dev.faultbox.plugin.http.HttpFuzzInputs.ascii;

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

/**
 * The reliability suite's fuzzing of HTTP/1.x: every refusal is an event, so is every answer.
 */
class Http1FuzzTest extends ProtocolFuzz {
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
    return HttpFuzzInputs.definition(protocol(), port, false);
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
    return delivery.reply().length > 0 || HttpFuzzInputs.wholeWithoutBody(input);
  }
}