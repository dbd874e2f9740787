package dev.faultbox.plugin.mongodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.MongoCommandException;
import com.mongodb.MongoCursorNotFoundException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import dev.faultbox.spi.MockEvent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.bson.BsonDocument;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/**
 * What drivers never send: each gets mongod's answer (an error reply, silence, or a closed
 * connection), a {@code bad_message} or command event, and the server keeps serving.
 */
class BadInputTest extends MockTestSupport {

  private static final String PING = "{\"ping\": 1, \"$db\": \"admin\"}";

  private static boolean pings(int port) throws Exception {
    try (RawWire wire = new RawWire(port)) {
      return wire.command(PING).getNumber("ok").doubleValue() == 1.0;
    }
  }

  private MockEvent badMessage() {
    return context.awaitOp("bad_message", java.time.Duration.ofSeconds(5));
  }

  @Test
  void aStringLengthOfTwoGibibytesIsInvalidBsonWithoutAllocatingIt() {
    // Found by the fuzzer: the library's decoder allocated each string at its declared length.
    byte[] message = RawWire.opMsg(1, "{\"find\": \"users\", \"$db\": \"test\"}");
    int stringLength = 16 + 4 + 1 + 4 + 1 + "find".length() + 1; // header, flags, kind, size, type, key
    ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN).putInt(stringLength, Integer.MAX_VALUE);
    var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    io.netty.channel.embedded.EmbeddedChannel channel = new io.netty.channel.embedded.EmbeddedChannel(new WireDecoder(1));
    long before = threads.getCurrentThreadAllocatedBytes();
    channel.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer(message));
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    Object decoded = channel.readInbound();
    assertThat(decoded).isInstanceOf(BadInput.class);
    assertThat(((BadInput) decoded).reply().get("codeName")).isEqualTo("InvalidBSON");
    assertThat(allocated).as("bytes allocated decoding it").isLessThan(16L << 20);
    channel.finishAndReleaseAll();
  }

  @Test
  void garbageBytesCloseTheConnectionAsMongodDoes() throws Exception {
    int port = start(PAGE_SEED);
    try (RawWire wire = new RawWire(port)) {
      wire.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(wire.closedByServer()).isTrue();
    }
    assertThat((String) badMessage().fields().get("error"))
        .isEqualTo("recv(): message msgLen 542393671 is invalid. Min 16 Max: 48000000");
    assertThat(pings(port)).isTrue();
  }

  @Test
  void aMessageOver48MbIsRefusedBeforeItIsRead() throws Exception {
    int port = start(PAGE_SEED);
    try (RawWire wire = new RawWire(port)) {
      ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
      header.putInt(48_000_001).putInt(1).putInt(0).putInt(2013);
      wire.send(header.array());
      assertThat(wire.closedByServer()).isTrue();
    }
    assertThat((String) badMessage().fields().get("error")).contains("msgLen 48000001 is invalid");
    assertThat(pings(port)).isTrue();
  }

  @Test
  void anUnknownOpcodeIsSkippedAndTheConnectionServesOn() throws Exception {
    int port = start(PAGE_SEED);
    try (RawWire wire = new RawWire(port)) {
      wire.send(RawWire.message(7, 2002, new byte[] {0, 0, 0, 0})); // OP_INSERT, gone since 6.0
      assertThat(wire.silentFor(300)).isTrue();
      assertThat(wire.command(PING).getNumber("ok").doubleValue()).isEqualTo(1.0);
    }
    assertThat(badMessage().fields()).containsEntry("opcode", 2002)
        .containsEntry("error", "Operation is not supported: opCode 2002");
  }

  @Test
  void aTruncatedBsonDocumentIsAnsweredWithInvalidBson() throws Exception {
    int port = start(PAGE_SEED);
    try (RawWire wire = new RawWire(port)) {
      byte[] body = RawWire.bson(PING);
      byte[] cut = java.util.Arrays.copyOf(body, body.length - 6);
      // The document claims more bytes than its message holds.
      wire.send(RawWire.message(9, 2013, RawWire.concat(new byte[] {0, 0, 0, 0, 0}, cut)));
      BsonDocument reply = wire.reply();
      assertThat(reply.getNumber("ok").intValue()).isZero();
      assertThat(reply.getInt32("code").getValue()).isEqualTo(22);
      assertThat(reply.getString("codeName").getValue()).isEqualTo("InvalidBSON");
      assertThat(wire.command(PING).getNumber("ok").doubleValue()).isEqualTo(1.0);
    }
    assertThat(badMessage().fields()).containsEntry("code", 22);
  }

  @Test
  void aMessageWithoutDbIsRefusedAsMongodRefusesIt() throws Exception {
    int port = start(PAGE_SEED);
    try (RawWire wire = new RawWire(port)) {
      BsonDocument reply = wire.command("{\"ping\": 1}");
      assertThat(reply.getInt32("code").getValue()).isEqualTo(40571);
      assertThat(reply.getString("errmsg").getValue()).isEqualTo("OP_MSG requests require a $db argument");
    }
  }

  @Test
  void anUnknownCommandIsCommandNotFound() throws Exception {
    int port = start(PAGE_SEED);
    MongoClient client = client(port);
    assertThatThrownBy(() -> client.getDatabase("app").runCommand(new Document("frobnicate", 1)))
        .isInstanceOfSatisfying(MongoCommandException.class, e -> {
          assertThat(e.getErrorCode()).isEqualTo(59);
          assertThat(e.getErrorCodeName()).isEqualTo("CommandNotFound");
          assertThat(e.getErrorMessage()).isEqualTo("no such command: 'frobnicate'");
        });
    assertThat(events("frobnicate").get(0).fields()).containsEntry("code", 59);
  }

  @Test
  void anInvalidOperatorIsBadValue() throws Exception {
    int port = start(PAGE_SEED);
    MongoCollection<Document> users = client(port).getDatabase("app").getCollection("users");
    assertThatThrownBy(() -> users.find(new Document("name", new Document("$foo", 1))).first())
        .isInstanceOfSatisfying(MongoCommandException.class, e -> {
          assertThat(e.getErrorCode()).isEqualTo(2);
          assertThat(e.getErrorMessage()).contains("unknown operator: $foo");
        });
    assertThat(events("find").get(0).fields()).containsEntry("code", 2);
    assertThat(users.countDocuments()).isEqualTo(2);
  }

  @Test
  void aKilledCursorIsCursorNotFound() throws Exception {
    List<Map<String, Object>> many = new java.util.ArrayList<>();
    for (int i = 0; i < 10; i++) {
      many.add(Map.of("_id", (long) i));
    }
    int port = start(Map.of("collections", Map.of("items", many)));
    MongoClient client = client(port);
    MongoCollection<Document> items = client.getDatabase("app").getCollection("items");
    try (MongoCursor<Document> cursor = items.find().batchSize(2).iterator()) {
      cursor.next();
      long id = cursor.getServerCursor().getId();
      client.getDatabase("app").runCommand(new Document("killCursors", "items").append("cursors", List.of(id)));
      assertThatThrownBy(() -> {
        for (int i = 0; i < 10; i++) {
          cursor.next();
        }
      }).isInstanceOf(MongoCursorNotFoundException.class);
    }
    assertThat(events("getMore").get(0).fields()).containsEntry("code", 43).containsEntry("collection", "items");
    assertThat(items.countDocuments()).isEqualTo(10);
  }

  @Test
  void cursorsServeBatchesWithGetMore() throws Exception {
    List<Map<String, Object>> many = new java.util.ArrayList<>();
    for (int i = 0; i < 7; i++) {
      many.add(Map.of("_id", (long) i));
    }
    int port = start(Map.of("collections", Map.of("items", many)));
    List<Document> all = client(port).getDatabase("app").getCollection("items").find().batchSize(3)
        .into(new java.util.ArrayList<>());
    assertThat(all).hasSize(7);
    assertThat(events("find").get(0).fields()).containsEntry("n", 3);
    assertThat(events("getMore")).extracting(e -> e.fields().get("n")).containsExactly(3, 1);
  }
}
