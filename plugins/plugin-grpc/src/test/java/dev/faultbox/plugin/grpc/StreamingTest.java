package dev.faultbox.plugin.grpc;

import static dev.faultbox.plugin.grpc.TestSupport.inSpecDir;
import static dev.faultbox.testkit.MockDefinitionBuilder.dynamic;
import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.faultbox.plugin.grpc.test.flags.FlagsGrpc;
import dev.faultbox.plugin.grpc.test.ticker.Summary;
import dev.faultbox.plugin.grpc.test.ticker.Tick;
import dev.faultbox.plugin.grpc.test.ticker.TickRequest;
import dev.faultbox.plugin.grpc.test.ticker.TickerGrpc;
import dev.faultbox.spi.DynamicHandler;
import dev.faultbox.spi.FaultDecision;
import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockEvent;
import dev.faultbox.spi.MockRequest;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.MockServer;
import dev.faultbox.testkit.MockDefinitionBuilder;
import dev.faultbox.testkit.RecordingContext;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Streaming calls of every kind, over real sockets with grpc-java stubs: untyped (Struct, the
 * route and the client say it streams) and typed (the descriptor set says so).
 */
class StreamingTest {

  static final String FLAGS = "/flags.v1.Flags/";
  static final String TICKER = "/ticker.v1.Ticker/";

  private final TestSupport.Resources resources = new TestSupport.Resources();
  private final RecordingContext context = new RecordingContext();

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  // ---- the shapes the plugin's Starlark builds ---------------------------------------------

  static MockResponse.Composite script(long intervalMillis, MockResponse.Status then, Map<String, Object>... messages) {
    Map<String, Object> parts = new LinkedHashMap<>();
    parts.put("messages", List.of(messages));
    parts.put("interval_ms", intervalMillis);
    parts.put("then", then);
    return new MockResponse.Composite(GrpcSettings.STREAM, parts);
  }

  static MockResponse.Composite collect(DynamicHandler handler) {
    return new MockResponse.Composite(GrpcSettings.COLLECT, Map.of("handler", dynamic(handler)));
  }

  static MockResponse.Composite perMessage(DynamicHandler handler) {
    return new MockResponse.Composite(GrpcSettings.PER_MESSAGE, Map.of("handler", dynamic(handler)));
  }

  static MockResponse.Composite responses(MockResponse... items) {
    return new MockResponse.Composite(GrpcSettings.RESPONSES, Map.of("responses", List.of(items)));
  }

  static MockResponse.Structured msg(String key, Object value) {
    return new MockResponse.Structured(Map.of(key, value));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> request(MockRequest r) {
    return (Map<String, Object>) r.extras().get("request");
  }

  static Struct struct(String key, double n) {
    return Struct.newBuilder().putFields(key, Value.newBuilder().setNumberValue(n).build()).build();
  }

  private MockServer server(MockDefinitionBuilder builder) throws Exception {
    return resources.server(builder.build(), context);
  }

  private MockServer typed(MockDefinitionBuilder builder) throws Exception {
    return resources.server(inSpecDir(builder.config("descriptors", "all_upstreams.pb").build()), context);
  }

  /** What a stream observer saw: the messages and how the call ended (null: OK). */
  static final class Seen<T> implements StreamObserver<T> {
    final List<T> messages = new CopyOnWriteArrayList<>();
    final BlockingQueue<T> queue = new ArrayBlockingQueue<>(100_000);
    final CompletableFuture<Status> ended = new CompletableFuture<>();

    @Override
    public void onNext(T value) {
      messages.add(value);
      queue.add(value);
    }

    @Override
    public void onError(Throwable t) {
      ended.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      ended.complete(Status.OK);
    }

    Status status() throws Exception {
      return ended.get(10, TimeUnit.SECONDS);
    }

    T next() throws InterruptedException {
      T value = queue.poll(10, TimeUnit.SECONDS);
      assertThat(value).as("a message within 10s").isNotNull();
      return value;
    }
  }

  private List<MockEvent> events(String op) {
    return context.recorded(op);
  }

  /** The call's closing event, once it is recorded. */
  private MockEvent closing(String op) {
    return context.awaitOp(op, Duration.ofSeconds(10));
  }

  // ---- untyped ----------------------------------------------------------------------------

  @Test
  void untypedServerStreamingSendsTheScriptInOrderThenOk() throws Exception {
    MockServer server = server(mock("flags", "grpc", 0).route(FLAGS + "Subscribe",
        script(0, null, Map.of("n", 1), Map.of("n", 2), Map.of("n", 3))));
    var stub = FlagsGrpc.newBlockingStub(resources.channel(server)).withDeadlineAfter(10, TimeUnit.SECONDS);
    List<Double> got = new ArrayList<>();
    stub.subscribe(struct("q", 1)).forEachRemaining(s -> got.add(s.getFieldsOrThrow("n").getNumberValue()));
    assertThat(got).containsExactly(1.0, 2.0, 3.0);

    MockEvent ok = closing("ok");
    assertThat(ok.fields()).containsEntry("method", FLAGS + "Subscribe").containsEntry("code", "OK")
        .containsEntry("messages_in", 1).containsEntry("messages_out", 3).containsEntry("route", FLAGS + "Subscribe");
    assertThat(events("recv")).singleElement().satisfies(e ->
        assertThat(e.fields()).containsEntry("index", 0).containsEntry("method", FLAGS + "Subscribe"));
    assertThat(events("send")).extracting(e -> e.fields().get("index")).containsExactly(0, 1, 2);
    // Each frame's event comes before the close's.
    assertThat(context.recorded().get(context.recorded().size() - 1).op()).isEqualTo("ok");
  }

  @Test
  void theScriptsStatusEndsTheStreamAfterTheLastMessage() throws Exception {
    MockServer server = server(mock("flags", "grpc", 0).route(FLAGS + "Subscribe",
        script(20, new MockResponse.Status("ABORTED", "feed closed"), Map.of("n", 1), Map.of("n", 2))));
    Seen<Struct> seen = new Seen<>();
    FlagsGrpc.newStub(resources.channel(server)).withDeadlineAfter(10, TimeUnit.SECONDS)
        .subscribe(struct("q", 1), seen);
    Status status = seen.status();
    assertThat(status.getCode()).isEqualTo(Status.Code.ABORTED);
    assertThat(status.getDescription()).isEqualTo("feed closed");
    assertThat(seen.messages).hasSize(2);
    assertThat(closing("error").fields()).containsEntry("code", "ABORTED").containsEntry("messages_out", 2);
  }

  @Test
  void untypedClientStreamingCollectsEveryMessage() throws Exception {
    List<Object> seenByHandler = new CopyOnWriteArrayList<>();
    MockServer server = server(mock("flags", "grpc", 0).route(FLAGS + "Upload", collect(r -> {
      List<?> requests = (List<?>) r.extras().get("requests");
      seenByHandler.addAll(requests);
      return CompletableFuture.completedFuture(msg("count", (long) requests.size()));
    })));
    Seen<Struct> seen = new Seen<>();
    StreamObserver<Struct> up = FlagsGrpc.newStub(resources.channel(server)).withDeadlineAfter(10, TimeUnit.SECONDS)
        .upload(seen);
    up.onNext(struct("n", 1));
    up.onNext(struct("n", 2));
    up.onCompleted();
    assertThat(seen.status().getCode()).isEqualTo(Status.Code.OK);
    assertThat(seen.messages).singleElement()
        .satisfies(s -> assertThat(s.getFieldsOrThrow("count").getNumberValue()).isEqualTo(2.0));
    assertThat(seenByHandler).containsExactly(Map.of("n", 1.0), Map.of("n", 2.0));
    assertThat(closing("ok").fields()).containsEntry("messages_in", 2).containsEntry("messages_out", 1);
    assertThat(events("recv")).extracting(e -> e.fields().get("index")).containsExactly(0, 1);
  }

  @Test
  void twoClientMessagesToAFixedRouteAreAnsweredAtTheHalfClose() throws Exception {
    MockServer server = server(mock("flags", "grpc", 0).route("/**", msg("variant", "B")));
    Seen<Struct> seen = new Seen<>();
    StreamObserver<Struct> up = FlagsGrpc.newStub(resources.channel(server)).withDeadlineAfter(10, TimeUnit.SECONDS)
        .upload(seen);
    up.onNext(struct("n", 1));
    up.onNext(struct("n", 2));
    up.onCompleted();
    assertThat(seen.status().getCode()).isEqualTo(Status.Code.OK);
    assertThat(seen.messages).singleElement()
        .satisfies(s -> assertThat(s.getFieldsOrThrow("variant").getStringValue()).isEqualTo("B"));
    assertThat(closing("ok").fields()).containsEntry("messages_in", 2).containsEntry("messages_out", 1);
  }

  @Test
  void untypedBidiPingPongWithAPerMessageHandler() throws Exception {
    MockServer server = server(mock("flags", "grpc", 0).route(FLAGS + "Watch", perMessage(r ->
        CompletableFuture.completedFuture(msg("echo", request(r).get("n"))))));
    Seen<Struct> seen = new Seen<>();
    StreamObserver<Struct> chat = FlagsGrpc.newStub(resources.channel(server)).withDeadlineAfter(10, TimeUnit.SECONDS)
        .watch(seen);
    for (int i = 0; i < 5; i++) {
      chat.onNext(struct("n", i));
      // The client waits for each answer before it sends the next: no half-close, no batching.
      assertThat(seen.next().getFieldsOrThrow("echo").getNumberValue()).isEqualTo(i);
    }
    chat.onCompleted();
    assertThat(seen.status().getCode()).isEqualTo(Status.Code.OK);
    assertThat(closing("ok").fields()).containsEntry("messages_in", 5).containsEntry("messages_out", 5);
  }

  @Test
  void aPlainHandlerStreamsOnceTheClientSendsASecondMessage() throws Exception {
    MockServer server = server(mock("flags", "grpc", 0).route(FLAGS + "Watch", dynamic(r -> {
      Object n = request(r).get("n");
      return CompletableFuture.completedFuture(responses(msg("a", n), msg("b", n)));
    })));
    Seen<Struct> seen = new Seen<>();
    StreamObserver<Struct> chat = FlagsGrpc.newStub(resources.channel(server)).withDeadlineAfter(10, TimeUnit.SECONDS)
        .watch(seen);
    chat.onNext(struct("n", 1));
    chat.onNext(struct("n", 2));
    chat.onCompleted();
    assertThat(seen.status().getCode()).isEqualTo(Status.Code.OK);
    assertThat(seen.messages).hasSize(4);
    assertThat(closing("ok").fields()).containsEntry("messages_in", 2).containsEntry("messages_out", 4);
  }

  @Test
  void aUnaryCallIsRecordedAsBefore() throws Exception {
    MockServer server = server(mock("flags", "grpc", 0).route("/**", msg("variant", "B")));
    var stub = FlagsGrpc.newBlockingStub(resources.channel(server)).withDeadlineAfter(10, TimeUnit.SECONDS);
    assertThat(stub.get(struct("n", 1)).getFieldsOrThrow("variant").getStringValue()).isEqualTo("B");
    assertThat(context.recorded()).singleElement().satisfies(e -> {
      assertThat(e.op()).isEqualTo("ok");
      assertThat(e.fields()).doesNotContainKeys("messages_in", "messages_out");
    });
  }

  // ---- typed ------------------------------------------------------------------------------

  private MockServer ticker() throws Exception {
    return typed(mock("ticker", "grpc", 0)
        .route(TICKER + "Last", msg("seq", 7L))
        .route(TICKER + "Watch", script(0, null, Map.of("symbol", "A", "seq", 1), Map.of("symbol", "A", "seq", 2)))
        .route(TICKER + "Record", collect(r -> {
          double total = 0;
          for (Object t : (List<?>) r.extras().get("requests")) {
            total += (Double) ((Map<?, ?>) t).get("price");
          }
          Map<String, Object> summary = Map.of("count", (long) ((List<?>) r.extras().get("requests")).size(), "total", total);
          return CompletableFuture.completedFuture(new MockResponse.Structured(summary));
        }))
        .route(TICKER + "Chat", dynamic(r -> {
          long seq = (Long) request(r).get("seq");
          return CompletableFuture.completedFuture(seq < 0
              ? new MockResponse.Status("OUT_OF_RANGE", "negative seq")
              : responses(msg("seq", seq * 10)));
        })));
  }

  @Test
  void typedServerStreaming() throws Exception {
    var stub = TickerGrpc.newBlockingStub(resources.channel(ticker())).withDeadlineAfter(10, TimeUnit.SECONDS);
    List<Long> seqs = new ArrayList<>();
    stub.watch(TickRequest.newBuilder().setSymbol("A").build()).forEachRemaining(t -> seqs.add(t.getSeq()));
    assertThat(seqs).containsExactly(1L, 2L);
    assertThat(stub.last(TickRequest.getDefaultInstance()).getSeq()).isEqualTo(7);
  }

  @Test
  void typedClientStreamingDecodesEveryMessage() throws Exception {
    Seen<Summary> seen = new Seen<>();
    StreamObserver<Tick> up = TickerGrpc.newStub(resources.channel(ticker())).withDeadlineAfter(10, TimeUnit.SECONDS)
        .record(seen);
    up.onNext(Tick.newBuilder().setPrice(1.5).build());
    up.onNext(Tick.newBuilder().setPrice(2.5).build());
    up.onNext(Tick.newBuilder().setPrice(3).build());
    up.onCompleted();
    assertThat(seen.status().getCode()).isEqualTo(Status.Code.OK);
    assertThat(seen.messages).singleElement().satisfies(s -> {
      assertThat(s.getCount()).isEqualTo(3);
      assertThat(s.getTotal()).isEqualTo(7.0);
    });
  }

  @Test
  void typedBidiAnswersEachMessageAndAnErrorEndsTheCall() throws Exception {
    Seen<Tick> seen = new Seen<>();
    StreamObserver<Tick> chat = TickerGrpc.newStub(resources.channel(ticker())).withDeadlineAfter(10, TimeUnit.SECONDS)
        .chat(seen);
    chat.onNext(Tick.newBuilder().setSeq(1).build());
    assertThat(seen.next().getSeq()).isEqualTo(10);
    chat.onNext(Tick.newBuilder().setSeq(2).build());
    assertThat(seen.next().getSeq()).isEqualTo(20);
    chat.onNext(Tick.newBuilder().setSeq(-1).build());
    Status status = seen.status();
    assertThat(status.getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
    assertThat(status.getDescription()).isEqualTo("negative seq");
    assertThat(closing("error").fields()).containsEntry("messages_in", 3).containsEntry("messages_out", 2)
        .containsEntry("code", "OUT_OF_RANGE");
  }

  @Test
  void typedBidiWithAScriptAnswersEachMessageWithTheNext() throws Exception {
    MockServer server = typed(mock("ticker", "grpc", 0).route(TICKER + "Chat",
        script(0, null, Map.of("seq", 1), Map.of("seq", 2))));
    Seen<Tick> seen = new Seen<>();
    StreamObserver<Tick> chat = TickerGrpc.newStub(resources.channel(server)).withDeadlineAfter(10, TimeUnit.SECONDS)
        .chat(seen);
    chat.onNext(Tick.getDefaultInstance());
    assertThat(seen.next().getSeq()).isEqualTo(1);
    chat.onNext(Tick.getDefaultInstance());
    assertThat(seen.next().getSeq()).isEqualTo(2);
    chat.onNext(Tick.getDefaultInstance()); // past the script: no answer
    chat.onCompleted();
    assertThat(seen.status().getCode()).isEqualTo(Status.Code.OK);
    assertThat(seen.messages).hasSize(2);
    assertThat(closing("ok").fields()).containsEntry("messages_in", 3).containsEntry("messages_out", 2);
  }

  @Test
  void aReplyThatDoesNotFitTheMethodsKindFailsAtLoad() {
    GrpcProtocol protocol = new GrpcProtocol();
    MockDefinition collectOnUnary = inSpecDir(mock("ticker", "grpc", 0).config("descriptors", "all_upstreams.pb")
        .route(TICKER + "Last", collect(r -> null)).build());
    assertThatThrownBy(() -> protocol.prepare(collectOnUnary)).isInstanceOf(InvalidMockException.class)
        .hasMessageContaining("grpc.collect() answers a client-streaming method")
        .hasMessageContaining("ticker.v1.Ticker/Last is unary");
    MockDefinition streamOnClientStreaming = inSpecDir(mock("ticker", "grpc", 0).config("descriptors", "all_upstreams.pb")
        .route(TICKER + "Record", script(0, null, Map.of("count", 1))).build());
    assertThatThrownBy(() -> protocol.prepare(streamOnClientStreaming)).isInstanceOf(InvalidMockException.class)
        .hasMessageContaining("grpc.stream() answers a server- or bidi-streaming method")
        .hasMessageContaining("use grpc.collect(fn)");
    MockDefinition dynamicOnClientStreaming = inSpecDir(mock("ticker", "grpc", 0).config("descriptors", "all_upstreams.pb")
        .route(TICKER + "Record", dynamic(r -> null)).build());
    assertThatThrownBy(() -> protocol.prepare(dynamicOnClientStreaming)).isInstanceOf(InvalidMockException.class)
        .hasMessageContaining("use grpc.collect(fn)");
    MockDefinition badMessage = inSpecDir(mock("ticker", "grpc", 0).config("descriptors", "all_upstreams.pb")
        .route(TICKER + "Watch", script(0, null, Map.of("seq", 1), Map.of("sqe", 2))).build());
    assertThatThrownBy(() -> protocol.prepare(badMessage)).isInstanceOf(InvalidMockException.class)
        .hasMessageContaining("message 1").hasMessageContaining("unknown field \"sqe\"");
  }

  @Test
  void aClientMessageThatIsNotTheInputTypeEndsTheStreamWithInvalidArgument() throws Exception {
    MockServer server = ticker();
    // A Struct is not a ticker.v1.Tick: field 1 of a Tick is a string, of a Struct a map entry.
    io.grpc.MethodDescriptor<Struct, Struct> chat = io.grpc.MethodDescriptor.<Struct, Struct>newBuilder()
        .setType(io.grpc.MethodDescriptor.MethodType.BIDI_STREAMING).setFullMethodName("ticker.v1.Ticker/Chat")
        .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(Struct.getDefaultInstance()))
        .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(Struct.getDefaultInstance())).build();
    ManagedChannel channel = resources.channel(server);
    Seen<Struct> seen = new Seen<>();
    StreamObserver<Struct> requests = io.grpc.stub.ClientCalls.asyncBidiStreamingCall(
        channel.newCall(chat, io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS)), seen);
    Struct notATick = Struct.newBuilder().putFields("k", Value.newBuilder().setListValue(
        com.google.protobuf.ListValue.newBuilder().addValues(Value.newBuilder().setNumberValue(1))).build()).build();
    requests.onNext(notATick);
    Status status = seen.status();
    requests.onCompleted();
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("not a ticker.v1.Tick");
    assertThat(closing("error").fields()).containsEntry("code", "INVALID_ARGUMENT").containsKey("error");
    assertThat(context.warnings()).isEmpty();
    // The mock keeps serving.
    assertThat(TickerGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .last(TickRequest.getDefaultInstance()).getSeq()).isEqualTo(7);
  }

  @Test
  void aBidiClientCancelsMidStream() throws Exception {
    Seen<Tick> seen = new Seen<>();
    var cancellable = Context.current().withCancellation();
    StreamObserver<Tick> chat = cancellable.call(() ->
        TickerGrpc.newStub(resources.channel(ticker())).withDeadlineAfter(10, TimeUnit.SECONDS).chat(seen));
    chat.onNext(Tick.newBuilder().setSeq(1).build());
    assertThat(seen.next().getSeq()).isEqualTo(10);
    cancellable.cancel(null);
    assertThat(seen.status().getCode()).isEqualTo(Status.Code.CANCELLED);
    assertThat(closing("error").fields()).containsEntry("code", "CANCELLED").containsEntry("messages_in", 1)
        .containsEntry("messages_out", 1);
  }

  @Test
  void aGlobsStreamOnAUnaryMethodOfTheSetIsInternalWithTheReason() throws Exception {
    MockServer server = typed(mock("ticker", "grpc", 0).route("/ticker.v1.Ticker/*", script(0, null, Map.of("seq", 1))));
    var channel = resources.channel(server);
    assertThatThrownBy(() -> TickerGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .last(TickRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
          assertThat(e.getStatus().getDescription()).contains("grpc.stream() answers a server- or bidi-streaming method");
        });
    // The streaming method the glob fits is served.
    List<Tick> ticks = new ArrayList<>();
    TickerGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).watch(TickRequest.getDefaultInstance())
        .forEachRemaining(ticks::add);
    assertThat(ticks).extracting(Tick::getSeq).containsExactly(1L);
    assertThat(context.warnings()).isEmpty();
  }

  // ---- the client ends it, or nothing ends it ---------------------------------------------

  @Test
  void theClientCancelsMidStreamAndTheMockKeepsServing() throws Exception {
    MockServer server = server(mock("flags", "grpc", 0)
        .route(FLAGS + "Subscribe", script(200, null, Map.of("n", 1), Map.of("n", 2), Map.of("n", 3), Map.of("n", 4)))
        .route(FLAGS + "Get", msg("variant", "B")));
    ManagedChannel channel = resources.channel(server);
    Context.CancellableContext cancellable = Context.current().withCancellation();
    Iterator<Struct> it = cancellable.call(() -> FlagsGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .subscribe(struct("q", 1)));
    assertThat(it.next().getFieldsOrThrow("n").getNumberValue()).isEqualTo(1.0);
    cancellable.cancel(null);
    MockEvent error = closing("error");
    assertThat(error.fields()).containsEntry("code", "CANCELLED").containsEntry("messages_in", 1);
    assertThat((Integer) error.fields().get("messages_out")).isBetween(1, 2);
    Thread.sleep(500); // the script's timer would have sent more by now
    assertThat(events("send").size()).isLessThanOrEqualTo(2);
    assertThat(FlagsGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).get(struct("n", 1))
        .getFieldsOrThrow("variant").getStringValue()).isEqualTo("B");
  }

  @Test
  void aDeadlineMidStreamEndsIt() throws Exception {
    MockServer server = server(mock("flags", "grpc", 0)
        .route(FLAGS + "Subscribe", script(300, null, Map.of("n", 1), Map.of("n", 2), Map.of("n", 3))));
    Seen<Struct> seen = new Seen<>();
    FlagsGrpc.newStub(resources.channel(server)).withDeadlineAfter(450, TimeUnit.MILLISECONDS)
        .subscribe(struct("q", 1), seen);
    assertThat(seen.status().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(seen.messages).isNotEmpty().hasSizeLessThan(3);
    assertThat(closing("error").fields()).containsEntry("messages_in", 1);
  }

  @Test
  void aStreamThatNeverHalfClosesEndsAtTheIdleLimit() throws Exception {
    MockServer server = server(mock("flags", "grpc", 0).config(GrpcSettings.STREAM_IDLE_TIMEOUT_MS, 300L)
        .route(FLAGS + "Watch", perMessage(r -> CompletableFuture.completedFuture(msg("ok", true)))));
    Seen<Struct> seen = new Seen<>();
    StreamObserver<Struct> chat = FlagsGrpc.newStub(resources.channel(server)).withDeadlineAfter(30, TimeUnit.SECONDS)
        .watch(seen);
    chat.onNext(struct("n", 1));
    Status status = seen.status();
    assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(status.getDescription()).contains("stream_idle_timeout_ms");
    assertThat(closing("error").fields()).containsEntry("messages_in", 1).containsEntry("messages_out", 1)
        .containsKey("error");
    assertThat(context.warnings()).isEmpty();
  }

  @Test
  void tenThousandMessagesToACollectRouteAreCutOffAtTheLimit() throws Exception {
    MockServer server = server(mock("flags", "grpc", 0)
        .route(FLAGS + "Upload", collect(r -> CompletableFuture.completedFuture(msg("n", 1L))))
        .route(FLAGS + "Get", msg("variant", "B")));
    ManagedChannel channel = resources.channel(server);
    Seen<Struct> seen = new Seen<>();
    StreamObserver<Struct> up = FlagsGrpc.newStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS).upload(seen);
    for (int i = 0; i < 10_000 && !seen.ended.isDone(); i++) {
      up.onNext(struct("n", i));
    }
    up.onCompleted();
    Status status = seen.status();
    assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(status.getDescription()).contains("max_stream_messages");
    MockEvent error = closing("error");
    assertThat(error.fields()).containsEntry("messages_in", GrpcSettings.DEFAULT_MAX_STREAM_MESSAGES + 1)
        .containsEntry("code", "RESOURCE_EXHAUSTED");
    assertThat(events("recv")).hasSize(GrpcSettings.DEFAULT_MAX_STREAM_MESSAGES);
    assertThat(FlagsGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).get(struct("n", 1))
        .getFieldsOrThrow("variant").getStringValue()).isEqualTo("B");
    assertThat(context.warnings()).isEmpty();
  }

  // ---- faults -----------------------------------------------------------------------------

  @Test
  void aFaultStatusEndsAStreamBeforeItsFirstMessage() throws Exception {
    context.setFaultGate(probe -> new FaultDecision(FaultDecision.Action.ERROR, Duration.ZERO, 14, "injected",
        Optional.of("down")));
    Seen<Tick> seen = new Seen<>();
    TickerGrpc.newStub(resources.channel(ticker())).withDeadlineAfter(10, TimeUnit.SECONDS)
        .watch(TickRequest.getDefaultInstance(), seen);
    assertThat(seen.status().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(seen.messages).isEmpty();
    assertThat(closing("error").fields()).containsEntry("fault", "down").containsEntry("messages_out", 0);
  }

  private static Map<String, Object> n(int i) {
    return Map.of("n", i);
  }

  private Seen<Struct> subscribe(FaultDecision decision) throws Exception {
    context.setFaultGate(probe -> probe.op().endsWith("/Subscribe") ? decision : FaultDecision.PASS);
    MockServer server = server(mock("flags", "grpc", 0)
        .route(FLAGS + "Subscribe", script(0, null, n(1), n(2), n(3), n(4)))
        .route(FLAGS + "Watch", dynamic(r -> CompletableFuture.completedFuture(responses(msg("a", 1L), msg("b", 2L))))));
    Seen<Struct> seen = new Seen<>();
    FlagsGrpc.newStub(resources.channel(server)).withDeadlineAfter(10, TimeUnit.SECONDS).subscribe(struct("q", 1), seen);
    return seen;
  }

  @Test
  void anErrorAfterTwoMessagesEndsTheStreamWithItsStatus() throws Exception {
    Seen<Struct> seen = subscribe(new FaultDecision(FaultDecision.Action.ERROR, Duration.ZERO, 8, "quota",
        Optional.of("cut"), Map.of(Codes.AFTER, 2)));
    Status status = seen.status();
    assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(status.getDescription()).isEqualTo("quota");
    assertThat(seen.messages).hasSize(2);
    assertThat(closing("error").fields()).containsEntry("fault", "cut").containsEntry("messages_out", 2)
        .containsEntry("code", "RESOURCE_EXHAUSTED");
    assertThat(events("send")).hasSize(2);
  }

  @Test
  void aDropAfterOneMessageCutsTheStream() throws Exception {
    Seen<Struct> seen = subscribe(new FaultDecision(FaultDecision.Action.DROP, Duration.ZERO, 0, "",
        Optional.of("gone"), Map.of(Codes.AFTER, 1)));
    assertThat(seen.status().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(seen.messages).hasSize(1);
    assertThat(closing("error").fields()).containsEntry("fault", "gone").containsEntry("messages_out", 1);
  }

  @Test
  void anErrorAfterMoreMessagesThanTheStreamHasEndsItAtTheEnd() throws Exception {
    Seen<Struct> seen = subscribe(new FaultDecision(FaultDecision.Action.ERROR, Duration.ZERO, 14, "late",
        Optional.of("late"), Map.of(Codes.AFTER, 10)));
    assertThat(seen.status().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(seen.messages).hasSize(4);
  }

  @Test
  void aPerMessageDelayHoldsEveryMessage() throws Exception {
    Seen<Struct> seen = subscribe(new FaultDecision(FaultDecision.Action.PASS, Duration.ofMillis(100), 0, "",
        Optional.of("slow"), Map.of(Codes.PER_MESSAGE, true)));
    long started = System.nanoTime();
    assertThat(seen.status().getCode()).isEqualTo(Status.Code.OK);
    assertThat(seen.messages).hasSize(4);
    // Four messages, each held 100 ms: at least 400 ms in all (a lower bound, not a speed).
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(350);
    assertThat(closing("ok").fields()).containsEntry("fault", "slow").containsEntry("messages_out", 4);
  }

  @Test
  void aPerMessageDelayHoldsAHandlersMessagesToo() throws Exception {
    context.setFaultGate(probe -> new FaultDecision(FaultDecision.Action.PASS, Duration.ofMillis(100), 0, "",
        Optional.of("slow"), Map.of(Codes.PER_MESSAGE, true)));
    MockServer server = server(mock("flags", "grpc", 0)
        .route(FLAGS + "Watch", dynamic(r -> CompletableFuture.completedFuture(responses(msg("a", 1L), msg("b", 2L))))));
    Seen<Struct> seen = new Seen<>();
    long started = System.nanoTime();
    StreamObserver<Struct> chat = FlagsGrpc.newStub(resources.channel(server)).withDeadlineAfter(10, TimeUnit.SECONDS)
        .watch(seen);
    chat.onNext(struct("n", 1));
    chat.onNext(struct("n", 2));
    chat.onCompleted();
    assertThat(seen.status().getCode()).isEqualTo(Status.Code.OK);
    assertThat(seen.messages).hasSize(4);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(350);
  }

  @Test
  void aFaultDelayHoldsTheStreamsFirstMessage() throws Exception {
    context.setFaultGate(probe -> new FaultDecision(FaultDecision.Action.PASS, Duration.ofMillis(300), 0, "",
        Optional.of("slow")));
    var stub = TickerGrpc.newBlockingStub(resources.channel(ticker())).withDeadlineAfter(10, TimeUnit.SECONDS);
    long started = System.nanoTime();
    List<Tick> ticks = new ArrayList<>();
    stub.watch(TickRequest.getDefaultInstance()).forEachRemaining(ticks::add);
    assertThat(ticks).hasSize(2);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(280);
    assertThat(closing("ok").fields()).containsEntry("fault", "slow");
  }
}
