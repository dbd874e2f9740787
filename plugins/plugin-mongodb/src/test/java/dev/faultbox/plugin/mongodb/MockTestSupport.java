package dev.faultbox.plugin.mongodb;

import static dev.faultbox.testkit.MockDefinitionBuilder.mock;

import com.mongodb.MongoClientSettings;
import com.mongodb.ServerAddress;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.faultbox.spi.InterfaceSpec;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockEvent;
import dev.faultbox.spi.MockServer;
import dev.faultbox.testkit.FreePorts;
import dev.faultbox.testkit.MockDefinitionBuilder;
import dev.faultbox.testkit.RecordingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;

/** Starts mongodb mocks on free loopback ports and stops them, their clients and the plugin after each test. */
abstract class MockTestSupport {

  final MongoProtocol plugin = new MongoProtocol();
  final MongoFactory factory = (MongoFactory) plugin.protocols().get(0);
  final RecordingContext context = new RecordingContext();
  private final List<MockServer> servers = new ArrayList<>();
  final List<AutoCloseable> clients = new ArrayList<>();

  static MockDefinitionBuilder users(Map<String, Object> config) {
    MockDefinitionBuilder b = mock("users-stub", "mongodb", 0);
    config.forEach(b::config);
    return b;
  }

  /** The page's seed: two users with string ids. */
  static final Map<String, Object> PAGE_SEED = Map.of("collections", Map.of("users", List.of(
      Map.of("_id", "1", "name", "alice", "role", "admin"),
      Map.of("_id", "2", "name", "bob", "role", "user"))));

  int start(MockDefinition definition) throws Exception {
    MockDefinition onPort = new MockDefinition(definition.service(),
        new InterfaceSpec(definition.iface().name(), definition.iface().protocol(), FreePorts.tcp()),
        definition.routes(), definition.defaultResponse(), definition.tls(), definition.config(),
        definition.specDirectory(), definition.declaredAt());
    MockServer server = factory.start(factory.prepare(onPort), context);
    servers.add(server);
    return server.address().getPort();
  }

  int start(Map<String, Object> config) throws Exception {
    return start(users(config).build());
  }

  /** A driver client as an application makes one, with short timeouts so a failing test ends soon. */
  MongoClient client(int port) {
    return client(MongoClients.create(settings(port).build()));
  }

  static MongoClientSettings.Builder settings(int port) {
    return MongoClientSettings.builder()
        .applyToClusterSettings(b -> b.hosts(List.of(new ServerAddress("127.0.0.1", port)))
            .serverSelectionTimeout(5, TimeUnit.SECONDS))
        .applyToSocketSettings(b -> b.connectTimeout(5, TimeUnit.SECONDS).readTimeout(10, TimeUnit.SECONDS));
  }

  <C extends AutoCloseable> C client(C c) {
    clients.add(c);
    return c;
  }

  /** The recorded command events with {@code op}, monitoring hellos left out unless asked for. */
  List<MockEvent> events(String op) {
    return context.recorded(op);
  }

  @AfterEach
  void stopAll() throws Exception {
    for (AutoCloseable c : clients) {
      try {
        c.close();
      } catch (Exception ignored) {
        // a client failing to close must not hide the test's own outcome
      }
    }
    servers.forEach(MockServer::close);
    plugin.close();
  }
}
