package dev.faultbox.plugin.http;

import java.net.http.HttpClient;

/** The testkit's plugin contract for {@code http2}: h2c, as the JDK client upgrades to it. */
class Http2ContractTest extends HttpContractTest {

  @Override
  protected String protocol() {
    return HttpProtocol.HTTP2;
  }

  @Override
  protected HttpClient.Version version() {
    return HttpClient.Version.HTTP_2;
  }
}
