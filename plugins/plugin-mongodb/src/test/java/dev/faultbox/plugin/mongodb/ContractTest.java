package dev.faultbox.plugin.mongodb;

import static dev.faultbox.testkit.MockDefinitionBuilder.mock;

import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.testkit.ProtocolContract;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.bson.BsonDocument;

/** The plugin contract for the mongodb protocol, spoken as raw OP_MSG. */
class ContractTest extends ProtocolContract {

  @Override
  protected MockProtocol plugin() {
    return new MongoProtocol();
  }

  @Override
  protected String protocol() {
    return "mongodb";
  }

  @Override
  protected MockDefinition definition(int port) {
    return mock("users-stub", "mongodb", port)
        .config("collections", Map.of("users", List.of(Map.of("_id", "1", "name", "alice")))).build();
  }

  @Override
  protected MockDefinition invalidDefinition(int port) {
    return mock("users-stub", "mongodb", port).config("collections", Map.of("users", "alice")).build();
  }

  @Override
  protected Reply exchange(InetSocketAddress at) {
    try (RawWire wire = new RawWire(at.getPort())) {
      BsonDocument reply = wire.command("{\"find\": \"users\", \"filter\": {\"_id\": \"1\"}, \"$db\": \"test\"}");
      boolean found = reply.getNumber("ok").doubleValue() == 1.0
          && reply.getDocument("cursor").getArray("firstBatch").size() == 1;
      return found ? Reply.answered(reply.toJson()) : Reply.failed(reply.toJson());
    } catch (IOException | RuntimeException e) {
      return Reply.failed(e.toString());
    }
  }

  @Override
  protected void sendMalformed(InetSocketAddress at) throws IOException {
    try (RawWire wire = new RawWire(at.getPort())) {
      wire.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      wire.closedByServer();
    }
  }
}
