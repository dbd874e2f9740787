package dev.faultbox.examples.memcached;

import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.testkit.MockDefinitionBuilder;
import dev.faultbox.testkit.ProtocolContract;
import java.net.InetSocketAddress;
import java.util.Map;

/** The test kit's checks, which every Faultbox plugin passes. */
class MemcachedContractTest extends ProtocolContract {

  @Override
  protected MockProtocol plugin() {
    return new MemcachedPlugin();
  }

  @Override
  protected String protocol() {
    return "memcached";
  }

  @Override
  protected MockDefinition definition(int port) {
    return MockDefinitionBuilder.mock("cache", "memcached", port).config("state", Map.of("greeting", "hello")).build();
  }

  @Override
  protected MockDefinition invalidDefinition(int port) {
    return MockDefinitionBuilder.mock("cache", "memcached", port).config("items", Map.of()).build();
  }

  @Override
  protected Reply exchange(InetSocketAddress at) throws Exception {
    try (TextClient c = new TextClient(at)) {
      c.send("get greeting\r\n");
      String reply = c.readUntil("END\r\n");
      return reply.equals("VALUE greeting 0 5\r\nhello\r\nEND\r\n") ? Reply.answered(reply) : Reply.failed(reply);
    } catch (java.io.IOException e) {
      return Reply.failed(e.toString());
    }
  }

  @Override
  protected void sendMalformed(InetSocketAddress at) throws Exception {
    try (TextClient c = new TextClient(at)) {
      c.send("\u0000\u00ff\u0007 garbage\r\n");
      c.readLine();
    }
  }
}
