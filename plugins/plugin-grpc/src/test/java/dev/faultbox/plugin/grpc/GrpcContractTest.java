package dev.faultbox.plugin.grpc;

import static dev.faultbox.testkit.MockDefinitionBuilder.mock;

import com.google.protobuf.Struct;
import dev.faultbox.plugin.grpc.test.flags.FlagsGrpc;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.testkit.ProtocolContract;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The plugin contract for gRPC, with a grpc-java stub as the client. */
class GrpcContractTest extends ProtocolContract {
  @Override
  protected MockProtocol plugin() {
    return new GrpcProtocol();
  }

  @Override
  protected String protocol() {
    return "grpc";
  }

  @Override
  protected MockDefinition definition(int port) {
    return mock("flags", "grpc", port)
        .route("/flags.v1.Flags/Get", new MockResponse.Structured(Map.of("enabled", true))).build();
  }

  @Override
  protected MockDefinition invalidDefinition(int port) {
    return mock("flags", "grpc", port).route("/flags.v1.Flags/Get", new MockResponse.Status("UNAVAILBLE", "")).build();
  }

  @Override
  protected Reply exchange(InetSocketAddress at) throws Exception {
    ManagedChannel channel = NettyChannelBuilder.forAddress(at).usePlaintext().build();
    try {
      Struct reply = FlagsGrpc.newBlockingStub(channel).withDeadlineAfter(3, TimeUnit.SECONDS).get(Struct.getDefaultInstance());
      return reply.getFieldsOrThrow("enabled").getBoolValue() ? Reply.answered(reply.toString()) : Reply.failed(reply.toString());
    } catch (StatusRuntimeException e) {
      return Reply.failed(e.getStatus().toString());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Override
  protected void sendMalformed(InetSocketAddress at) throws Exception {
    try (RawH2 client = new RawH2(at.getPort())) {
      client.send(RawH2.request("/flags.v1.Flags/Get"), RawH2.message(0x80, 0, new byte[0])); // reserved flag bits
    }
  }
}
