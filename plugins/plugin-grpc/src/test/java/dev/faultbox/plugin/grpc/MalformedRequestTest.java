package dev.faultbox.plugin.grpc;

import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import dev.faultbox.plugin.grpc.test.flags.FlagsGrpc;
import dev.faultbox.spi.MockEvent;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.MockServer;
import dev.faultbox.testkit.RecordingContext;
import io.grpc.Status;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed gRPC requests, as raw HTTP/2 frames: each gets a status, exactly one event saying
 * what the client got, nothing on the console, and the next good call is served.
 */
class MalformedRequestTest {

  private static final String GET = "/flags.v1.Flags/Get";
  private static final byte[] EMPTY = RawH2.message(0, 0, new byte[0]);

  private final TestSupport.Resources resources = new TestSupport.Resources();
  private final RecordingContext context = new RecordingContext();
  private MockServer server;

  @BeforeEach
  void start() throws Exception {
    server = resources.server(mock("flags", "grpc", 0)
        .config("max_message_bytes", 1024L)
        .route(GET, new MockResponse.Structured(Map.of("variant", "B")))
        .build(), context);
  }

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        Arguments.of("compressed flag without grpc-encoding", RawH2.request(GET), RawH2.message(1, 2, new byte[] {0x0a, 0}),
            Status.Code.INTERNAL, "Can't decode compressed gRPC message as compression not configured"),
        Arguments.of("reserved flag bits", RawH2.request(GET), RawH2.message(0x80, 0, new byte[0]),
            Status.Code.INTERNAL, "gRPC frame header malformed: reserved bits not zero"),
        Arguments.of("truncated message", RawH2.request(GET), RawH2.message(0, 10, new byte[] {1, 2, 3}),
            Status.Code.INTERNAL, "Encountered end-of-stream mid-frame"),
        Arguments.of("truncated prefix", RawH2.request(GET), new byte[] {0, 0},
            Status.Code.INTERNAL, "Encountered end-of-stream mid-frame"),
        Arguments.of("0xFFFFFFFF length", RawH2.request(GET), RawH2.message(0, 0xFFFFFFFFL, new byte[0]),
            Status.Code.RESOURCE_EXHAUSTED, "gRPC message exceeds maximum size 1024: -1"),
        Arguments.of("unknown grpc-encoding", RawH2.request(GET).set("grpc-encoding", "br"), EMPTY,
            Status.Code.UNIMPLEMENTED, "Can't find decompressor for br"),
        Arguments.of(":path without a slash", RawH2.request("flags.v1.Flags/Get"), EMPTY,
            Status.Code.UNIMPLEMENTED, RequestCheck.BAD_PATH),
        Arguments.of("empty :path", RawH2.request(""), EMPTY, Status.Code.UNIMPLEMENTED, RequestCheck.BAD_PATH),
        Arguments.of(":path /", RawH2.request("/"), EMPTY, Status.Code.UNIMPLEMENTED, RequestCheck.BAD_PATH),
        Arguments.of(":path without a method", RawH2.request("/flags.v1.Flags"), null,
            Status.Code.UNIMPLEMENTED, RequestCheck.BAD_PATH),
        Arguments.of("no :path", RawH2.request(null), EMPTY, Status.Code.UNIMPLEMENTED, RequestCheck.BAD_PATH),
        // Refused by grpc-java itself with an HTTP error (found by the fuzzer to have no event).
        Arguments.of("a content type that is not gRPC", RawH2.request(GET).set("content-type", "text/plain"), EMPTY,
            Status.Code.INTERNAL, "Content-Type 'text/plain' is not supported"),
        Arguments.of("a GET", RawH2.request(GET).method("GET"), EMPTY, Status.Code.INTERNAL,
            "Method 'GET' is not supported"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void answeredWithAStatusAndOneEvent(String what, Http2Headers headers, byte[] data, Status.Code code, String message)
      throws Exception {
    try (RawH2 client = new RawH2(server.address().getPort())) {
      RawH2.Answer answer = client.send(headers, data);
      assertThat(answer.grpcStatus()).isEqualTo(Integer.toString(code.value()));
      assertThat(answer.grpcMessage()).isEqualTo(message);
      // Recorded before the answer left, and only once.
      assertThat(context.recorded()).singleElement().satisfies(event -> {
        assertThat(event.op()).isEqualTo("bad_request");
        assertThat(event.fields()).containsEntry("code", code.name()).containsEntry("message", message);
      });
      // The same connection serves the next call.
      context.clear();
      assertThat(client.send(RawH2.request(GET), EMPTY).grpcStatus()).isEqualTo("0");
      assertThat(context.recorded("ok")).hasSize(1);
    }
  }

  @Test
  void badPathEventNamesThePath() throws Exception {
    try (RawH2 client = new RawH2(server.address().getPort())) {
      client.send(RawH2.request("no-slash"), EMPTY);
    }
    assertThat(context.recorded().get(0).fields()).containsEntry("path", "no-slash").doesNotContainKey("method");
  }

  @Test
  void fuzzingPrintsNothingAndEveryRequestIsOneEvent() throws Exception {
    List<Arguments> cases = malformed().toList();
    Random random = new Random(42);
    int[] sent = {0};
    String printed = Console.capture(() -> {
      try (RawH2 client = new RawH2(server.address().getPort())) {
        for (Arguments c : cases) {
          client.send((Http2Headers) c.get()[1], (byte[]) c.get()[2]);
          sent[0]++;
        }
        for (int i = 0; i < 50; i++) {
          // A random flag byte and length prefix over a body of random length.
          byte[] body = new byte[random.nextInt(64)];
          random.nextBytes(body);
          client.send(RawH2.request(GET), RawH2.message(random.nextInt(256), random.nextInt(2048), body));
          sent[0]++;
        }
      }
      Struct reply = FlagsGrpc.newBlockingStub(resources.channel(server)).withDeadlineAfter(10, TimeUnit.SECONDS)
          .get(Struct.getDefaultInstance());
      assertThat(reply.getFieldsOrThrow("variant").getStringValue()).isEqualTo("B");
    });
    assertThat(printed).isEmpty();
    List<MockEvent> events = context.recorded();
    assertThat(events).hasSize(sent[0] + 1);
    assertThat(events.get(events.size() - 1).op()).isEqualTo("ok");
  }
}
