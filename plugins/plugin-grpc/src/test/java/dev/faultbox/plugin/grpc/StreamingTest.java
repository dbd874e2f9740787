package dev.faultbox.plugin.grpc;

import static dev.faultbox.plugin.grpc.TestSupport.inSpecDir;
import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.faultbox.plugin.grpc.test.flags.FlagsGrpc;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.MockServer;
import dev.faultbox.testkit.RecordingContext;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Streaming calls, which the mock does not serve: UNIMPLEMENTED, said plainly, and an event. */
class StreamingTest {

  private final TestSupport.Resources resources = new TestSupport.Resources();
  private final RecordingContext context = new RecordingContext();

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  /** Any method answers, so only the streaming is in the way. */
  private MockServer untyped() throws Exception {
    return resources.server(mock("flags", "grpc", 0)
        .route("/**", new MockResponse.Structured(Map.of("variant", "B"))).build(), context);
  }

  private MockServer typed() throws Exception {
    return resources.server(inSpecDir(mock("flags", "grpc", 0)
        .config("descriptors", "all_upstreams.pb")
        .route("/**", new MockResponse.Structured(Map.of("variant", "B"))).build()), context);
  }

  private static Struct message(int n) {
    return Struct.newBuilder().putFields("n", Value.newBuilder().setNumberValue(n).build()).build();
  }

  /** Opens a stream, sends {@code count} messages without closing it, and waits for how it ends. */
  private static Throwable stream(Function<StreamObserver<Struct>, StreamObserver<Struct>> open, int count)
      throws Exception {
    CompletableFuture<Throwable> ended = new CompletableFuture<>();
    StreamObserver<Struct> requests = open.apply(new StreamObserver<>() {
      @Override
      public void onNext(Struct value) {}

      @Override
      public void onError(Throwable t) {
        ended.complete(t);
      }

      @Override
      public void onCompleted() {
        ended.complete(null);
      }
    });
    for (int i = 0; i < count; i++) {
      requests.onNext(message(i));
    }
    try {
      return ended.get(10, TimeUnit.SECONDS);
    } finally {
      requests.onCompleted();
    }
  }

  private void assertUnimplementedWithAnEvent(Throwable ended, String method) {
    assertThat(ended).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
      assertThat(e.getStatus().getDescription()).isEqualTo(Dispatcher.STREAMING);
    });
    assertThat(context.recorded()).singleElement().satisfies(event -> {
      assertThat(event.op()).isEqualTo("error");
      assertThat(event.fields()).containsEntry("method", method).containsEntry("code", "UNIMPLEMENTED")
          .containsEntry("message", Dispatcher.STREAMING);
    });
  }

  @Test
  void clientStreamingTwoMessagesToAnUntypedMock() throws Exception {
    var stub = FlagsGrpc.newStub(resources.channel(untyped())).withDeadlineAfter(10, TimeUnit.SECONDS);
    assertUnimplementedWithAnEvent(stream(stub::upload, 2), "/flags.v1.Flags/Upload");
  }

  @Test
  void bidiStreamingTwoMessagesToAnUntypedMock() throws Exception {
    var stub = FlagsGrpc.newStub(resources.channel(untyped())).withDeadlineAfter(10, TimeUnit.SECONDS);
    assertUnimplementedWithAnEvent(stream(stub::watch, 2), "/flags.v1.Flags/Watch");
  }

  @Test
  void typedStreamingMethodsAreRefusedBeforeAnyMessage() throws Exception {
    var stub = FlagsGrpc.newStub(resources.channel(typed())).withDeadlineAfter(10, TimeUnit.SECONDS);
    assertUnimplementedWithAnEvent(stream(stub::upload, 0), "/flags.v1.Flags/Upload");
    context.clear();
    assertUnimplementedWithAnEvent(stream(stub::watch, 1), "/flags.v1.Flags/Watch");
  }

  @Test
  void aUnaryCallStillWorksOnTheSameChannel() throws Exception {
    var channel = resources.channel(untyped());
    stream(FlagsGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)::upload, 2);
    assertThat(FlagsGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).get(message(1))
        .getFieldsOrThrow("variant").getStringValue()).isEqualTo("B");
  }
}
