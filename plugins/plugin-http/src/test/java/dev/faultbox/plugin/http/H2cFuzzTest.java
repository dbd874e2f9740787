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
 * The reliability suite's fuzzing of h2c, with prior knowledge or by upgrade from HTTP/1.1.
 */
class H2cFuzzTest extends ProtocolFuzz {
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
    return HttpFuzzInputs.definition(protocol(), port, false);
  }

  @Override
  protected List<byte[]> validRequests() {
    List<byte[]> requests = new java.util.ArrayList<>(HttpFuzzInputs.h2Requests("http"));
    requests.add(ascii("GET /contract HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, HTTP2-Settings\r\n"
        + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n"));
    return requests;
  }

  @Override
  protected Arbitrary<byte[]> invalidFrames() {
    return HttpFuzzInputs.h2InvalidFrames();
  }

  @Override
  protected boolean probe(InetSocketAddress at) throws Exception {
    return new Http2ContractTest().exchange(at).ok();
  }

  @Override
  protected boolean expectsEvent(byte[] input, Delivery delivery) {
    return HttpFuzzInputs.h2AnswerOwesEvent(delivery.reply());
  }
}