package dev.faultbox.plugin.http;

import dev.faultbox.plugin.support.Trust;
import java.net.http.HttpClient;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JDK HTTP clients steps use, one per configuration (HTTP version, TLS, trusted mock CA),
 * made on first use and kept: a client holds a selector thread and a connection pool.
 */
final class StepClients {

  private record Key(boolean http2, boolean tls, Optional<X509Certificate> mockCa) {}

  private static final ConcurrentHashMap<Key, HttpClient> CLIENTS = new ConcurrentHashMap<>();

  private StepClients() {}

  /**
   * @param http2 HTTP/2 (h2c upgrade on plaintext, ALPN over TLS) rather than HTTP/1.1
   * @param mockCa trusted besides the system's roots, for TLS
   */
  static HttpClient get(boolean http2, boolean tls, Optional<X509Certificate> mockCa) {
    Key key = new Key(http2, tls, tls ? mockCa : Optional.empty());
    return CLIENTS.computeIfAbsent(key, StepClients::create);
  }

  private static HttpClient create(Key key) {
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            .version(key.http2() ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER);
    if (key.tls()) {
      builder.sslContext(Trust.sslContext(key.mockCa()));
    }
    return builder.build();
  }
}
