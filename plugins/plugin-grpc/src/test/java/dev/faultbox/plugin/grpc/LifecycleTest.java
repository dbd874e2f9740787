package dev.faultbox.plugin.grpc;

import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.google.protobuf.Struct;
import dev.faultbox.plugin.grpc.test.flags.FlagsGrpc;
import dev.faultbox.plugin.support.EventLoops;
import dev.faultbox.spi.FaultModel;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.MockServer;
import dev.faultbox.spi.PreparedMock;
import dev.faultbox.spi.ProtocolFactory;
import dev.faultbox.spi.SpiVersion;
import dev.faultbox.spi.StarlarkLibrary;
import dev.faultbox.testkit.FreePorts;
import dev.faultbox.testkit.RecordingContext;
import io.grpc.ManagedChannel;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Start, bind errors, close and re-bind, discovery. */
class LifecycleTest {

  private static MockDefinition flags(int port) {
    return mock("flags", "grpc", port)
        .route("/flags.v1.Flags/Get", new MockResponse.Structured(Map.of("variant", "B")))
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
    PreparedMock prepared = protocol.prepare(flags(port)); // once, at load; started for every test
    for (int round = 0; round < 3; round++) {
      MockServer server = protocol.start(prepared, new RecordingContext());
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
  void closeStopsThePluginsThreadsAndALaterRunStartsAgain() throws Exception {
    GrpcProtocol protocol = new GrpcProtocol();
    MockServer server = protocol.start(protocol.prepare(flags(0)), new RecordingContext());
    assertThat(variant(server.address().getPort())).isEqualTo("B");
    server.close();
    protocol.close();
    protocol.close(); // idempotent
    String scheduler = scheduler();
    assertThat(Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && !t.getName().equals(scheduler)
            && (t.getName().startsWith("faultbox-test-") || t.getName().startsWith(EventLoops.THREAD_PREFIX))))
        .isEmpty();
    try (MockServer again = protocol.start(protocol.prepare(flags(0)), new RecordingContext())) {
      assertThat(variant(again.address().getPort())).isEqualTo("B");
    }
  }

  /** The name of the test context's shared scheduler thread, which is the kernel's, not the plugin's. */
  private static String scheduler() throws Exception {
    return new RecordingContext().scheduler().submit(() -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS);
  }

  @Test
  void discoveredThroughServiceLoader() {
    MockProtocol found = null;
    for (MockProtocol protocol : ServiceLoader.load(MockProtocol.class)) {
      if (protocol.protocols().stream().anyMatch(f -> f.name().equals("grpc"))) {
        found = protocol;
      }
    }
    assertThat(found).isInstanceOf(GrpcProtocol.class);
    assertThat(found.id()).isEqualTo("grpc");
    assertThat(found.spiVersion()).isEqualTo(SpiVersion.CURRENT);
    assertThat(found.protocols()).hasSize(1);
    ProtocolFactory grpc = found.protocols().get(0);
    assertThat(grpc.name()).isEqualTo("grpc");
    assertThat(grpc.transport()).isEqualTo(ProtocolFactory.Transport.STREAM);
    assertThat(grpc.supportsTls()).isTrue();
    assertThat(grpc.steps()).containsOnlyKeys("call", "stream");
    assertThat(grpc.steps().get("call").parameters()).containsExactly("method", "body", "metadata", "timeout_ms");
    assertThat(grpc.steps().get("stream").parameters())
        .containsExactly("method", "body", "bodies", "metadata", "timeout_ms");
    assertThat(found.libraries()).extracting(StarlarkLibrary::path, StarlarkLibrary::prelude).containsExactly(
        tuple("prelude/grpc.star", true), tuple("mocks/grpc.star", false), tuple("recipes/grpc.star", false));
    assertThat(found.libraries()).allSatisfy(l -> assertThat(l.source()).isNotBlank());
  }

  @Test
  void faultModelTakesMethodGlobsAndTheCanonicalCodes() {
    FaultModel model = new GrpcProtocol().faultModel();
    assertThat(model.matchers()).isEqualTo(Map.of("method", FaultModel.Match.GLOB));
    assertThat(model.statusNames()).hasSize(17)
        .containsEntry("OK", 0).containsEntry("UNAVAILABLE", 14).containsEntry("UNAUTHENTICATED", 16);
    assertThat(List.of(model.minStatus(), model.maxStatus(), model.errorStatus(), model.responseStatus()))
        .containsExactly(1, 16, 13, 13);
  }
}
