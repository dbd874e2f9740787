package dev.faultbox.plugin.http;

import dev.faultbox.plugin.support.Trust;
import java.net.http.HttpClient;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JDK HTTP clients a plugin's steps use, one per configuration (HTTP version, TLS, trusted
 * mock CA), made on first use and kept: a client holds a selector thread and a connection pool.
 * Thread-safe.
 */
final class StepClients implements AutoCloseable {

  private record Key(boolean http2, boolean tls, Optional<X509Certificate> mockCa) {}

  private final ConcurrentHashMap<Key, HttpClient> clients = new ConcurrentHashMap<>();

  /**
   * @param http2 HTTP/2 (h2c upgrade on plaintext, ALPN over TLS) rather than HTTP/1.1
   * @param mockCa trusted besides the system's roots, for TLS
   */
  HttpClient get(boolean http2, boolean tls, Optional<X509Certificate> mockCa) {
    Key key = new Key(http2, tls, tls ? mockCa : Optional.empty());
    return clients.computeIfAbsent(key, StepClients::create);
  }

  /**
   * Forgets every client. Java 17's HttpClient has no close(): a client's selector thread and
   * pooled connections end once nothing references it. Idempotent.
   */
  @Override
  public void close() {
    clients.clear();
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
