package dev.faultbox.plugin.mongodb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;

/** What drivers send first and around their commands, answered as a MongoDB 6.0 standalone. */
class HandshakeTest extends MockTestSupport {

  /** An OP_QUERY on {@code namespace}, as drivers send their first hello. */
  static byte[] opQuery(int requestId, String namespace, String json) {
    byte[] ns = (namespace + "\0").getBytes(StandardCharsets.UTF_8);
    byte[] doc = RawWire.bson(json);
    ByteBuffer b = ByteBuffer.allocate(4 + ns.length + 8 + doc.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0).put(ns).putInt(0).putInt(-1).put(doc);
    return RawWire.message(requestId, 2004, b.array());
  }

  @Test
  void theLegacyHelloOverOpQueryReportsWireVersion17WithSessions() throws Exception {
    int port = start(PAGE_SEED);
    try (RawWire wire = new RawWire(port)) {
      wire.send(opQuery(1, "admin.$cmd", "{\"isMaster\": 1, \"helloOk\": true, \"client\": {\"driver\": {\"name\": \"raw\"}}}"));
      BsonDocument hello = wire.reply();
      assertThat(hello.getBoolean("ismaster").getValue()).isTrue();
      assertThat(hello.getBoolean("helloOk").getValue()).isTrue();
      assertThat(hello.getInt32("maxWireVersion").getValue()).isEqualTo(17);
      assertThat(hello.getInt32("logicalSessionTimeoutMinutes").getValue()).isEqualTo(30);
      assertThat(hello.getInt32("maxMessageSizeBytes").getValue()).isEqualTo(48_000_000);
      assertThat(hello.containsKey("topologyVersion")).as("drivers poll, not stream").isFalse();

      BsonDocument modern = wire.command("{\"hello\": 1, \"$db\": \"admin\"}");
      assertThat(modern.getBoolean("isWritablePrimary").getValue()).isTrue();
      BsonDocument build = wire.command("{\"buildInfo\": 1, \"$db\": \"admin\"}");
      assertThat(build.getString("version").getValue()).isEqualTo("6.0.0");
      BsonDocument fcv = wire.command("{\"getParameter\": 1, \"featureCompatibilityVersion\": 1, \"$db\": \"admin\"}");
      assertThat(fcv.getDocument("featureCompatibilityVersion").getString("version").getValue()).isEqualTo("6.0");
      BsonDocument unknownParameter = wire.command("{\"getParameter\": 1, \"nope\": 1, \"$db\": \"admin\"}");
      assertThat(unknownParameter.getInt32("code").getValue()).isEqualTo(72);
    }
    assertThat(events("isMaster").get(0).fields()).containsEntry("db", "admin");
    assertThat(events("buildInfo")).hasSize(1);
  }

  @Test
  void otherCommandsOverOpQueryAreRefusedAsSince60() throws Exception {
    int port = start(PAGE_SEED);
    try (RawWire wire = new RawWire(port)) {
      wire.send(opQuery(2, "app.$cmd", "{\"count\": \"users\"}"));
      BsonDocument reply = wire.reply();
      assertThat(reply.getInt32("code").getValue()).isEqualTo(352);
      assertThat(reply.getString("codeName").getValue()).isEqualTo("UnsupportedOpQueryCommand");
    }
  }

  @Test
  void moreToComeIsServedAndRecordedButNotAnswered() throws Exception {
    int port = start(Map.of());
    try (RawWire wire = new RawWire(port)) {
      byte[] body = RawWire.bson("{\"insert\": \"logs\", \"documents\": [{\"_id\": 1}], \"$db\": \"app\"}");
      // flagBits = moreToCome (bit 1): an unacknowledged write.
      wire.send(RawWire.message(5, 2013, RawWire.concat(new byte[] {2, 0, 0, 0, 0}, body)));
      BsonDocument count = wire.command("{\"count\": \"logs\", \"$db\": \"app\"}");
      assertThat(count.getNumber("n").intValue()).as("the next reply is the count's: the insert had none").isEqualTo(1);
    }
    assertThat(events("insert").get(0).fields()).containsEntry("n", 1).containsEntry("collection", "logs");
  }

  @Test
  void documentSequencesAreFoldedIntoTheCommand() throws Exception {
    int port = start(Map.of());
    try (RawWire wire = new RawWire(port)) {
      byte[] body = RawWire.bson("{\"insert\": \"logs\", \"$db\": \"app\"}");
      byte[] id = "documents\0".getBytes(StandardCharsets.US_ASCII);
      byte[] a = RawWire.bson("{\"_id\": 1}");
      byte[] b = RawWire.bson("{\"_id\": 2}");
      ByteBuffer sequence = ByteBuffer.allocate(1 + 4 + id.length + a.length + b.length).order(ByteOrder.LITTLE_ENDIAN);
      sequence.put((byte) 1).putInt(4 + id.length + a.length + b.length).put(id).put(a).put(b);
      wire.send(RawWire.message(6, 2013, RawWire.concat(RawWire.concat(new byte[] {0, 0, 0, 0, 0}, body), sequence.array())));
      assertThat(wire.reply().getNumber("n").intValue()).isEqualTo(2);
    }
  }
}
