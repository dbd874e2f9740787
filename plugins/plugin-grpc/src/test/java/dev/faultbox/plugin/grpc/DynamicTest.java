package dev.faultbox.plugin.grpc;

import static dev.faultbox.plugin.grpc.TestSupport.GEO;
import static dev.faultbox.plugin.grpc.TestSupport.inSpecDir;
import static dev.faultbox.testkit.MockDefinitionBuilder.dynamic;
import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.faultbox.plugin.grpc.test.flags.FlagsGrpc;
import dev.faultbox.plugin.grpc.test.geo.City;
import dev.faultbox.plugin.grpc.test.geo.GeoConfigServiceGrpc;
import dev.faultbox.plugin.grpc.test.geo.GetCityRequest;
import dev.faultbox.spi.DynamicHandler;
import dev.faultbox.spi.DynamicHandlerException;
import dev.faultbox.spi.MockRequest;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.MockServer;
import dev.faultbox.testkit.RecordingContext;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Dynamic handlers: decoded requests and metadata in, replies encoded when the stage completes. */
class DynamicTest {

  private final TestSupport.Resources resources = new TestSupport.Resources();
  /** Handlers complete on another thread, as the kernel's executor does. */
  private static final Executor ELSEWHERE = CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS);

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  private MockServer geo(DynamicHandler handler, RecordingContext context) throws Exception {
    return resources.server(inSpecDir(mock("geo-config", "grpc", 0)
        .config("descriptors", "all_upstreams.pb")
        .route(GEO + "GetCity", dynamic(handler))
        .build()), context);
  }

  private static GeoConfigServiceGrpc.GeoConfigServiceBlockingStub stub(io.grpc.Channel channel, String tenant) {
    Metadata metadata = new Metadata();
    metadata.put(Metadata.Key.of("x-tenant", Metadata.ASCII_STRING_MARSHALLER), tenant);
    return GeoConfigServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Test
  void typedHandlerSeesDecodedRequestAndMetadata() throws Exception {
    ConcurrentLinkedQueue<MockRequest> seen = new ConcurrentLinkedQueue<>();
    MockServer server = geo(request -> {
      seen.add(request);
      @SuppressWarnings("unchecked")
      Map<String, Object> decoded = (Map<String, Object>) request.extras().get("request");
      return CompletableFuture.supplyAsync(() -> new MockResponse.Structured(Map.of(
          "id", decoded.get("id"), "name", "city-" + decoded.get("locale"))), ELSEWHERE);
    }, new RecordingContext());

    City city = stub(resources.channel(server), "kz")
        .getCity(GetCityRequest.newBuilder().setId(77).setLocale("ru").build());

    assertThat(city.getId()).isEqualTo(77);
    assertThat(city.getName()).isEqualTo("city-ru");
    MockRequest request = seen.poll();
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo(GEO + "GetCity");
    assertThat(request.query()).isEmpty();
    assertThat(request.headers()).containsEntry("x-tenant", "kz");
    assertThat(request.extras().get("metadata")).isEqualTo(request.headers());
    assertThat(request.extras().get("request")).isEqualTo(Map.of("id", 77L, "locale", "ru"));
    assertThat(new String(request.body(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"77\",\"locale\":\"ru\"}");
  }

  @Test
  void untypedHandlerSeesAStruct() throws Exception {
    ConcurrentLinkedQueue<MockRequest> seen = new ConcurrentLinkedQueue<>();
    MockServer server = resources.server(mock("flags", "grpc", 0)
        .route("/flags.v1.Flags/*", dynamic(request -> {
          seen.add(request);
          return CompletableFuture.completedFuture(new MockResponse.Structured(Map.of("echo", request.path())));
        }))
        .build(), new RecordingContext());
    Struct reply = FlagsGrpc.newBlockingStub(resources.channel(server)).withDeadlineAfter(10, TimeUnit.SECONDS)
        .get(Struct.newBuilder().putFields("flag", Value.newBuilder().setStringValue("rollout").build()).build());
    assertThat(reply.getFieldsOrThrow("echo").getStringValue()).isEqualTo("/flags.v1.Flags/Get");
    assertThat(seen.poll().extras().get("request")).isEqualTo(Map.of("flag", "rollout"));
  }

  @Test
  void handlerStatusAndRawReplies() throws Exception {
    MockServer server = geo(request -> {
      @SuppressWarnings("unchecked")
      long id = (Long) ((Map<String, Object>) request.extras().get("request")).get("id");
      MockResponse response = id == 1
          ? new MockResponse.Status("not_found", "city 1 not found") // resolved per call: any case
          : new MockResponse.Static(0, Map.of(), City.newBuilder().setName("raw").build().toByteArray(), java.util.Optional.empty());
      return CompletableFuture.supplyAsync(() -> response, ELSEWHERE);
    }, new RecordingContext());
    var stub = stub(resources.channel(server), "t");
    assertThatThrownBy(() -> stub.getCity(GetCityRequest.newBuilder().setId(1).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
          assertThat(e.getStatus().getDescription()).isEqualTo("city 1 not found");
        });
    assertThat(stub.getCity(GetCityRequest.newBuilder().setId(2).build()).getName()).isEqualTo("raw");
  }

  @Test
  void replyThatDoesNotFitIsInternalWithAnErrorEvent() throws Exception {
    RecordingContext context = new RecordingContext();
    MockServer server = geo(request -> CompletableFuture.completedFuture(
        new MockResponse.Structured(Map.of("cityid", 5L))), context);
    assertThatThrownBy(() -> stub(resources.channel(server), "t").getCity(GetCityRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
          assertThat(e.getStatus().getDescription()).isEqualTo("encode reply for " + GEO
              + "GetCity: unknown field \"cityid\" in inDriver.geo_config.City (did you mean \"city_id\"?)");
        });
    assertThat(context.recorded("error").get(0).fields())
        .containsEntry("code", "INTERNAL")
        .containsEntry("method", GEO + "GetCity")
        .hasEntrySatisfying("error", error -> assertThat((String) error).contains("cityid"));
  }

  @Test
  void unknownCodeAndJsonRepliesAreInternalWithAnErrorEvent() throws Exception {
    RecordingContext context = new RecordingContext();
    MockServer server = geo(request -> {
      @SuppressWarnings("unchecked")
      long id = (Long) ((Map<String, Object>) request.extras().get("request")).get("id");
      return CompletableFuture.completedFuture(id == 1
          ? new MockResponse.Status("UNAVAILBLE", "typo")
          : new MockResponse.Static(200, Map.of(), "{}".getBytes(StandardCharsets.UTF_8), java.util.Optional.of("application/json")));
    }, context);
    var stub = stub(resources.channel(server), "t");
    for (long id : new long[] {1, 2}) {
      assertThatThrownBy(() -> stub.getCity(GetCityRequest.newBuilder().setId(id).build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL));
    }
    var errors = context.recorded("error");
    assertThat(errors).hasSize(2).allSatisfy(e -> assertThat(e.fields()).containsEntry("code", "INTERNAL"));
    assertThat(errors.get(0).fields()).containsEntry("error", "dynamic handler answered unknown gRPC code \"UNAVAILBLE\" "
        + "(did you mean \"UNAVAILABLE\"?); use one of " + String.join(", ", Codes.NAMES));
    assertThat((String) errors.get(1).fields().get("error"))
        .startsWith("dynamic handler answered: json_response and text_response are not gRPC replies (their body is application/json)");
  }

  @Test
  void failedHandlerIsInternalWithItsMessage() throws Exception {
    RecordingContext context = new RecordingContext();
    MockServer server = geo(request -> CompletableFuture.supplyAsync(() -> {
      throw new DynamicHandlerException("spec.star:12:5: key \"nope\" not found in dict");
    }, ELSEWHERE), context);
    assertThatThrownBy(() -> stub(resources.channel(server), "t").getCity(GetCityRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
          assertThat(e.getStatus().getDescription()).isEqualTo("spec.star:12:5: key \"nope\" not found in dict");
        });
    assertThat(context.recorded("error").get(0).fields())
        .containsEntry("error", "spec.star:12:5: key \"nope\" not found in dict");
  }

  @Test
  void handlerThrowingAtOnceIsInternal() throws Exception {
    MockServer server = geo(request -> {
      throw new DynamicHandlerException("boom");
    }, new RecordingContext());
    assertThatThrownBy(() -> stub(resources.channel(server), "t").getCity(GetCityRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getDescription()).isEqualTo("boom"));
  }
}
