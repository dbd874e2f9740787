package dev.faultbox.plugin.grpc;

import static dev.faultbox.plugin.grpc.TestSupport.GEO;
import static dev.faultbox.plugin.grpc.TestSupport.USER;
import static dev.faultbox.plugin.grpc.TestSupport.inSpecDir;
import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Timestamp;
import dev.faultbox.plugin.grpc.test.geo.AdminUpdateRequest;
import dev.faultbox.plugin.grpc.test.geo.City;
import dev.faultbox.plugin.grpc.test.geo.CityKind;
import dev.faultbox.plugin.grpc.test.geo.GeoConfigServiceGrpc;
import dev.faultbox.plugin.grpc.test.geo.GetCityRequest;
import dev.faultbox.plugin.grpc.test.geo.ListCountriesRequest;
import dev.faultbox.plugin.grpc.test.geo.ListCountriesResponse;
import dev.faultbox.plugin.grpc.test.user.GetUserRequest;
import dev.faultbox.plugin.grpc.test.user.User;
import dev.faultbox.plugin.grpc.test.user.UserServiceGrpc;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockEvent;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.MockServer;
import dev.faultbox.testkit.RecordingContext;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Typed mocks: generated grpc-java stubs against replies encoded with the descriptor set. */
class TypedMockTest {

  private final TestSupport.Resources resources = new TestSupport.Resources();

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  static Map<String, Object> almaty() {
    Map<String, Object> city = new LinkedHashMap<>();
    city.put("id", 42L);
    city.put("name", "Almaty");
    city.put("country", "KZ");
    city.put("currency", "KZT");
    city.put("cityId", "1001"); // lowerCamelCase spelling, int64 as a string
    city.put("center", Map.of("lat", 43.25, "lon", 76.95));
    city.put("aliases", List.of("Alma-Ata", "Verny"));
    city.put("labels", Map.of("tz", "Asia/Almaty"));
    city.put("kind", "CITY_KIND_CAPITAL");
    city.put("updated_at", "2024-05-01T10:00:00Z");
    city.put("active", true);
    city.put("districts", List.of(Map.of("lat", 1.5, "lon", 2.5), Map.of("lat", 3.0)));
    return city;
  }

  static MockDefinition geoConfig(int port) {
    return inSpecDir(mock("geo-config", "grpc", port)
        .config("descriptors", "all_upstreams.pb")
        .route(GEO + "GetCity", new MockResponse.Structured(almaty()))
        .route(GEO + "ListCountries", new MockResponse.Structured(Map.of(
            "countries", List.of(Map.of("code", "KZ", "name", "Kazakhstan"), Map.of("code", "RU", "name", "Russia")))))
        .route(GEO + "AdminUpdate", new MockResponse.Status("7", "admin only"))
        .build());
  }

  @Test
  void generatedStubDecodesEveryFieldKind() throws Exception {
    RecordingContext context = new RecordingContext();
    MockServer server = resources.server(geoConfig(0), context);
    ManagedChannel channel = resources.channel(server);
    var stub = GeoConfigServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);

    City city = stub.getCity(GetCityRequest.newBuilder().setId(1).build());

    assertThat(city.getId()).isEqualTo(42);
    assertThat(city.getName()).isEqualTo("Almaty");
    assertThat(city.getCountry()).isEqualTo("KZ");
    assertThat(city.getCurrency()).isEqualTo("KZT");
    assertThat(city.getCityId()).isEqualTo(1001);
    assertThat(city.getCenter().getLat()).isEqualTo(43.25);
    assertThat(city.getCenter().getLon()).isEqualTo(76.95);
    assertThat(city.getAliasesList()).containsExactly("Alma-Ata", "Verny");
    assertThat(city.getLabelsMap()).containsEntry("tz", "Asia/Almaty").hasSize(1);
    assertThat(city.getKind()).isEqualTo(CityKind.CITY_KIND_CAPITAL);
    assertThat(city.getUpdatedAt()).isEqualTo(Timestamp.newBuilder().setSeconds(1714557600L).build());
    assertThat(city.getActive()).isTrue();
    assertThat(city.getDistrictsCount()).isEqualTo(2);
    assertThat(city.getDistricts(1).getLat()).isEqualTo(3.0);

    ListCountriesResponse countries = stub.listCountries(ListCountriesRequest.getDefaultInstance());
    assertThat(countries.getCountriesList()).extracting(c -> c.getCode()).containsExactly("KZ", "RU");

    // Emitted before the reply: already there when the client holds it.
    List<MockEvent> ok = context.recorded("ok");
    assertThat(ok).hasSize(2);
    MockEvent first = ok.get(0);
    assertThat(first.service()).isEqualTo("geo-config");
    assertThat(first.iface()).isEqualTo("main");
    assertThat(first.fields())
        .containsEntry("method", GEO + "GetCity")
        .containsEntry("code", "OK")
        .containsEntry("resp_size", city.getSerializedSize())
        .containsEntry("req_size", GetCityRequest.newBuilder().setId(1).build().getSerializedSize())
        .containsKey("duration_ms");
  }

  @Test
  void errorEntryIsTheStatusTheClientSees() throws Exception {
    RecordingContext context = new RecordingContext();
    MockServer server = resources.server(geoConfig(0), context);
    var stub = GeoConfigServiceGrpc.newBlockingStub(resources.channel(server)).withDeadlineAfter(10, TimeUnit.SECONDS);

    assertThatThrownBy(() -> stub.adminUpdate(AdminUpdateRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
          assertThat(e.getStatus().getDescription()).isEqualTo("admin only");
        });
    MockEvent error = context.recorded("error").get(0);
    assertThat(error.fields())
        .containsEntry("method", GEO + "AdminUpdate")
        .containsEntry("code", "PERMISSION_DENIED")
        .containsEntry("message", "admin only")
        .containsEntry("req_size", 0);
  }

  @ParameterizedTest
  @CsvSource({
    "1, CANCELLED", "3, INVALID_ARGUMENT", "4, DEADLINE_EXCEEDED", "5, NOT_FOUND", "8, RESOURCE_EXHAUSTED",
    "9, FAILED_PRECONDITION", "13, INTERNAL", "14, UNAVAILABLE", "16, UNAUTHENTICATED"
  })
  void canonicalCodes(int code, String name) throws Exception {
    RecordingContext context = new RecordingContext();
    MockServer server = resources.server(inSpecDir(mock("geo-config", "grpc", 0)
        .config("descriptors", "all_upstreams.pb")
        .route(GEO + "GetCity", new MockResponse.Status(String.valueOf(code), "because " + name))
        .build()), context);
    var stub = GeoConfigServiceGrpc.newBlockingStub(resources.channel(server)).withDeadlineAfter(10, TimeUnit.SECONDS);

    assertThatThrownBy(() -> stub.getCity(GetCityRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode().name()).isEqualTo(name);
          assertThat(e.getStatus().getDescription()).isEqualTo("because " + name);
        });
    assertThat(context.recorded("error").get(0).fields()).containsEntry("code", name);
  }

  @Test
  void unroutedMethodOfTheSetIsUnimplemented() throws Exception {
    RecordingContext context = new RecordingContext();
    MockServer server = resources.server(inSpecDir(mock("geo-config", "grpc", 0)
        .config("descriptors", "all_upstreams.pb")
        .route(GEO + "GetCity", new MockResponse.Structured(Map.of("name", "Almaty")))
        .build()), context);
    var stub = GeoConfigServiceGrpc.newBlockingStub(resources.channel(server)).withDeadlineAfter(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> stub.listCountries(ListCountriesRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
          assertThat(e.getStatus().getDescription()).isEqualTo("no route for " + GEO + "ListCountries");
        });
    assertThat(context.recorded("unmatched").get(0).fields())
        .containsEntry("method", GEO + "ListCountries")
        .containsEntry("code", "UNIMPLEMENTED");
  }

  @Test
  void twoMocksShareOneDescriptorSetParsedOnce() throws Exception {
    int before = DescriptorSets.PARSES.get();
    // A fresh copy, so other tests' use of the build's set does not count.
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("faultbox-grpc-shared");
    java.nio.file.Files.copy(TestSupport.DESCRIPTORS.resolve("all_upstreams.pb"), dir.resolve("all_upstreams.pb"));
    resources.add(() -> {
      java.nio.file.Files.deleteIfExists(dir.resolve("all_upstreams.pb"));
      java.nio.file.Files.deleteIfExists(dir);
    });
    MockDefinition geo = inSpecDir(mock("geo-config", "grpc", 0)
        .config("descriptors", "./all_upstreams.pb")
        .route(GEO + "GetCity", new MockResponse.Structured(Map.of("id", 7L, "name", "Astana")))
        .build(), dir);
    MockDefinition users = inSpecDir(mock("user-service", "grpc", 0)
        .config("descriptors", "./all_upstreams.pb")
        .route(USER + "GetUser", new MockResponse.Structured(Map.of(
            "user_id", "u-1",
            "displayName", "Aigerim",
            "home_city", Map.of("city_id", 7L, "kind", 2L, "name", "Astana"))))
        .build(), dir);
    GrpcProtocol protocol = new GrpcProtocol();
    protocol.prepare(geo);
    protocol.prepare(users);
    MockServer geoServer = resources.server(geo, new RecordingContext());
    MockServer userServer = resources.server(users, new RecordingContext());
    assertThat(DescriptorSets.PARSES.get() - before).isEqualTo(1);

    City city = GeoConfigServiceGrpc.newBlockingStub(resources.channel(geoServer))
        .withDeadlineAfter(10, TimeUnit.SECONDS).getCity(GetCityRequest.getDefaultInstance());
    User user = UserServiceGrpc.newBlockingStub(resources.channel(userServer))
        .withDeadlineAfter(10, TimeUnit.SECONDS).getUser(GetUserRequest.newBuilder().setUserId("u-1").build());
    assertThat(city.getName()).isEqualTo("Astana");
    assertThat(user.getDisplayName()).isEqualTo("Aigerim");
    assertThat(user.getHomeCity().getCityId()).isEqualTo(7);
    assertThat(user.getHomeCity().getKind()).isEqualTo(CityKind.CITY_KIND_REGIONAL); // enum by number
  }

  @Test
  void startServesWhatPrepareMadeWithoutReadingTheSetAgain() throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("faultbox-grpc-prepared");
    java.nio.file.Path set = java.nio.file.Files.copy(TestSupport.DESCRIPTORS.resolve("all_upstreams.pb"), dir.resolve("set.pb"));
    GrpcProtocol protocol = new GrpcProtocol();
    var prepared = protocol.prepare(inSpecDir(mock("geo-config", "grpc", 0)
        .config("descriptors", "set.pb")
        .route(GEO + "GetCity", new MockResponse.Structured(Map.of("name", "Prepared")))
        .build(), dir));
    java.nio.file.Files.delete(set);
    java.nio.file.Files.delete(dir);
    DescriptorSets.forget();
    MockServer server = protocol.start(prepared, new RecordingContext());
    resources.add(server);
    City city = GeoConfigServiceGrpc.newBlockingStub(resources.channel(server))
        .withDeadlineAfter(10, TimeUnit.SECONDS).getCity(GetCityRequest.getDefaultInstance());
    assertThat(city.getName()).isEqualTo("Prepared");
  }

  @Test
  void setWithoutImportsResolvesWellKnownTypes() throws Exception {
    MockServer server = resources.server(inSpecDir(mock("geo-config", "grpc", 0)
        .config("descriptors", "no_imports.pb")
        .route(GEO + "GetCity", new MockResponse.Structured(Map.of("updated_at", "2024-05-01T10:00:00Z", "name", "x")))
        .build()), new RecordingContext());
    City city = GeoConfigServiceGrpc.newBlockingStub(resources.channel(server))
        .withDeadlineAfter(10, TimeUnit.SECONDS).getCity(GetCityRequest.getDefaultInstance());
    assertThat(city.getUpdatedAt().getSeconds()).isEqualTo(1714557600L);
  }

  @Test
  void rawResponseIsSentVerbatim() throws Exception {
    byte[] raw = City.newBuilder().setName("raw").setId(9).build().toByteArray();
    MockServer server = resources.server(inSpecDir(mock("geo-config", "grpc", 0)
        .config("descriptors", "all_upstreams.pb")
        .route(GEO + "GetCity", new MockResponse.Static(0, Map.of(), raw, java.util.Optional.empty()))
        .build()), new RecordingContext());
    City city = GeoConfigServiceGrpc.newBlockingStub(resources.channel(server))
        .withDeadlineAfter(10, TimeUnit.SECONDS).getCity(GetCityRequest.getDefaultInstance());
    assertThat(city.getName()).isEqualTo("raw");
    assertThat(city.getId()).isEqualTo(9);
  }

  @Test
  void serviceGlobEncodesPerMethodAndFailsOnlyWhereItDoesNotFit() throws Exception {
    RecordingContext context = new RecordingContext();
    // "name" fits City (GetCity) but not ListCountriesResponse or AdminUpdateResponse.
    MockServer server = resources.server(inSpecDir(mock("geo-config", "grpc", 0)
        .config("descriptors", "all_upstreams.pb")
        .route("/inDriver.geo_config.GeoConfigService/*", new MockResponse.Structured(Map.of("name", "Glob")))
        .build()), context);
    var stub = GeoConfigServiceGrpc.newBlockingStub(resources.channel(server)).withDeadlineAfter(10, TimeUnit.SECONDS);
    assertThat(stub.getCity(GetCityRequest.getDefaultInstance()).getName()).isEqualTo("Glob");
    assertThatThrownBy(() -> stub.listCountries(ListCountriesRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
          assertThat(e.getStatus().getDescription())
              .startsWith("encode reply for " + GEO + "ListCountries: unknown field \"name\" in inDriver.geo_config.ListCountriesResponse");
        });
    assertThat(context.recorded("error").get(0).fields()).containsKey("error");
  }

  @Test
  void bytesThatAreNotTheRequestTypeAreInvalidArgumentForStaticAndDynamicRoutesAlike() throws Exception {
    RecordingContext context = new RecordingContext();
    MockServer server = resources.server(inSpecDir(mock("geo-config", "grpc", 0)
        .config("descriptors", "all_upstreams.pb")
        .route(GEO + "GetCity", new MockResponse.Structured(Map.of("name", "Almaty")))
        .route(GEO + "ListCountries", dev.faultbox.testkit.MockDefinitionBuilder.dynamic(
            request -> java.util.concurrent.CompletableFuture.completedFuture(new MockResponse.Structured(Map.of()))))
        .build()), context);
    ManagedChannel channel = resources.channel(server);
    for (String[] method : new String[][] {{"GetCity", "GetCityRequest"}, {"ListCountries", "ListCountriesRequest"}}) {
      io.grpc.MethodDescriptor<byte[], byte[]> raw = io.grpc.MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(GEO.substring(1) + method[0])
          .setRequestMarshaller(Dispatcher.BYTES)
          .setResponseMarshaller(Dispatcher.BYTES)
          .build();
      String expected = "decode request for " + GEO + method[0] + ": not a inDriver.geo_config." + method[1] + " (";
      assertThatThrownBy(() -> io.grpc.stub.ClientCalls.blockingUnaryCall(channel, raw,
              io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), new byte[] {(byte) 0xff, 0x01}))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).startsWith(expected);
          });
    }
    assertThat(context.recorded()).hasSize(2).allSatisfy(event -> {
      assertThat(event.op()).isEqualTo("error");
      assertThat(event.fields()).containsEntry("code", "INVALID_ARGUMENT");
    });
  }
}
