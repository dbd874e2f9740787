package dev.faultbox.plugin.grpc;

import static dev.faultbox.plugin.grpc.TestSupport.GEO;
import static dev.faultbox.plugin.grpc.TestSupport.inSpecDir;
import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.testkit.MockDefinitionBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Load-time errors: one line each, naming what is wrong. */
class ValidationTest {

  private final GrpcProtocol protocol = new GrpcProtocol();

  private static MockDefinitionBuilder typed() {
    return mock("geo-config", "grpc", 9001).config("descriptors", "all_upstreams.pb");
  }

  private String error(MockDefinition definition) {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> protocol.prepare(definition));
    assertThat(t).isInstanceOf(InvalidMockException.class);
    assertThat(t.getMessage()).doesNotContain("\n");
    return t.getMessage();
  }

  @Test
  void badRouteKeys() {
    for (String key : List.of("GetCity", "/pkg.Svc", "/pkg.Svc/", "pkg.Svc/M", "/pkg.Svc/M/x", "/*", "/pkg.Svc/**", "/pkg.Svc/Ge*")) {
      assertThat(error(mock("flags", "grpc", 1).route(key, new MockResponse.Status("14", "x")).build()))
          .isEqualTo("route \"" + key + "\": not a gRPC method; use \"/pkg.Service/Method\", \"/pkg.Service/*\" "
              + "(any method of the service) or \"/**\" (any method)");
    }
    assertThatCode(() -> protocol.prepare(mock("flags", "grpc", 1)
        .route("/Greeter/SayHello", new MockResponse.Status("0", ""))
        .route("/a.b.C/*", new MockResponse.Status("0", ""))
        .route("/**", new MockResponse.Status("0", "")).build())).doesNotThrowAnyException();
  }

  @Test
  void unknownConfigKeyAndBadValues() {
    assertThat(error(mock("flags", "grpc", 1).config("max_body_bytes", 5L).build()))
        .isEqualTo("grpc mock config has no key \"max_body_bytes\"; accepted: descriptors, import_paths, max_message_bytes, "
            + "protos, stream_idle_timeout_ms, max_stream_messages");
    assertThat(error(mock("flags", "grpc", 1).config("max_message_bytes", "big").build()))
        .isEqualTo("grpc mock config \"max_message_bytes\" must be an int, got str");
    assertThat(error(mock("flags", "grpc", 1).config("max_message_bytes", 0L).build()))
        .contains("must be in 1..");
    assertThat(error(mock("flags", "grpc", 1).config("descriptors", 3L).build()))
        .contains("\"descriptors\" must be a non-empty str");
    assertThat(error(mock("flags", "http", 1).build())).isEqualTo("the grpc plugin serves grpc, not \"http\"");
  }

  @Test
  void messageThatCannotBeAStruct() {
    assertThat(error(mock("flags", "grpc", 1)
        .route("/flags.v1.Flags/Get", new MockResponse.Structured(Map.of("blob", Map.of("data", new byte[] {1}))))
        .build()))
        .isEqualTo("route \"/flags.v1.Flags/Get\": a bytes value at \"blob.data\" cannot be a google.protobuf.Struct "
            + "value (use str, int, float, bool, None, list or dict)");
  }

  @Test
  void missingAndCorruptSets(@TempDir Path dir) throws Exception {
    String missing = error(inSpecDir(typed().config("descriptors", "nope/missing.pb").build(), dir));
    assertThat(missing).isEqualTo("descriptors \"" + dir.toAbsolutePath().resolve("nope/missing.pb") + "\": no such file");

    Files.writeString(dir.resolve("corrupt.pb"), "this is not a descriptor set at all, just text\n");
    assertThat(error(inSpecDir(typed().config("descriptors", "corrupt.pb").build(), dir)))
        .startsWith("descriptors \"" + dir.toAbsolutePath().resolve("corrupt.pb") + "\": not a protoc FileDescriptorSet");

    Files.write(dir.resolve("empty.pb"), new byte[0]);
    assertThat(error(inSpecDir(typed().config("descriptors", "empty.pb").build(), dir)))
        .contains("empty.pb\": not a protoc FileDescriptorSet (the file is empty)");

    Files.write(dir.resolve("junk.pb"), new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01, 0x02});
    assertThat(error(inSpecDir(typed().config("descriptors", "junk.pb").build(), dir)))
        .contains("junk.pb\": not a protoc FileDescriptorSet");
  }

  @Test
  void unknownServiceAndMethod() {
    assertThat(error(inSpecDir(typed().route(GEO + "NoSuch", new MockResponse.Status("5", "")).build())))
        .isEqualTo("route \"" + GEO + "NoSuch\": method \"NoSuch\" not found on service "
            + "\"inDriver.geo_config.GeoConfigService\" (available: GetCity, ListCountries, AdminUpdate)");
    assertThat(error(inSpecDir(typed().route("/x.Y/Get", new MockResponse.Status("5", "")).build())))
        .startsWith("route \"/x.Y/Get\": service \"x.Y\" not found in "
            + TestSupport.DESCRIPTORS.toAbsolutePath().normalize().resolve("all_upstreams.pb"));
    assertThat(error(inSpecDir(typed().route("/x.Y/*", new MockResponse.Status("5", "")).build())))
        .contains("service \"x.Y\" not found in");
  }

  @Test
  void fieldTypoWithDidYouMean() {
    assertThat(error(inSpecDir(typed()
        .route(GEO + "GetCity", new MockResponse.Structured(Map.of("cityid", 5L))).build())))
        .isEqualTo("route \"" + GEO + "GetCity\": unknown field \"cityid\" in inDriver.geo_config.City "
            + "(did you mean \"city_id\"?)");
    assertThat(error(inSpecDir(typed()
        .route(GEO + "GetCity", new MockResponse.Structured(Map.of("center", Map.of("latt", 1.0)))).build())))
        .isEqualTo("route \"" + GEO + "GetCity\": unknown field \"latt\" in inDriver.geo_config.Coordinates "
            + "(did you mean \"lat\"?)");
    assertThat(error(inSpecDir(typed()
        .route(GEO + "ListCountries", new MockResponse.Structured(Map.of("countries", List.of(Map.of("kode", "KZ"))))).build())))
        .isEqualTo("route \"" + GEO + "ListCountries\": unknown field \"kode\" in inDriver.geo_config.Country "
            + "(did you mean \"code\"?)");
    for (String typo : List.of("nam", "nmae")) { // a transposition is one edit, as a dropped letter is
      assertThat(error(inSpecDir(typed().route(GEO + "GetCity", new MockResponse.Structured(Map.of(typo, "x"))).build())))
          .isEqualTo("route \"" + GEO + "GetCity\": unknown field \"" + typo + "\" in inDriver.geo_config.City "
              + "(did you mean \"name\"?)");
    }
  }

  @Test
  void statusCodesByNameInAnyCaseOrNumber() {
    assertThatCode(() -> protocol.prepare(mock("flags", "grpc", 1)
        .route("/a.B/Upper", new MockResponse.Status("UNAVAILABLE", ""))
        .route("/a.B/Lower", new MockResponse.Status("unavailable", ""))
        .route("/a.B/Number", new MockResponse.Status("14", ""))
        .route("/a.B/Ok", new MockResponse.Status("0", "")).build())).doesNotThrowAnyException();
    assertThat(error(mock("flags", "grpc", 1).route("/a.B/C", new MockResponse.Status("UNAVAILBLE", "")).build()))
        .isEqualTo("route \"/a.B/C\": unknown gRPC code \"UNAVAILBLE\" (did you mean \"UNAVAILABLE\"?); use one of "
            + String.join(", ", Codes.NAMES));
    assertThat(error(mock("flags", "grpc", 1).route("/a.B/C", new MockResponse.Status("17", "")).build()))
        .isEqualTo("route \"/a.B/C\": gRPC code 17 is not in 0..16");
    assertThat(error(mock("flags", "grpc", 1).defaultResponse(new MockResponse.Status("-1", "")).build()))
        .isEqualTo("default: gRPC code -1 is not in 0..16");
  }

  @Test
  void jsonAndTextResponsesAreNotGrpcReplies() {
    for (String type : List.of("application/json", "text/plain; charset=utf-8")) {
      MockResponse body = new MockResponse.Static(200, Map.of(), "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
          java.util.Optional.of(type));
      assertThat(error(mock("flags", "grpc", 1).route("/flags.v1.Flags/Get", body).build()))
          .isEqualTo("route \"/flags.v1.Flags/Get\": json_response and text_response are not gRPC replies (their body is "
              + type + "); use grpc_response(body = {...}), grpc_error(code = ...) or grpc_raw_response(bytes)");
    }
    // bytes_response: the encoded message itself.
    assertThatCode(() -> protocol.prepare(mock("flags", "grpc", 1)
        .route("/flags.v1.Flags/Get", MockDefinitionBuilder.body(new byte[] {8, 7})).build())).doesNotThrowAnyException();
  }

  @Test
  void wrongValueTypes() {
    assertThat(error(inSpecDir(typed()
        .route(GEO + "GetCity", new MockResponse.Structured(Map.of("id", "forty-two"))).build())))
        .startsWith("route \"" + GEO + "GetCity\": cannot encode as inDriver.geo_config.City: ");
    assertThat(error(inSpecDir(typed()
        .route(GEO + "GetCity", new MockResponse.Structured(Map.of("kind", "CITY_KIND_VILLAGE"))).build())))
        .startsWith("route \"" + GEO + "GetCity\": cannot encode as inDriver.geo_config.City: ")
        .contains("CITY_KIND_VILLAGE");
    assertThat(error(inSpecDir(typed()
        .route(GEO + "GetCity", new MockResponse.Structured(Map.of("updated_at", "yesterday"))).build())))
        .contains("cannot encode as inDriver.geo_config.City");
  }

  @Test
  void setWithoutImportsStillResolves() {
    assertThatCode(() -> protocol.prepare(inSpecDir(mock("geo-config", "grpc", 1)
        .config("descriptors", "no_imports.pb")
        .route(GEO + "GetCity", new MockResponse.Structured(Map.of("updated_at", "2024-01-01T00:00:00Z")))
        .build()))).doesNotThrowAnyException();
  }

  @Test
  void setMissingAnImportNamesIt(@TempDir Path dir) throws Exception {
    // user.proto alone: its import of geo_config.proto is not in the set.
    var full = com.google.protobuf.DescriptorProtos.FileDescriptorSet.parseFrom(
        Files.readAllBytes(TestSupport.DESCRIPTORS.resolve("all_upstreams.pb")));
    var partial = com.google.protobuf.DescriptorProtos.FileDescriptorSet.newBuilder();
    full.getFileList().stream().filter(f -> f.getName().equals("inDriver/user/user.proto")).forEach(partial::addFile);
    Files.write(dir.resolve("user_only.pb"), partial.build().toByteArray());
    assertThat(error(inSpecDir(mock("users", "grpc", 1).config("descriptors", "user_only.pb").build(), dir)))
        .contains("imports \"inDriver/geo_config/geo_config.proto\", which the set does not hold");
  }

  @Test
  void globMessageMustFitSomeMethod() {
    assertThat(error(inSpecDir(typed()
        .route("/inDriver.geo_config.GeoConfigService/*", new MockResponse.Structured(Map.of("zzz", 1L))).build())))
        .startsWith("route \"/inDriver.geo_config.GeoConfigService/*\": the reply fits none of the methods it covers");
  }
}
