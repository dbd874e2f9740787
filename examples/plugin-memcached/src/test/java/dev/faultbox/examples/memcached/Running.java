package dev.faultbox.examples.memcached;

import dev.faultbox.spi.MockServer;
import dev.faultbox.testkit.FreePorts;
import dev.faultbox.testkit.MockDefinitionBuilder;
import dev.faultbox.testkit.RecordingContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;

/** A memcached mock serving on a free port of 127.0.0.1, for a test's duration. */
final class Running implements AutoCloseable {
  final MemcachedPlugin plugin = new MemcachedPlugin();
  final RecordingContext context = new RecordingContext();
  final MockServer server;
  final InetSocketAddress at;

  Running(Map<String, Object> state) throws Exception {
    MemcachedFactory factory = (MemcachedFactory) plugin.protocols().get(0);
    int port = FreePorts.tcp();
    server = factory.start(factory.prepare(
        MockDefinitionBuilder.mock("cache", "memcached", port).config("state", state).build()), context);
    at = new InetSocketAddress(FreePorts.loopback(), port);
  }

  TextClient client() throws IOException {
    return new TextClient(at);
  }

  @Override
  public void close() {
    server.close();
    plugin.close();
  }
}
