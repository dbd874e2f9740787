package dev.faultbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import dev.faultbox.plugin.grpc.test.geo.City;
import dev.faultbox.plugin.grpc.test.geo.GeoConfigServiceGrpc;
import dev.faultbox.plugin.grpc.test.geo.GetCityRequest;
import dev.faultbox.kernel.plugin.PluginRegistry;
import dev.faultbox.kernel.runtime.ServiceRuntime;
import dev.faultbox.kernel.spec.SpecSession;
import dev.faultbox.kernel.spec.Stdlib;
import dev.faultbox.sut.TruckApi;
import dev.faultbox.testkit.FreePorts;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.ClientCalls;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page's gRPC examples end to end: the untyped flags mock, the typed geo-config and
 * user-service mocks sharing one descriptor set, reflection, a fault scenario, and the truck-api
 * shape with a program using compiled stubs as the system under test.
 */
class GrpcSpecTest {
  @TempDir Path dir;

  @Test
  void pageExamplesWithRealStubs() throws Exception {
    Path proto = Files.createDirectories(dir.resolve("proto"));
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("descriptors/all_upstreams.pb")) {
      Files.copy(in, proto.resolve("all_upstreams.pb"));
    }
    Path launcher = dir.resolve("truck-api.sh");
    Files.writeString(launcher, "#!/bin/sh\nexec java -cp '" + System.getProperty("java.class.path") + "' '"
        + TruckApi.class.getName() + "'\n");
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    int flagsPort = FreePorts.tcp();
    int geoPort = FreePorts.tcp();
    int userPort = FreePorts.tcp();
    int apiPort = FreePorts.tcp();
    Path spec = dir.resolve("grpc.star");
    Files.writeString(spec, """
        load("@faultbox/mocks/grpc.star", "grpc")
        load("@faultbox/recipes/grpc.star", "grpc_faults")

        flags = mock_service("flags",
            interface("main", "grpc", %1$d),
            routes = {
                "/flags.v1.Flags/Get":  grpc_response(body = {"enabled": True, "variant": "B"}),
                "/flags.v1.Flags/List": grpc_response(body = {"flags": [{"name": "rollout", "enabled": True}]}),
                "/flags.v1.Flags/Fail": grpc_error(code = "UNAVAILABLE", message = "backend down"),
            },
        )

        descriptors = "./proto/all_upstreams.pb"

        geo_config = grpc.server(
            name        = "geo-config",
            interface   = interface("main", "grpc", %2$d),
            descriptors = descriptors,
            services    = {
                "/inDriver.geo_config.GeoConfigService/GetCity": {
                    "response": {
                        "id":       42,
                        "name":     "Almaty",
                        "country":  "KZ",
                        "currency": "KZT",
                    },
                },
                "/inDriver.geo_config.GeoConfigService/ListCountries": {
                    "response": {
                        "countries": [
                            {"code": "KZ", "name": "Kazakhstan"},
                            {"code": "RU", "name": "Russia"},
                        ],
                    },
                },
                "/inDriver.geo_config.GeoConfigService/AdminUpdate": {
                    "error": {"code": "PERMISSION_DENIED", "message": "admin only"},
                },
            },
        )
        user_service = grpc.server(
            name        = "user-service",
            interface   = interface("main", "grpc", %3$d),
            descriptors = descriptors,
            services    = {"/inDriver.user.UserService/GetUser": {
                "response": {"user_id": "u1", "display_name": "Aigerim", "home_city": {"id": 42, "name": "Almaty"}},
            }},
        )

        api = service("api", "./truck-api.sh",
            interface("public", "http", %4$d),
            env = {
                "GRPC_GEO_CONFIG_ADDRESS":   geo_config.main.internal_addr,
                "GRPC_USER_SERVICE_ADDRESS": user_service.main.internal_addr,
                "PORT":                      "%4$d",
            },
            depends_on = [geo_config, user_service],
        )

        geo_unstable = fault_assumption("geo_unstable",
            target = geo_config.main,
            rules  = [grpc_faults.unavailable()],
        )

        def create_order():
            return api.public.post(path = "/order", body = {"truck": "T-1"})

        deadline_exceeded = fault_scenario("deadline_exceeded",
            scenario = create_order,
            faults   = [geo_unstable],
            expect   = lambda r: assert_eq(r.status, 504),
        )

        def test_truck_api_order():
            r = create_order()
            assert_eq(r.json, {"user": "Aigerim", "city": "Almaty", "currency": "KZT"})
            assert_eq(events().where(service = "geo-config", method = "/inDriver.geo_config.GeoConfigService/GetCity").count(), 1)
            assert_eq(events().where(service = "user-service", op = "ok").count(), 1)

        def test_steps_typed_and_untyped():
            city = geo_config.main.call(method = "/inDriver.geo_config.GeoConfigService/GetCity", body = {"id": 7})
            assert_eq([city.ok, city.code, city.json["name"], city.json["id"]], [True, "OK", "Almaty", "42"])
            denied = geo_config.main.call(method = "/inDriver.geo_config.GeoConfigService/AdminUpdate")
            assert_eq([denied.ok, denied.code, denied.message], [False, "PERMISSION_DENIED", "admin only"])
            flag = flags.main.call(method = "/flags.v1.Flags/Get", body = {"name": "rollout"})
            assert_eq(flag.json, {"enabled": True, "variant": "B"})
            down = flags.main.call(method = "/flags.v1.Flags/Fail")
            assert_eq([down.code, down.message], ["UNAVAILABLE", "backend down"])
            missing = flags.main.call(method = "/flags.v1.Flags/Nope")
            assert_eq(missing.code, "UNIMPLEMENTED")
            assert_eq(events().where(service = "flags", method = "/flags.v1.Flags/Get").count(), 1)
            assert_eq(events().where(service = "flags", op = "unmatched").count(), 1)
        """.formatted(flagsPort, geoPort, userPort, apiPort));
    Cli r = Cli.run("test", spec.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("--- PASS: test_deadline_exceeded").contains("--- PASS: test_truck_api_order")
        .contains("--- PASS: test_steps_typed_and_untyped").endsWith("3 passed, 0 failed\n");

    // While the spec's services run, compiled stubs, a Struct client and reflection see them.
    ClassLoader loader = getClass().getClassLoader();
    PluginRegistry plugins = PluginRegistry.load(loader);
    ManagedChannel geo = ManagedChannelBuilder.forAddress("127.0.0.1", geoPort).usePlaintext().build();
    ManagedChannel flags = ManagedChannelBuilder.forAddress("127.0.0.1", flagsPort).usePlaintext().build();
    try (SpecSession session = SpecSession.load(spec, "grpc.star", plugins, Stdlib.load(loader, plugins.libraries()),
            SpecSession.Options.defaults(System.out));
        ServiceRuntime services = new ServiceRuntime(session, session.freshEvents())) {
      services.start();
      City city = awaitCity(geo);
      assertThat(city.getName()).isEqualTo("Almaty");
      assertThat(city.getId()).isEqualTo(42);
      MethodDescriptor<Struct, Struct> get = MethodDescriptor.<Struct, Struct>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("flags.v1.Flags/Get")
          .setRequestMarshaller(ProtoUtils.marshaller(Struct.getDefaultInstance()))
          .setResponseMarshaller(ProtoUtils.marshaller(Struct.getDefaultInstance())).build();
      Struct flag = ClientCalls.blockingUnaryCall(flags, get, io.grpc.CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
          Struct.getDefaultInstance());
      assertThat(flag.getFieldsOrThrow("variant").getStringValue()).isEqualTo("B");
      assertThat(listServices(geo)).contains("inDriver.geo_config.GeoConfigService");
      // Browsers and Connect clients on the same port: Connect JSON and gRPC-Web over HTTP/1.1.
      java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
          .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
      java.net.http.HttpResponse<String> connect = http.send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create("http://127.0.0.1:" + geoPort + "/inDriver.geo_config.GeoConfigService/GetCity"))
          .header("content-type", "application/json").header("connect-protocol-version", "1")
          .timeout(java.time.Duration.ofSeconds(10))
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"id\": 7}")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(connect.statusCode()).isEqualTo(200);
      assertThat(connect.body()).isEqualTo("{\"id\":\"42\",\"name\":\"Almaty\",\"country\":\"KZ\",\"currency\":\"KZT\"}");
      java.net.http.HttpResponse<byte[]> web = http.send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create("http://127.0.0.1:" + flagsPort + "/flags.v1.Flags/Fail"))
          .header("content-type", "application/grpc-web+proto").timeout(java.time.Duration.ofSeconds(10))
          .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(new byte[5])).build(), // one empty message
          java.net.http.HttpResponse.BodyHandlers.ofByteArray());
      assertThat(web.body()[0]).isEqualTo((byte) 0x80);
      assertThat(new String(web.body(), 5, web.body().length - 5, java.nio.charset.StandardCharsets.US_ASCII))
          .isEqualTo("grpc-status:14\r\ngrpc-message:backend down\r\n");
    } finally {
      geo.shutdownNow();
      flags.shutdownNow();
    }
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList()).isEmpty();
  }

  @Test
  void preludeConstructorsWithoutALoad() throws Exception {
    Path spec = dir.resolve("prelude.star");
    // The raw reply is google.protobuf.Struct {"n": 1.0}: a str's characters are its bytes, \360 one byte.
    Files.writeString(spec, """
        flags = mock_service("flags",
            interface("main", "grpc", %d),
            routes = {
                "/flags.v1.Flags/Get":    grpc_response(body = {"enabled": True, "variant": "B", "n": 2}),
                "/flags.v1.Flags/Down":   grpc_error(code = "UNAVAILABLE", message = "backend down"),
                "/flags.v1.Flags/Num":    grpc_error(code = 5),
                "/flags.v1.Flags/Lower":  grpc_error("unavailable"),
                "/flags.v1.Flags/Ok":     grpc_error(code = "OK"),
                "/flags.v1.Flags/Raw":    grpc_raw_response("\\012\\016\\012\\001n\\022\\011\\021\\000\\000\\000\\000\\000\\000\\360?"),
                "/flags.v1.Flags/Bytes":  grpc_raw_response(hex_bytes("0a0e0a016e120911000000000000f03f")),
                "/flags.v1.Flags/Status": status_response(code = "not_found", message = "generic"),
                "/flags.v1.Flags/Bad":    grpc_error(code = "INVALID_ARGUMENT", message = "bad name", details = [
                    {"@type": "type.googleapis.com/google.rpc.BadRequest",
                     "field_violations": [{"field": "name", "description": "required"}]},
                ]),
            },
        )

        def call(method):
            r = flags.main.call(method = "/flags.v1.Flags/" + method)
            return [r.code, r.message]

        def test_constructors():
            assert_eq(flags.main.call(method = "/flags.v1.Flags/Get").json, {"enabled": True, "variant": "B", "n": 2})
            assert_eq(call("Down"), ["UNAVAILABLE", "backend down"])
            assert_eq(call("Num"), ["NOT_FOUND", ""])
            assert_eq(call("Lower"), ["UNAVAILABLE", ""])
            assert_eq(call("Ok"), ["OK", ""])
            assert_eq(call("Status"), ["NOT_FOUND", "generic"])
            for method in ["Raw", "Bytes"]:
                assert_eq(flags.main.call(method = "/flags.v1.Flags/" + method).json["n"], 1.0)
            bad = flags.main.call(method = "/flags.v1.Flags/Bad")
            assert_eq([bad.code, bad.message], ["INVALID_ARGUMENT", "bad name"])
            assert_true(len(bad.headers["grpc-status-details-bin"]) > 0)
            assert_eq(events().where(service = "flags", method = "/flags.v1.Flags/Bad").first().details,
                ["type.googleapis.com/google.rpc.BadRequest"])
        """.formatted(FreePorts.tcp()));
    Cli r = Cli.run("test", spec.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("--- PASS: test_constructors").endsWith("1 passed, 0 failed\n");
  }

  @Test
  void streamingMethodsFromASpec() throws Exception {
    Path proto = Files.createDirectories(dir.resolve("proto"));
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("descriptors/all_upstreams.pb")) {
      Files.copy(in, proto.resolve("all_upstreams.pb"));
    }
    Path spec = dir.resolve("streams.star");
    Files.writeString(spec, """
        load("@faultbox/mocks/grpc.star", "grpc")

        ticker = grpc.server(
            name        = "ticker",
            interface   = interface("main", "grpc", %1$d),
            descriptors = "./proto/all_upstreams.pb",
            services    = {
                "/ticker.v1.Ticker/Watch":  grpc.stream(messages = [{"seq": 1}, {"seq": 2}, {"seq": 3}], interval = "5ms"),
                "/ticker.v1.Ticker/Record": grpc.collect(lambda ticks: {"count": len(ticks), "total": sum([t["price"] for t in ticks])}),
                "/ticker.v1.Ticker/Chat":   grpc.dynamic(lambda req: [{"seq": req["request"]["seq"] * 10}, {"seq": req["index"]}]),
            },
        )

        flags = mock_service("flags",
            interface("main", "grpc", %2$d),
            routes = {
                "/flags.v1.Flags/Subscribe": grpc_stream(messages = [{"n": 1}, {"n": 2}], then = grpc_error("ABORTED", "feed closed")),
                "/flags.v1.Flags/Watch":     grpc_dynamic(lambda req: {"echo": req["request"]["n"]}, streaming = True),
            },
        )

        def sum(xs):
            total = 0.0
            for x in xs:
                total += x
            return total

        def test_typed_streams():
            watched = ticker.main.stream(method = "/ticker.v1.Ticker/Watch", body = {"symbol": "A"})
            assert_eq([watched.ok, watched.code, watched.count], [True, "OK", "3"])
            assert_eq([m["seq"] for m in watched.json], ["1", "2", "3"])
            assert_eq(events().where(service = "ticker", op = "send", method = "/ticker.v1.Ticker/Watch").count(), 3)
            assert_eq(events().where(service = "ticker", op = "recv", method = "/ticker.v1.Ticker/Watch").count(), 1)

            cut = fault(ticker.main, error(method = "/ticker.v1.Ticker/Watch", status = "ABORTED", message = "cut", after = 2),
                        run = lambda: ticker.main.stream(method = "/ticker.v1.Ticker/Watch", body = {"symbol": "A"}))
            assert_eq([cut.code, cut.message, cut.count], ["ABORTED", "cut", "2"])
            slow = fault(ticker.main, delay(method = "/ticker.v1.Ticker/Watch", delay = "50ms", per_message = True),
                         run = lambda: ticker.main.stream(method = "/ticker.v1.Ticker/Watch", body = {"symbol": "A"}))
            assert_eq([slow.ok, slow.count], [True, "3"])
            assert_true(slow.duration_ms >= 150)

            recorded = ticker.main.stream(method = "/ticker.v1.Ticker/Record", bodies = [{"price": 1.5}, {"price": 2.5}])
            assert_eq(recorded.json, [{"count": "2", "total": 4.0}])

            chat = ticker.main.stream(method = "/ticker.v1.Ticker/Chat", bodies = [{"seq": 1}, {"seq": 2}])
            assert_eq([m["seq"] for m in chat.json], ["10", "0", "20", "1"])
            assert_eq(events().where(service = "ticker", op = "send", method = "/ticker.v1.Ticker/Chat").count(), 4)
            assert_eq(events().where(service = "ticker", op = "ok", method = "/ticker.v1.Ticker/Chat").count(), 1)

        def test_untyped_streams():
            sub = flags.main.stream(method = "/flags.v1.Flags/Subscribe")
            assert_eq([sub.ok, sub.code, sub.message, sub.count], [False, "ABORTED", "feed closed", "2"])
            assert_eq(events().where(service = "flags", op = "send").count(), 2)
            assert_eq(events().where(service = "flags", op = "error", method = "/flags.v1.Flags/Subscribe").count(), 1)
            echo = flags.main.stream(method = "/flags.v1.Flags/Watch", bodies = [{"n": 1}, {"n": 2}, {"n": 3}])
            assert_eq([m["echo"] for m in echo.json], [1.0, 2.0, 3.0])
            assert_eq(events().where(service = "flags", op = "recv", method = "/flags.v1.Flags/Watch").count(), 3)
        """.formatted(FreePorts.tcp(), FreePorts.tcp()));
    Cli r = Cli.run("test", spec.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("--- PASS: test_typed_streams").contains("--- PASS: test_untyped_streams")
        .endsWith("2 passed, 0 failed\n");
  }

  @Test
  void aStreamingReplyOnTheWrongKindOfMethodFailsAtLoad() throws Exception {
    Path proto = Files.createDirectories(dir.resolve("proto"));
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("descriptors/all_upstreams.pb")) {
      Files.copy(in, proto.resolve("all_upstreams.pb"));
    }
    expectLoadError("kind.star", """
        load("@faultbox/mocks/grpc.star", "grpc")
        t = grpc.server(name = "t", interface = interface("main", "grpc", 9000), descriptors = "./proto/all_upstreams.pb",
            services = {"/ticker.v1.Ticker/Last": grpc.collect(lambda ticks: {})})
        """, "kind.star:2:16: mock_service(\"t\") interface \"main\": route \"/ticker.v1.Ticker/Last\": grpc.collect() "
            + "answers a client-streaming method, but ticker.v1.Ticker/Last is unary; use grpc.dynamic(fn)");
    expectLoadError("interval.star", "x = grpc_stream(messages = [{}], interval = \"soon\")\n",
        "interval.star:1:16: grpc_stream() interval must be a duration such as \"250ms\" or \"1s\", got \"soon\"");
  }

  @Test
  void badCodesFailAtTheCall() throws Exception {
    expectLoadError("typo.star", "x = grpc_error(code = \"UNAVAILBLE\")\n",
        "typo.star:1:15: unknown gRPC code \"UNAVAILBLE\" (did you mean 'UNAVAILABLE'?); use one of OK, CANCELLED, UNKNOWN, "
            + "INVALID_ARGUMENT, DEADLINE_EXCEEDED, NOT_FOUND, ALREADY_EXISTS, PERMISSION_DENIED, RESOURCE_EXHAUSTED, "
            + "FAILED_PRECONDITION, ABORTED, OUT_OF_RANGE, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS, UNAUTHENTICATED");
    expectLoadError("range.star", "x = grpc_error(code = 17)\n", "range.star:1:15: gRPC code 17 is not in 0..16");
    expectLoadError("type.star", "x = grpc_error(code = 1.5)\n",
        "type.star:1:15: gRPC code must be a name such as \"UNAVAILABLE\" or a number, got float");
    expectLoadError("raw.star", "x = grpc_raw_response(\"\u0100\")\n", "raw.star:1:22: grpc_raw_response() body has");
  }

  @Test
  void repliesAGrpcRouteCannotSendFailAtLoad() throws Exception {
    String head = "m = mock_service(\"m\", interface(\"main\", \"grpc\", 9000), routes = {\"/a.B/C\": ";
    expectLoadError("json.star", head + "json_response(body = {\"a\": 1})})\n",
        "json.star:1:17: mock_service(\"m\") interface \"main\": route \"/a.B/C\": json_response and text_response are "
            + "not gRPC replies (their body is application/json); use grpc_response(body = {...}), grpc_error(code = ...) "
            + "or grpc_raw_response(bytes)");
    expectLoadError("status.star", head + "status_response(code = \"UNAVAILBLE\")})\n",
        "status.star:1:17: mock_service(\"m\") interface \"main\": route \"/a.B/C\": unknown gRPC code \"UNAVAILBLE\" "
            + "(did you mean \"UNAVAILABLE\"?); use one of OK, CANCELLED");
    expectLoadError("details.star", head + "grpc_error(code = 3, details = [{\"@type\": \"google.rpc.BadRequst\"}])})\n",
        "details.star:1:17: mock_service(\"m\") interface \"main\": route \"/a.B/C\": details[0]: unknown @type "
            + "\"google.rpc.BadRequst\" (did you mean \"type.googleapis.com/google.rpc.BadRequest\"?); a detail is one of "
            + "google.rpc.BadRequest, ");
  }

  /** protos = [...]: the CLI's grpc plugin compiles .proto sources with the protoc its jar bundles. */
  @Test
  void typedMockFromProtoSources() throws Exception {
    for (String name : List.of("inDriver/geo_config/geo_config.proto", "inDriver/user/user.proto")) {
      Path target = Files.createDirectories(dir.resolve("proto").resolve(name).getParent()).resolve(
          Path.of(name).getFileName());
      try (InputStream in = getClass().getClassLoader().getResourceAsStream(name)) {
        Files.copy(in, target);
      }
    }
    Path spec = dir.resolve("protos.star");
    Files.writeString(spec, """
        load("@faultbox/mocks/grpc.star", "grpc")

        users = grpc.server(
            name         = "users",
            interface    = interface("main", "grpc", %d),
            protos       = ["./proto/**/*.proto"],
            import_paths = ["./proto"],
            services     = {"/inDriver.user.UserService/GetUser": {
                "response": {"display_name": "Aigerim", "home_city": {"name": "Almaty", "updated_at": "2024-05-01T10:00:00Z"}},
            }},
        )

        def test_typed_from_sources():
            r = users.main.call(method = "/inDriver.user.UserService/GetUser", body = {"user_id": "u1"})
            assert_eq([r.code, r.json["display_name"], r.json["home_city"]["name"]], ["OK", "Aigerim", "Almaty"])
            assert_eq(r.json["home_city"]["updated_at"], "2024-05-01T10:00:00Z")
        """.formatted(FreePorts.tcp()));
    Cli r = Cli.run("test", spec.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("--- PASS: test_typed_from_sources").endsWith("1 passed, 0 failed\n");

    Files.writeString(dir.resolve("proto/geo.proto"), "syntax = \"proto3\";\nmessage City {\n  Cty parent = 1;\n}\n");
    expectLoadError("badproto.star", """
        load("@faultbox/mocks/grpc.star", "grpc")
        geo = grpc.server(name = "geo", interface = interface("main", "grpc", 9000), protos = ["./proto/geo.proto"])
        """, "badproto.star:2:18: mock_service(\"geo\") interface \"main\": protos: proto/geo.proto:3:3: "
            + "\"Cty\" is not defined");
  }

  /** Both {@code check} and {@code test} refuse the spec with this one-line error, and run nothing. */
  private void expectLoadError(String name, String source, String expectedStart) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, source);
    for (String command : new String[] {"test", "check"}) {
      Cli r = Cli.run(command, file.toString());
      assertThat(r.exit()).as(r.toString()).isEqualTo(1);
      assertThat(r.err()).as(r.toString()).startsWith("error: " + dir.resolve(expectedStart));
      assertThat(r.err().strip()).as("one line").doesNotContain("\n");
      assertThat(r.out()).isEmpty();
    }
  }

  private static City awaitCity(ManagedChannel geo) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        return GeoConfigServiceGrpc.newBlockingStub(geo).withDeadlineAfter(2, TimeUnit.SECONDS)
            .getCity(GetCityRequest.newBuilder().setId(1).build());
      } catch (StatusRuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  private static List<String> listServices(ManagedChannel channel) throws Exception {
    CompletableFuture<List<String>> names = new CompletableFuture<>();
    var requests = ServerReflectionGrpc.newStub(channel).serverReflectionInfo(new io.grpc.stub.StreamObserver<>() {
      @Override
      public void onNext(ServerReflectionResponse r) {
        List<String> out = new ArrayList<>();
        r.getListServicesResponse().getServiceList().forEach(s -> out.add(s.getName()));
        names.complete(out);
      }

      @Override
      public void onError(Throwable t) {
        names.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    requests.onCompleted();
    return names.get(10, TimeUnit.SECONDS);
  }
}
