package dev.faultbox.plugin.grpc;

import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.faultbox.plugin.grpc.test.flags.FlagsGrpc;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.MockServer;
import dev.faultbox.testkit.RecordingContext;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Garbage, HTTP/1.1 and oversized messages get clean errors; the mock keeps serving. */
class BadInputTest {

  private final TestSupport.Resources resources = new TestSupport.Resources();
  private final RecordingContext context = new RecordingContext();
  private MockServer server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    server = resources.server(mock("flags", "grpc", 0)
        .config("max_message_bytes", 1024L)
        .route("/flags.v1.Flags/Get", new MockResponse.Structured(Map.of("variant", "B")))
        .build(), context);
    channel = resources.channel(server);
  }

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  private void assertServing() {
    Struct reply = FlagsGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .get(Struct.getDefaultInstance());
    assertThat(reply.getFieldsOrThrow("variant").getStringValue()).isEqualTo("B");
  }

  /** Sends bytes on a fresh connection and reads what comes back until the server closes (bounded). */
  private byte[] raw(byte[] bytes) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", server.address().getPort()), 5000);
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(bytes);
      socket.getOutputStream().flush();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[4096];
      try {
        int n;
        while (out.size() < 1 << 20 && (n = in.read(buffer)) >= 0) {
          out.write(buffer, 0, n);
        }
      } catch (SocketTimeoutException | java.net.SocketException e) {
        // closed or silent: either is clean
      }
      return out.toByteArray();
    }
  }

  @Test
  void garbageBytes() throws Exception {
    byte[] garbage = new byte[4096];
    new Random(7).nextBytes(garbage);
    raw(garbage);
    raw("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\u0000\u0000\u0004\u0009garbage-frame".getBytes(StandardCharsets.ISO_8859_1));
    assertServing();
  }

  @Test
  void http11ClientOnTheGrpcPort() throws Exception {
    byte[] answer = raw("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(answer.length).isLessThan(1 << 20);
    assertServing();
  }

  @Test
  void curlOnTheGrpcPort() throws Exception {
    ProcessBuilder builder = new ProcessBuilder("curl", "-sS", "--max-time", "5", "--noproxy", "*",
        "-w", "%{http_code}", "http://127.0.0.1:" + server.address().getPort() + "/");
    builder.redirectErrorStream(true);
    Process process;
    try {
      process = builder.start();
    } catch (IOException noCurl) {
      org.junit.jupiter.api.Assumptions.abort("curl is not installed");
      return;
    }
    process.getOutputStream().close();
    byte[] output = process.getInputStream().readNBytes(1 << 16);
    assertThat(process.waitFor(15, TimeUnit.SECONDS)).isTrue();
    // HTTP/1.1 on the port is gRPC-Web and Connect's: a plain GET is told what the port takes.
    String said = new String(output, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as("curl output: %s", said).isZero();
    assertThat(said).contains("gRPC-Web and Connect calls are POST").endsWith("405");
    assertServing();
  }

  @Test
  void oversizedMessageIsResourceExhaustedAndTheEventSaysSo() {
    Struct big = Struct.newBuilder()
        .putFields("blob", Value.newBuilder().setStringValue("x".repeat(4096)).build()).build();
    String message = "gRPC message exceeds maximum size 1024: " + big.getSerializedSize();
    assertThatThrownBy(() -> FlagsGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).get(big))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
          assertThat(e.getStatus().getDescription()).isEqualTo(message);
        });
    assertThat(context.recorded()).singleElement().satisfies(event -> {
      assertThat(event.op()).isEqualTo("bad_request");
      assertThat(event.fields())
          .containsEntry("method", "/flags.v1.Flags/Get")
          .containsEntry("code", "RESOURCE_EXHAUSTED")
          .containsEntry("message", message)
          .containsEntry("req_size", (long) big.getSerializedSize());
    });
    assertServing();
  }

  @Test
  void requestThatIsNotAStructForADynamicHandlerIsInvalidArgument() throws Exception {
    MockServer dyn = resources.server(mock("flags", "grpc", 0)
        .route("/**", dev.faultbox.testkit.MockDefinitionBuilder.dynamic(
            r -> java.util.concurrent.CompletableFuture.completedFuture(new MockResponse.Structured(Map.of())))).build(),
        new RecordingContext());
    io.grpc.MethodDescriptor<byte[], byte[]> method = io.grpc.MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
        .setFullMethodName("flags.v1.Flags/Get")
        .setRequestMarshaller(Dispatcher.BYTES)
        .setResponseMarshaller(Dispatcher.BYTES)
        .build();
    assertThatThrownBy(() -> io.grpc.stub.ClientCalls.blockingUnaryCall(resources.channel(dyn), method,
            io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), new byte[] {(byte) 0xff, 0x01}))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).startsWith("decode request for /flags.v1.Flags/Get: not a google.protobuf.Struct");
        });
  }
}
