package dev.faultbox.plugin.mongodb;

import com.mongodb.MongoClientSettings;
import com.mongodb.ServerAddress;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.connection.ClusterConnectionMode;
import dev.faultbox.plugin.support.Trust;
import dev.faultbox.spi.Endpoint;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The steps' driver clients, one per target, kept while its mock runs: a step reuses the pooled,
 * handshaken connection instead of dialling anew. A mock closing forgets the clients to its port
 * first (their connections would be dead in the next test); the plugin's close forgets the rest.
 */
final class StepClients {
  private StepClients() {}

  static final long CONNECT_TIMEOUT_MS = 5_000;
  static final long READ_TIMEOUT_MS = 60_000;

  private record Key(String host, int port, boolean tls) {}

  private static final Map<Key, MongoClient> CLIENTS = new ConcurrentHashMap<>();

  static MongoClient of(Endpoint target) {
    return CLIENTS.computeIfAbsent(new Key(target.host(), target.port(), target.tls()), key -> create(target));
  }

  private static MongoClient create(Endpoint target) {
    MongoClientSettings settings = MongoClientSettings.builder()
        .applyToClusterSettings(b -> b.hosts(List.of(new ServerAddress(target.host(), target.port())))
            .mode(ClusterConnectionMode.SINGLE)
            .serverSelectionTimeout(CONNECT_TIMEOUT_MS, TimeUnit.MILLISECONDS))
        .applyToSocketSettings(b -> b.connectTimeout((int) CONNECT_TIMEOUT_MS, TimeUnit.MILLISECONDS)
            .readTimeout((int) READ_TIMEOUT_MS, TimeUnit.MILLISECONDS))
        .applyToSslSettings(b -> {
          b.enabled(target.tls());
          if (target.tls()) {
            b.context(Trust.sslContext(target.mockCa()));
          }
        })
        // A step is one exchange: a dropped or failed command is its result, never retried behind the spec's back.
        .retryReads(false)
        .retryWrites(false)
        .build();
    return MongoClients.create(settings);
  }

  /** Closes the clients to {@code port}, on any host. */
  static void forget(int port) {
    CLIENTS.entrySet().removeIf(e -> {
      if (e.getKey().port() != port) {
        return false;
      }
      close(e.getValue());
      return true;
    });
  }

  static void closeAll() {
    CLIENTS.entrySet().removeIf(e -> {
      close(e.getValue());
      return true;
    });
  }

  private static void close(MongoClient client) {
    if (client != null) {
      try {
        client.close();
      } catch (RuntimeException ignored) {
        // closing a client to a server that is gone: nothing left to release
      }
    }
  }
}
