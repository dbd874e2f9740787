package dev.faultbox.plugin.kafka;

import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.testkit.reliability.Delivery;
import dev.faultbox.testkit.reliability.ProtocolFuzz;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.compress.Compression;

/** The reliability suite's fuzzing of the Kafka wire protocol: requests framed by kafka-clients, mutated. */
class FuzzTest extends ProtocolFuzz {

  private final ContractTest contract = new ContractTest();

  @Override
  protected MockProtocol plugin() {
    return new KafkaProtocol();
  }

  @Override
  protected String protocol() {
    return "kafka";
  }

  @Override
  protected MockDefinition definition(int port) {
    return contract.definition(port);
  }

  /** A request as a client sends it: the size, the header, the body, serialized by kafka-clients. */
  private static byte[] frame(AbstractRequest.Builder<?> builder, short version) {
    AbstractRequest request = builder.build(version);
    ByteBuffer body = request.serializeWithHeader(new RequestHeader(builder.apiKey(), version, "fuzz", 7));
    byte[] frame = new byte[4 + body.remaining()];
    ByteBuffer.wrap(frame).putInt(body.remaining()).put(body);
    return frame;
  }

  @Override
  protected List<byte[]> validRequests() {
    MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
        new SimpleRecord("key".getBytes(StandardCharsets.UTF_8), "value".getBytes(StandardCharsets.UTF_8)));
    ProduceRequestData produce = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(1000);
    produce.topicData().add(new ProduceRequestData.TopicProduceData().setName("orders")
        .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records))));
    return List.of(
        frame(MetadataRequest.Builder.forTopicNames(List.of("orders"), false), (short) 12),
        frame(MetadataRequest.Builder.forTopicNames(List.of("orders"), true), (short) 4),
        frame(new ApiVersionsRequest.Builder(new ApiVersionsRequestData().setClientSoftwareName("fuzz")
            .setClientSoftwareVersion("1.0"), ApiKeys.API_VERSIONS.latestVersion(), ApiKeys.API_VERSIONS.latestVersion()),
            (short) 3),
        frame(new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData().setKey("group")), (short) 3),
        frame(new ProduceRequest.Builder((short) 9, (short) 9, produce), (short) 9));
  }

  /** Frames of any size prefix (negative, past the limit, shorter than a header) with any API key and version. */
  @Override
  protected Arbitrary<byte[]> invalidFrames() {
    Arbitrary<Integer> size = Arbitraries.oneOf(Arbitraries.of(-1, 0, 1, 3, 7, 8, 9, Integer.MAX_VALUE, 100 * 1024 * 1024 + 1),
        Arbitraries.integers().between(0, 64));
    Arbitrary<Short> key = Arbitraries.oneOf(Arbitraries.of((short) -1, (short) 0x7fff, (short) 18, (short) 3),
        Arbitraries.shorts());
    return Combinators.combine(size, key, Arbitraries.shorts(), Arbitraries.bytes().array(byte[].class).ofMaxSize(48))
        .as((n, api, version, rest) -> {
          ByteBuffer b = ByteBuffer.allocate(8 + rest.length).putInt(n).putShort(api).putShort(version).put(rest);
          return b.array();
        });
  }

  /** Metadata for the topic, created if a fuzzed request deleted it. */
  @Override
  protected boolean probe(InetSocketAddress at) throws Exception {
    try (WireClient client = new WireClient(at.getHostString(), at.getPort(), (int) WAIT.toMillis())) {
      org.apache.kafka.common.requests.MetadataResponse r =
          client.send(MetadataRequest.Builder.forTopicNames(List.of("orders"), true));
      var topic = r.data().topics().iterator().next();
      return "orders".equals(topic.name()) && topic.errorCode() == 0;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /**
   * An answer is an event; so is a whole frame (the mock reads it all before judging it) and a
   * size no frame may have (refused as soon as it is read).
   */
  @Override
  protected boolean expectsEvent(byte[] input, Delivery delivery) {
    if (delivery.reply().length > 0) {
      return true;
    }
    if (input.length < 4) {
      return false;
    }
    int size = ByteBuffer.wrap(input).getInt();
    return size < 0 || size > KafkaHandler.MAX_FRAME || input.length >= 4 + size;
  }
}
