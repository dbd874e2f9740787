package dev.faultbox.plugin.grpc;

import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Struct;
import dev.faultbox.plugin.grpc.test.flags.FlagsGrpc;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.MockServer;
import dev.faultbox.spi.SpiVersion;
import dev.faultbox.testkit.FreePorts;
import dev.faultbox.testkit.RecordingContext;
import io.grpc.ManagedChannel;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Start, bind errors, close and re-bind, discovery. */
class LifecycleTest {

  private static MockDefinition flags(int port) {
    return mock("flags", "grpc", port)
        .route("/flags.v1.Flags/Get", new MockResponse.Message(Map.of("variant", "B")))
        .build();
  }

  private static String variant(int port) throws Exception {
    ManagedChannel channel = TestSupport.plaintext(port);
    try {
      return FlagsGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .get(Struct.getDefaultInstance()).getFieldsOrThrow("variant").getStringValue();
    } finally {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void servesOnTheDeclaredPortAndRebindsAfterClose() throws Exception {
    int port = FreePorts.tcp();
    GrpcProtocol protocol = new GrpcProtocol();
    for (int round = 0; round < 3; round++) {
      MockServer server = protocol.start(flags(port), new RecordingContext());
      assertThat(server.address()).isEqualTo(new InetSocketAddress("127.0.0.1", port));
      assertThat(variant(port)).isEqualTo("B");
      server.close();
      server.close(); // idempotent
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress("127.0.0.1", port)); // the port is free at once
      }
    }
  }

  @Test
  void closeWithAConnectedClient() throws Exception {
    MockServer server = TestSupport.start(flags(0), new RecordingContext());
    int port = server.address().getPort();
    ManagedChannel channel = TestSupport.plaintext(port);
    try {
      FlagsGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).get(Struct.getDefaultInstance());
      server.close();
      MockServer again = TestSupport.start(flags(port), new RecordingContext());
      again.close();
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void takenPortIsABindException() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      assertThatThrownBy(() -> TestSupport.start(flags(taken.getLocalPort()), new RecordingContext()))
          .isExactlyInstanceOf(BindException.class);
    }
  }

  @Test
  void discoveredThroughServiceLoader() {
    MockProtocol found = null;
    for (MockProtocol protocol : ServiceLoader.load(MockProtocol.class)) {
      if (protocol.protocols().contains("grpc")) {
        found = protocol;
      }
    }
    assertThat(found).isInstanceOf(GrpcProtocol.class);
    assertThat(found.id()).isEqualTo("grpc");
    assertThat(found.protocols()).isEqualTo(Set.of("grpc"));
    assertThat(found.spiVersion()).isEqualTo(SpiVersion.CURRENT);
    assertThat(found.steps("grpc")).containsOnlyKeys("call");
    assertThat(found.steps("grpc").get("call").parameters()).containsExactly("method", "body", "metadata", "timeout_ms");
    assertThat(found.steps("http")).isEmpty();
  }
}
