package dev.faultbox.plugin.http;

import static dev.faultbox.testkit.MockDefinitionBuilder.mock;

import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.testkit.ProtocolContract;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The testkit's plugin contract for {@code http}, through the JDK HTTP client. */
class HttpContractTest extends ProtocolContract {

  @Override
  protected MockProtocol plugin() {
    return new HttpProtocol();
  }

  @Override
  protected String protocol() {
    return HttpProtocol.HTTP;
  }

  /** The client's HTTP version: h2c (by upgrade) for {@code http2}. */
  protected HttpClient.Version version() {
    return HttpClient.Version.HTTP_1_1;
  }

  @Override
  protected MockDefinition definition(int port) {
    return mock("contract", protocol(), port).route("GET /contract", Http1ServerTest.text(200, "served")).build();
  }

  @Override
  protected MockDefinition invalidDefinition(int port) {
    return mock("contract", protocol(), port).route("GET", "no path").build();
  }

  @Override
  protected Reply exchange(InetSocketAddress at) throws Exception {
    // A client per exchange: a pooled connection the mock dropped would be retried.
    HttpClient client = HttpClient.newBuilder().version(version()).connectTimeout(Duration.ofSeconds(5)).build();
    URI uri = URI.create("http://127.0.0.1:" + at.getPort() + "/contract");
    try {
      HttpResponse<String> r = client.send(
          HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      String detail = r.statusCode() + " " + r.body();
      return r.statusCode() == 200 && r.body().equals("served") ? Reply.answered(detail) : Reply.failed(detail);
    } catch (IOException e) {
      return Reply.failed(e.toString());
    }
  }

  @Override
  protected void sendMalformed(InetSocketAddress at) throws Exception {
    try (Socket socket = TestSupport.connect(at)) {
      TestSupport.send(socket, "NOT A REQUEST\r\n\r\n");
      TestSupport.read(socket.getInputStream());
    }
  }
}
