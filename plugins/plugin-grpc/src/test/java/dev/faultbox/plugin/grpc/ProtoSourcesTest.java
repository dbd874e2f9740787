package dev.faultbox.plugin.grpc;

import static dev.faultbox.plugin.grpc.TestSupport.GEO;
import static dev.faultbox.plugin.grpc.TestSupport.USER;
import static dev.faultbox.plugin.grpc.TestSupport.inSpecDir;
import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import dev.faultbox.plugin.grpc.test.geo.City;
import dev.faultbox.plugin.grpc.test.geo.GeoConfigServiceGrpc;
import dev.faultbox.plugin.grpc.test.geo.GetCityRequest;
import dev.faultbox.plugin.grpc.test.user.GetUserRequest;
import dev.faultbox.plugin.grpc.test.user.User;
import dev.faultbox.plugin.grpc.test.user.UserServiceGrpc;
import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.MockServer;
import dev.faultbox.testkit.MockDefinitionBuilder;
import dev.faultbox.testkit.RecordingContext;
import io.grpc.ManagedChannel;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Typed mocks from {@code .proto} sources ({@code protos = [...]}), compiled at load by the bundled
 * protoc: real stubs against them, reflection, the load errors and the compile cache.
 */
class ProtoSourcesTest {

  @TempDir Path dir;

  private final TestSupport.Resources resources = new TestSupport.Resources();
  private final GrpcProtocol protocol = new GrpcProtocol();

  /** The fixtures' protos, as a user keeps them beside the spec: proto/inDriver/... */
  @BeforeEach
  void copyFixtureProtos() throws Exception {
    for (String name : List.of("inDriver/geo_config/geo_config.proto", "inDriver/user/user.proto")) {
      Path target = dir.resolve("proto").resolve(name);
      Files.createDirectories(target.getParent());
      try (InputStream in = getClass().getClassLoader().getResourceAsStream(name)) {
        Files.copy(in, target);
      }
    }
  }

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  private MockDefinitionBuilder fromSources(String name) {
    return mock(name, "grpc", 0)
        .config("protos", List.of("./proto/**/*.proto"))
        .config("import_paths", List.of("./proto"));
  }

  private String error(MockDefinition definition) {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> protocol.prepare(inSpecDir(definition, dir)));
    assertThat(t).isInstanceOf(InvalidMockException.class);
    assertThat(t.getMessage()).doesNotContain("\n");
    return t.getMessage();
  }

  private void write(String name, String source) throws Exception {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, source);
  }

  @Test
  void stubsCallAMockCompiledFromSourcesWithAnImportAndAWellKnownType() throws Exception {
    MockServer server = resources.server(inSpecDir(fromSources("upstreams")
        .route(GEO + "GetCity", new MockResponse.Structured(TypedMockTest.almaty()))
        .route(USER + "GetUser", new MockResponse.Structured(Map.of(
            "user_id", "u1", "display_name", "Aigerim", "home_city", Map.of("id", 42, "name", "Almaty"))))
        .build(), dir), new RecordingContext());
    ManagedChannel channel = resources.channel(server);

    City city = GeoConfigServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .getCity(GetCityRequest.newBuilder().setId(1).build());
    assertThat(city.getName()).isEqualTo("Almaty");
    assertThat(city.getLabelsMap()).containsEntry("tz", "Asia/Almaty");
    assertThat(city.getUpdatedAt()).isEqualTo(Timestamp.newBuilder().setSeconds(1714557600L).build());

    // user.proto imports geo_config.proto: the nested City is the imported type.
    User user = UserServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .getUser(GetUserRequest.newBuilder().setUserId("u1").build());
    assertThat(user.getDisplayName()).isEqualTo("Aigerim");
    assertThat(user.getHomeCity().getId()).isEqualTo(42);
    assertThat(user.getHomeCity().getName()).isEqualTo("Almaty");
  }

  @Test
  void reflectionListsTheCompiledServices() throws Exception {
    MockServer server = resources.server(inSpecDir(fromSources("upstreams")
        .route(GEO + "GetCity", new MockResponse.Structured(Map.of("name", "Almaty")))
        .build(), dir), new RecordingContext());
    ManagedChannel channel = resources.channel(server);

    CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
        .serverReflectionInfo(new StreamObserver<>() {
          @Override
          public void onNext(ServerReflectionResponse value) {
            answer.complete(value);
          }

          @Override
          public void onError(Throwable t) {
            answer.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            answer.completeExceptionally(new AssertionError("no response"));
          }
        });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    requests.onCompleted();

    assertThat(answer.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList())
        .extracting(ServiceResponse::getName)
        .contains("inDriver.geo_config.GeoConfigService", "inDriver.user.UserService");
  }

  @Test
  void commonGoogleProtosImportWithoutBeingSupplied() throws Exception {
    write("api/status.proto", """
        syntax = "proto3";
        package st.v1;
        import "google/rpc/status.proto";
        import "google/type/money.proto";
        import "google/protobuf/empty.proto";
        service Checks {
          rpc Last(google.protobuf.Empty) returns (Report);
        }
        message Report {
          google.rpc.Status status = 1;
          google.type.Money cost = 2;
        }
        """);
    Schema schema = ProtoSources.load(dir, List.of("api/status.proto"), List.of("api"));
    assertThat(schema.services()).containsOnlyKeys("st.v1.Checks");
    assertThat(schema.method("/st.v1.Checks/Last").getOutputType().findFieldByName("cost").getMessageType()
        .getFullName()).isEqualTo("google.type.Money");
  }

  @Test
  void aSyntaxErrorNamesTheProtoFileLineAndColumn() throws Exception {
    write("proto/broken/broken.proto", """
        syntax = "proto3";
        package broken;
        message A { int32 a = 1 }
        """);
    assertThat(error(mock("m", "grpc", 0).config("protos", List.of("proto/broken/broken.proto"))
        .config("import_paths", List.of("proto")).build()))
        .isEqualTo("protos: proto/broken/broken.proto:3:25: Expected \";\"");
  }

  @Test
  void anUnknownTypeNamesTheProtoFileLineAndColumn() throws Exception {
    write("proto/geo.proto", """
        syntax = "proto3";
        package geo;
        message City {
          Cty parent = 1;
        }
        """);
    assertThat(error(mock("geo", "grpc", 0).config("protos", List.of("./proto/geo.proto"))
        .config("import_paths", List.of("./proto")).build()))
        .isEqualTo("protos: proto/geo.proto:4:3: \"Cty\" is not defined");
  }

  @Test
  void aMissingImportNamesTheImportingLineAndWhereItLooked() throws Exception {
    write("proto/geo.proto", """
        syntax = "proto3";
        package geo;
        import "geo/common.proto";
        message City {
          string name = 1;
        }
        """);
    assertThat(error(mock("geo", "grpc", 0).config("protos", List.of("./proto/geo.proto"))
        .config("import_paths", List.of("./proto")).build()))
        .isEqualTo("protos: proto/geo.proto:3:1: Import \"geo/common.proto\" was not found or had errors "
            + "(import_paths: proto, then the bundled google/protobuf, google/rpc, google/type and google/api protos)");
  }

  @Test
  void badPatternsAndPathsFailWithWhatTheyNamed() throws Exception {
    assertThat(error(mock("m", "grpc", 0).config("protos", List.of("./none/**/*.proto")).build()))
        .isEqualTo("protos \"./none/**/*.proto\" matches no file (looked in none, which does not exist)");
    assertThat(error(mock("m", "grpc", 0).config("protos", List.of("./proto/**/*.protoo")).build()))
        .isEqualTo("protos \"./proto/**/*.protoo\" matches no file (looked in proto)");
    assertThat(error(mock("m", "grpc", 0).config("protos", List.of("proto/nope.proto")).build()))
        .isEqualTo("protos \"proto/nope.proto\": no such file (proto/nope.proto)");
    assertThat(error(fromSources("m").config("import_paths", List.of("./include")).build()))
        .isEqualTo("import_paths \"./include\": no such directory (include)");
    assertThat(error(mock("m", "grpc", 0).config("protos", List.of("./proto/**/*.proto"))
        .config("import_paths", List.of("./proto/inDriver/user")).build()))
        .isEqualTo("protos: proto/inDriver/geo_config/geo_config.proto is not under any of import_paths "
            + "(proto/inDriver/user); add the directory its imports are relative to");
    assertThat(error(mock("m", "grpc", 0).config("protos", List.of()).build()))
        .startsWith("grpc mock config \"protos\" is empty");
    assertThat(error(mock("m", "grpc", 0).config("protos", List.of(3L)).build()))
        .startsWith("grpc mock config \"protos\" must list non-empty strs");
    assertThat(error(fromSources("m").config("descriptors", "all_upstreams.pb").build()))
        .isEqualTo("grpc mock config has both \"descriptors\" and \"protos\"; use one: protos compiles .proto "
            + "sources, descriptors reads a set protoc already built");
    assertThat(error(mock("m", "grpc", 0).config("import_paths", List.of("proto")).build()))
        .isEqualTo("grpc mock config \"import_paths\" needs \"protos\" (the .proto files to compile)");
  }

  @Test
  void aRouteNotInTheProtosIsRefusedNamingThem() throws Exception {
    assertThat(error(fromSources("m").route("/inDriver.geo_config.GeoService/GetCity",
        new MockResponse.Structured(Map.of("name", "x"))).build()))
        .isEqualTo("route \"/inDriver.geo_config.GeoService/GetCity\": service \"inDriver.geo_config.GeoService\" "
            + "not found in protos [\"./proto/**/*.proto\"] (available: inDriver.geo_config.GeoConfigService, "
            + "inDriver.user.UserService)");
  }

  @Test
  void theSameSourcesCompileOnceAndAnEditedImportCompilesAgain() throws Exception {
    MockDefinition definition = inSpecDir(fromSources("upstreams")
        .route(GEO + "GetCity", new MockResponse.Structured(Map.of("name", "Almaty"))).build(), dir);
    int before = ProtoSources.COMPILES.get();
    protocol.prepare(definition);
    assertThat(ProtoSources.COMPILES.get()).isEqualTo(before + 1);
    protocol.prepare(definition);
    new GrpcProtocol().prepare(inSpecDir(fromSources("other-mock").build(), dir));
    assertThat(ProtoSources.COMPILES.get()).as("loaded again: cached").isEqualTo(before + 1);
    Path sub = Files.createDirectories(dir.resolve("specs/sub"));
    Schema fromSub = ProtoSources.load(sub, List.of("../../proto/**/*.proto"), List.of("../../proto"));
    assertThat(ProtoSources.COMPILES.get()).as("a spec elsewhere naming the same protos").isEqualTo(before + 1);
    assertThat(fromSub.origin()).isEqualTo("protos [\"../../proto/**/*.proto\"]");

    // Only user.proto is the input; geo_config.proto is read through its import.
    List<String> onlyUser = List.of("proto/inDriver/user/user.proto");
    ProtoSources.load(dir, onlyUser, List.of("proto"));
    assertThat(ProtoSources.COMPILES.get()).isEqualTo(before + 2);
    ProtoSources.load(dir, onlyUser, List.of("proto"));
    assertThat(ProtoSources.COMPILES.get()).isEqualTo(before + 2);
    Path imported = dir.resolve("proto/inDriver/geo_config/geo_config.proto");
    Files.writeString(imported, Files.readString(imported).replace("string locale = 2;", "string locale = 2;\n  bool x = 3;"));
    Schema edited = ProtoSources.load(dir, onlyUser, List.of("proto"));
    assertThat(ProtoSources.COMPILES.get()).as("an imported file changed").isEqualTo(before + 3);
    assertThat(edited.method(GEO + "GetCity").getInputType().findFieldByName("x")).isNotNull();
  }

  @Test
  void anotherPlatformIsRefusedSayingWhatToDo() throws Exception {
    assertThat(Protoc.platform()).as("this machine and CI").isEqualTo("linux-x86_64");
    try (InputStream in = Protoc.bundled("linux-x86_64")) {
      assertThat(in.readNBytes(4)).containsExactly(0x7f, 'E', 'L', 'F');
    }
    Throwable refused = org.assertj.core.api.Assertions.catchThrowable(() -> Protoc.bundled("osx-aarch_64"));
    assertThat(refused).isInstanceOf(InvalidMockException.class).hasMessage(
        "protos: the grpc plugin bundles no protoc for osx-aarch_64 (only linux-x86_64); set FAULTBOX_PROTOC (or "
            + "-Dfaultbox.protoc) to a protoc executable, or build a set with protoc --include_imports "
            + "--descriptor_set_out=... and give descriptors = instead");
  }
}
