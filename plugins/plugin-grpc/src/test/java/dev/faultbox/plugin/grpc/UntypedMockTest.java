package dev.faultbox.plugin.grpc;

import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.faultbox.plugin.grpc.test.flags.FlagsGrpc;
import dev.faultbox.spi.MockEvent;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.MockServer;
import dev.faultbox.testkit.RecordingContext;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Untyped mocks: Struct replies, the flags example from the reference, route precedence. */
class UntypedMockTest {

  private final TestSupport.Resources resources = new TestSupport.Resources();

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  private MockServer flags(RecordingContext context) throws Exception {
    return resources.server(mock("flags", "grpc", 0)
        .route("/flags.v1.Flags/Get", new MockResponse.Structured(Map.of("enabled", true, "variant", "B")))
        .route("/flags.v1.Flags/List", new MockResponse.Structured(Map.of(
            "flags", List.of(Map.of("name", "rollout", "enabled", true, "percent", 25L)))))
        .route("/flags.v1.Flags/Fail", new MockResponse.Status("14", "backend down"))
        .build(), context);
  }

  @Test
  void flagsExample() throws Exception {
    RecordingContext context = new RecordingContext();
    MockServer server = flags(context);
    var stub = FlagsGrpc.newBlockingStub(resources.channel(server)).withDeadlineAfter(10, TimeUnit.SECONDS);

    Struct flag = stub.get(Struct.getDefaultInstance());
    assertThat(flag.getFieldsOrThrow("variant").getStringValue()).isEqualTo("B");
    assertThat(flag.getFieldsOrThrow("enabled").getBoolValue()).isTrue();

    Struct list = stub.list(Struct.getDefaultInstance());
    Struct rollout = list.getFieldsOrThrow("flags").getListValue().getValues(0).getStructValue();
    assertThat(rollout.getFieldsOrThrow("name").getStringValue()).isEqualTo("rollout");
    assertThat(rollout.getFieldsOrThrow("percent").getNumberValue()).isEqualTo(25.0);

    assertThatThrownBy(() -> stub.fail(Struct.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
          assertThat(e.getStatus().getDescription()).isEqualTo("backend down");
        });
    assertThatThrownBy(() -> stub.missing(Struct.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
          assertThat(e.getStatus().getDescription()).isEqualTo("no route for /flags.v1.Flags/Missing");
        });

    // events().where(service="flags", method="/flags.v1.Flags/Get") finds them.
    List<MockEvent> get = context.recorded().stream()
        .filter(e -> e.service().equals("flags") && "/flags.v1.Flags/Get".equals(e.fields().get("method")))
        .toList();
    assertThat(get).singleElement().satisfies(e -> {
      assertThat(e.op()).isEqualTo("ok");
      assertThat(e.fields()).containsEntry("code", "OK").containsKeys("resp_size", "req_size", "duration_ms");
    });
    assertThat(context.recorded("error").get(0).fields())
        .containsEntry("method", "/flags.v1.Flags/Fail")
        .containsEntry("code", "UNAVAILABLE")
        .containsEntry("message", "backend down");
    assertThat(context.recorded("unmatched").get(0).fields())
        .containsEntry("method", "/flags.v1.Flags/Missing")
        .containsEntry("code", "UNIMPLEMENTED");
  }

  @Test
  void mostSpecificRouteWinsThenDeclarationOrder() throws Exception {
    MockServer server = resources.server(mock("flags", "grpc", 0)
        .route("/**", new MockResponse.Structured(Map.of("from", "all")))
        .route("/flags.v1.Flags/*", new MockResponse.Structured(Map.of("from", "service")))
        .route("/flags.v1.Flags/Get", new MockResponse.Structured(Map.of("from", "exact")))
        .build(), new RecordingContext());
    ManagedChannel channel = resources.channel(server);
    var stub = FlagsGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    assertThat(stub.get(Struct.getDefaultInstance()).getFieldsOrThrow("from").getStringValue()).isEqualTo("exact");
    assertThat(stub.list(Struct.getDefaultInstance()).getFieldsOrThrow("from").getStringValue()).isEqualTo("service");
    Struct other = ClientCalls.blockingUnaryCall(channel, structMethod("other.v2.Thing/Do"),
        io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), Struct.getDefaultInstance());
    assertThat(other.getFieldsOrThrow("from").getStringValue()).isEqualTo("all");
  }

  @Test
  void defaultAnswersUnmatchedMethods() throws Exception {
    RecordingContext context = new RecordingContext();
    MockServer server = resources.server(mock("flags", "grpc", 0)
        .route("/flags.v1.Flags/Get", new MockResponse.Structured(Map.of("variant", "A")))
        .defaultResponse(new MockResponse.Status("5", "no such flag"))
        .build(), context);
    var stub = FlagsGrpc.newBlockingStub(resources.channel(server)).withDeadlineAfter(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> stub.list(Struct.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
          assertThat(e.getStatus().getDescription()).isEqualTo("no such flag");
        });
    assertThat(context.recorded("error").get(0).fields()).containsEntry("route", "default");
  }

  @Test
  void rawBytesAndNumbersAndNulls() throws Exception {
    Struct raw = Struct.newBuilder().putFields("raw", Value.newBuilder().setStringValue("yes").build()).build();
    java.util.Map<String, Object> odd = new java.util.LinkedHashMap<>();
    odd.put("pi", 3.5);
    odd.put("big", 1L << 40);
    odd.put("nothing", null);
    odd.put("nested", Map.of("list", List.of(1L, "two", false)));
    MockServer server = resources.server(mock("flags", "grpc", 0)
        .route("/flags.v1.Flags/Get", new MockResponse.Static(0, Map.of(), raw.toByteArray(), Optional.empty()))
        .route("/flags.v1.Flags/List", new MockResponse.Structured(odd))
        .build(), new RecordingContext());
    var stub = FlagsGrpc.newBlockingStub(resources.channel(server)).withDeadlineAfter(10, TimeUnit.SECONDS);
    assertThat(stub.get(Struct.getDefaultInstance())).isEqualTo(raw);
    Struct list = stub.list(Struct.getDefaultInstance());
    assertThat(list.getFieldsOrThrow("pi").getNumberValue()).isEqualTo(3.5);
    assertThat(list.getFieldsOrThrow("big").getNumberValue()).isEqualTo((double) (1L << 40));
    assertThat(list.getFieldsOrThrow("nothing").hasNullValue()).isTrue();
    assertThat(list.getFieldsOrThrow("nested").getStructValue().getFieldsOrThrow("list").getListValue().getValuesCount())
        .isEqualTo(3);
  }

  static io.grpc.MethodDescriptor<Struct, Struct> structMethod(String fullName) {
    return io.grpc.MethodDescriptor.<Struct, Struct>newBuilder()
        .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(fullName)
        .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(Struct.getDefaultInstance()))
        .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(Struct.getDefaultInstance()))
        .build();
  }
}
