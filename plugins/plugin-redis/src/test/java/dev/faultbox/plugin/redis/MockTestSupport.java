package dev.faultbox.plugin.redis;

import static dev.faultbox.testkit.MockDefinitionBuilder.mock;

import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockServer;
import dev.faultbox.testkit.FreePorts;
import dev.faultbox.testkit.MockDefinitionBuilder;
import dev.faultbox.testkit.RecordingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/** Starts redis mocks on free loopback ports and stops them, and the plugin, after each test. */
abstract class MockTestSupport {
  static final Duration WAIT = Duration.ofSeconds(5);

  final RedisProtocol plugin = new RedisProtocol();
  final RedisFactory factory = (RedisFactory) plugin.protocols().get(0);
  final RecordingContext context = new RecordingContext();
  private final List<MockServer> servers = new ArrayList<>();

  static MockDefinitionBuilder cache(Map<String, Object> config) {
    MockDefinitionBuilder b = mock("cache", "redis", 0);
    config.forEach(b::config);
    return b;
  }

  int start(MockDefinition definition) throws Exception {
    MockDefinition onPort = new MockDefinition(definition.service(),
        new dev.faultbox.spi.InterfaceSpec(definition.iface().name(), definition.iface().protocol(), FreePorts.tcp()),
        definition.routes(), definition.defaultResponse(), definition.tls(), definition.config(),
        definition.specDirectory(), definition.declaredAt());
    MockServer server = factory.start(factory.prepare(onPort), context);
    servers.add(server);
    return server.address().getPort();
  }

  int start(Map<String, Object> config) throws Exception {
    return start(cache(config).build());
  }

  @AfterEach
  void stopAll() {
    servers.forEach(MockServer::close);
    plugin.close();
  }
}
