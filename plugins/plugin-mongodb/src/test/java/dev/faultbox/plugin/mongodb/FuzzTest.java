package dev.faultbox.plugin.mongodb;

import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.testkit.reliability.Delivery;
import dev.faultbox.testkit.reliability.ProtocolFuzz;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** The reliability suite's fuzzing of the MongoDB wire protocol: OP_MSG and OP_QUERY, mutated. */
class FuzzTest extends ProtocolFuzz {

  private final ContractTest contract = new ContractTest();

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
    return contract.definition(port);
  }

  @Override
  protected List<byte[]> validRequests() {
    return List.of(
        RawWire.opMsg(1, "{\"find\": \"users\", \"filter\": {\"_id\": \"1\"}, \"$db\": \"test\"}"),
        RawWire.opMsg(2, "{\"insert\": \"users\", \"documents\": [{\"name\": \"bob\", \"n\": {\"$numberLong\": \"7\"}}],"
            + " \"$db\": \"test\"}"),
        RawWire.opMsg(3, "{\"aggregate\": \"users\", \"pipeline\": [{\"$match\": {\"name\": \"alice\"}}], \"cursor\": {},"
            + " \"$db\": \"test\"}"),
        RawWire.opMsg(4, "{\"hello\": 1, \"helloOk\": true, \"$db\": \"admin\"}"),
        // OP_QUERY hello, as drivers open a connection: flags, admin.$cmd, skip, limit, the query
        RawWire.message(5, 2004, RawWire.concat(RawWire.concat(new byte[] {0, 0, 0, 0}, "admin.$cmd\0".getBytes(
            java.nio.charset.StandardCharsets.US_ASCII)), RawWire.concat(new byte[] {0, 0, 0, 0, -1, -1, -1, -1},
            RawWire.bson("{\"isMaster\": 1}")))));
  }

  /** Headers of any length, request id and opCode, with any payload. */
  @Override
  protected Arbitrary<byte[]> invalidFrames() {
    Arbitrary<Integer> length = Arbitraries.oneOf(Arbitraries.of(-1, 0, 15, 16, 17, 48_000_001, Integer.MAX_VALUE),
        Arbitraries.integers().between(16, 96));
    Arbitrary<Integer> opCode = Arbitraries.oneOf(Arbitraries.of(2013, 2004, 2012, 1, -1, 0), Arbitraries.integers());
    return Combinators.combine(length, opCode, Arbitraries.bytes().array(byte[].class).ofMaxSize(80))
        .as((n, op, payload) -> ByteBuffer.allocate(16 + payload.length).order(ByteOrder.LITTLE_ENDIAN)
            .putInt(n).putInt(9).putInt(0).putInt(op).put(payload).array());
  }

  private int probes;

  /** Inserts a document of its own, then finds it: fuzzed commands may have changed any other. */
  @Override
  protected boolean probe(InetSocketAddress at) throws Exception {
    String id = "probe-" + ++probes;
    try (RawWire wire = new RawWire(at.getPort())) {
      org.bson.BsonDocument inserted = wire.command(
          "{\"insert\": \"faultbox_probes\", \"documents\": [{\"_id\": \"" + id + "\"}], \"$db\": \"test\"}");
      org.bson.BsonDocument found = wire.command(
          "{\"find\": \"faultbox_probes\", \"filter\": {\"_id\": \"" + id + "\"}, \"$db\": \"test\"}");
      return inserted.getNumber("n").intValue() == 1
          && found.getDocument("cursor").getArray("firstBatch").size() == 1;
    } catch (java.io.IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * An answer is an event; so is a whole message (moreToCome ones are not answered) and a length
   * no message may have (the connection ends there).
   */
  @Override
  protected boolean expectsEvent(byte[] input, Delivery delivery) {
    if (delivery.reply().length > 0) {
      return true;
    }
    if (input.length < 4) {
      return false;
    }
    int length = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN).getInt();
    return length < WireDecoder.HEADER_BYTES || length > WireDecoder.MAX_MESSAGE_BYTES || input.length >= length;
  }
}
