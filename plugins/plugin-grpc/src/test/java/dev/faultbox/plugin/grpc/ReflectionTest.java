package dev.faultbox.plugin.grpc;

import static dev.faultbox.plugin.grpc.TestSupport.GEO;
import static dev.faultbox.plugin.grpc.TestSupport.inSpecDir;
import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import dev.faultbox.spi.Endpoint;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.MockServer;
import dev.faultbox.spi.StepResult;
import dev.faultbox.testkit.RecordingContext;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Server reflection, v1 and v1alpha, through grpc-java's reflection stubs. */
class ReflectionTest {

  private final TestSupport.Resources resources = new TestSupport.Resources();

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  private MockServer typed() throws Exception {
    return resources.server(inSpecDir(mock("geo-config", "grpc", 0)
        .config("descriptors", "all_upstreams.pb")
        .route(GEO + "GetCity", new MockResponse.Structured(Map.of("name", "Almaty")))
        .build()), new RecordingContext());
  }

  /** Sends one request on a reflection stream and returns the first response. */
  private static <Q, R> R ask(java.util.function.Function<StreamObserver<R>, StreamObserver<Q>> open, Q request)
      throws Exception {
    CompletableFuture<R> done = new CompletableFuture<>();
    StreamObserver<Q> requests = open.apply(new StreamObserver<>() {
      @Override
      public void onNext(R value) {
        done.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        done.completeExceptionally(new AssertionError("no response"));
      }
    });
    requests.onNext(request);
    requests.onCompleted();
    try {
      return done.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  @Test
  void streamingMethodsAreListedWithTheirKinds() throws Exception {
    ManagedChannel channel = resources.channel(typed());
    var stub = ServerReflectionGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    ServerReflectionResponse list = ask(stub::serverReflectionInfo,
        ServerReflectionRequest.newBuilder().setListServices("*").build());
    assertThat(list.getListServicesResponse().getServiceList()).extracting(ServiceResponse::getName)
        .contains("ticker.v1.Ticker");
    ServerReflectionResponse file = ask(stub::serverReflectionInfo,
        ServerReflectionRequest.newBuilder().setFileContainingSymbol("ticker.v1.Ticker").build());
    FileDescriptorProto proto = FileDescriptorProto.parseFrom(file.getFileDescriptorResponse().getFileDescriptorProto(0));
    assertThat(proto.getName()).isEqualTo("ticker/v1/ticker.proto");
    assertThat(proto.getService(0).getMethodList())
        .extracting(m -> m.getName() + ":" + m.getClientStreaming() + ":" + m.getServerStreaming())
        .containsExactly("Last:false:false", "Watch:false:true", "Record:true:false", "Chat:true:true");
  }

  @Test
  void v1ListsServicesAndDescribesThem() throws Exception {
    ManagedChannel channel = resources.channel(typed());
    var stub = ServerReflectionGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);

    ServerReflectionResponse list = ask(stub::serverReflectionInfo,
        ServerReflectionRequest.newBuilder().setListServices("*").build());
    assertThat(list.getListServicesResponse().getServiceList()).extracting(ServiceResponse::getName)
        .contains("inDriver.geo_config.GeoConfigService", "inDriver.user.UserService",
            "grpc.reflection.v1.ServerReflection");

    ServerReflectionResponse file = ask(stub::serverReflectionInfo,
        ServerReflectionRequest.newBuilder().setFileContainingSymbol("inDriver.geo_config.GeoConfigService").build());
    List<String> names = new ArrayList<>();
    for (ByteString bytes : file.getFileDescriptorResponse().getFileDescriptorProtoList()) {
      FileDescriptorProto proto = FileDescriptorProto.parseFrom(bytes);
      names.add(proto.getName());
      if (proto.getName().equals("inDriver/geo_config/geo_config.proto")) {
        assertThat(proto.getService(0).getMethodList()).extracting(m -> m.getName())
            .containsExactly("GetCity", "ListCountries", "AdminUpdate");
      }
    }
    assertThat(names).contains("inDriver/geo_config/geo_config.proto", "google/protobuf/timestamp.proto");

    ServerReflectionResponse message = ask(stub::serverReflectionInfo,
        ServerReflectionRequest.newBuilder().setFileContainingSymbol("inDriver.geo_config.City").build());
    assertThat(message.hasFileDescriptorResponse()).isTrue();
  }

  @Test
  @SuppressWarnings("deprecation")
  void v1alphaListsServicesToo() throws Exception {
    ManagedChannel channel = resources.channel(typed());
    var stub = io.grpc.reflection.v1alpha.ServerReflectionGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    io.grpc.reflection.v1alpha.ServerReflectionResponse list = ask(stub::serverReflectionInfo,
        io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder().setListServices("*").build());
    assertThat(list.getListServicesResponse().getServiceList())
        .extracting(io.grpc.reflection.v1alpha.ServiceResponse::getName)
        .contains("inDriver.geo_config.GeoConfigService", "inDriver.user.UserService");
    io.grpc.reflection.v1alpha.ServerReflectionResponse file = ask(stub::serverReflectionInfo,
        io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder()
            .setFileContainingSymbol("inDriver.user.UserService").build());
    assertThat(FileDescriptorProto.parseFrom(file.getFileDescriptorResponse().getFileDescriptorProto(0)).getName())
        .isEqualTo("inDriver/user/user.proto");
  }

  @Test
  void untypedMockServesNoReflectionAndRecordsTheProbe() throws Exception {
    RecordingContext context = new RecordingContext();
    MockServer server = resources.server(mock("flags", "grpc", 0)
        .route("/flags.v1.Flags/Get", new MockResponse.Structured(Map.of("variant", "B")))
        .build(), context);
    // As grpcurl asks: the stream stays open for more questions, so the answer cannot wait for its end.
    CompletableFuture<Throwable> ended = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(resources.channel(server))
        .withDeadlineAfter(10, TimeUnit.SECONDS).serverReflectionInfo(new StreamObserver<>() {
          @Override
          public void onNext(ServerReflectionResponse value) {
            ended.complete(new AssertionError("an answer: " + value));
          }

          @Override
          public void onError(Throwable t) {
            ended.complete(t);
          }

          @Override
          public void onCompleted() {
            ended.complete(new AssertionError("completed"));
          }
        });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("*").build());
    assertThat(ended.get(5, TimeUnit.SECONDS)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
      assertThat(e.getStatus().getDescription()).isEqualTo("no reflection: this mock has no descriptors");
    });
    assertThat(context.recorded()).singleElement().satisfies(event -> {
      assertThat(event.op()).isEqualTo("unmatched");
      assertThat(event.fields()).containsEntry("method", "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo")
          .containsEntry("code", "UNIMPLEMENTED");
    });

    // The call step probes too, before its call: the tool's own traffic, so only the call is recorded.
    context.clear();
    StepResult.Response nope = (StepResult.Response) new GrpcProtocol().steps().get("call").call(
        Endpoint.plain("flags", "main", "grpc", "127.0.0.1", server.address().getPort()),
        Map.of("method", "/flags.v1.Flags/Nope"));
    assertThat(nope.attributes()).containsEntry("code", "UNIMPLEMENTED");
    assertThat(context.recorded()).singleElement().satisfies(event -> {
      assertThat(event.op()).isEqualTo("unmatched");
      assertThat(event.fields()).containsEntry("method", "/flags.v1.Flags/Nope");
    });
  }
}
