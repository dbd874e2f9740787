package dev.faultbox.plugin.http;



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
 * The reliability suite's fuzzing of h2 over TLS (ALPN h2): the same frames, inside a real TLS
 * session with the mock CA's certificate.
 */
class H2TlsFuzzTest extends ProtocolFuzz {
  private final SSLContext trusting;
  private final SSLContext resuming;

  H2TlsFuzzTest() throws Exception {
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
    return HttpFuzzInputs.definition(protocol(), port, true);
  }

  @Override
  protected List<byte[]> validRequests() {
    return HttpFuzzInputs.h2Requests("https");
  }

  @Override
  protected Arbitrary<byte[]> invalidFrames() {
    return HttpFuzzInputs.h2InvalidFrames();
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
    return HttpFuzzInputs.h2AnswerOwesEvent(delivery.reply());
  }
}