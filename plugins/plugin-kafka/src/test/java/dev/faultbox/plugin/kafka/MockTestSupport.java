package dev.faultbox.plugin.kafka;

import static dev.faultbox.testkit.MockDefinitionBuilder.mock;

import dev.faultbox.spi.InterfaceSpec;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockServer;
import dev.faultbox.testkit.FreePorts;
import dev.faultbox.testkit.MockDefinitionBuilder;
import dev.faultbox.testkit.RecordingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;

/** Starts kafka mocks on free loopback ports and stops them, and the plugin, after each test. */
abstract class MockTestSupport {

  final KafkaProtocol plugin = new KafkaProtocol();
  final KafkaFactory factory = (KafkaFactory) plugin.protocols().get(0);
  final RecordingContext context = new RecordingContext();
  private final List<MockServer> servers = new ArrayList<>();
  final List<AutoCloseable> clients = new ArrayList<>();

  static MockDefinitionBuilder bus(Map<String, Object> config) {
    MockDefinitionBuilder b = mock("bus", "kafka", 0);
    config.forEach(b::config);
    return b;
  }

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
    return start(bus(config).build());
  }

  static Properties props(int port) {
    Properties p = new Properties();
    p.put("bootstrap.servers", "127.0.0.1:" + port);
    return p;
  }

  <C extends AutoCloseable> C client(C c) {
    clients.add(c);
    return c;
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
