package dev.faultbox.plugin.grpc;

import static dev.faultbox.plugin.grpc.TestSupport.GEO;
import static dev.faultbox.plugin.grpc.TestSupport.inSpecDir;
import static dev.faultbox.testkit.MockDefinitionBuilder.dynamic;
import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultbox.plugin.support.Json;
import dev.faultbox.spi.Endpoint;
import dev.faultbox.spi.MockRequest;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.MockServer;
import dev.faultbox.spi.StepException;
import dev.faultbox.spi.StepMethod;
import dev.faultbox.spi.StepResult;
import dev.faultbox.spi.TlsIdentity;
import dev.faultbox.testkit.FreePorts;
import dev.faultbox.testkit.RecordingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The call step against typed (reflection) and untyped mocks. */
class CallStepTest {

  private final TestSupport.Resources resources = new TestSupport.Resources();
  private final StepMethod call = new GrpcProtocol().steps().get("call");

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  private static Endpoint endpoint(String service, MockServer server) {
    return Endpoint.plain(service, "main", "grpc", "127.0.0.1", server.address().getPort());
  }

  private static Map<String, Object> args(Object... pairs) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      out.put((String) pairs[i], pairs[i + 1]);
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> json(StepResult.Response response) {
    return (Map<String, Object>) Json.parse(response.bodyText());
  }

  @Test
  void typedMockThroughReflection() throws Exception {
    ConcurrentLinkedQueue<MockRequest> seen = new ConcurrentLinkedQueue<>();
    MockServer server = resources.server(inSpecDir(mock("geo-config", "grpc", 0)
        .config("descriptors", "all_upstreams.pb")
        .route(GEO + "GetCity", new MockResponse.Structured(TypedMockTest.almaty()))
        .route(GEO + "ListCountries", dynamic(request -> {
          seen.add(request);
          return CompletableFuture.completedFuture(new MockResponse.Structured(Map.of("countries", List.of(Map.of("code", "KZ")))));
        }))
        .route(GEO + "AdminUpdate", new MockResponse.Status("7", "admin only"))
        .build()), new RecordingContext());
    Endpoint target = endpoint("geo-config", server);

    StepResult.Response city = (StepResult.Response) call.call(target, args("method", GEO + "GetCity", "body", Map.of("id", 1L)));
    assertThat(city.ok()).isTrue();
    assertThat(city.status()).isZero();
    assertThat(city.error()).isEmpty();
    assertThat(city.attributes()).containsEntry("code", "OK").containsEntry("message", "");
    Map<String, Object> body = json(city);
    assertThat(body).containsEntry("name", "Almaty").containsEntry("city_id", "1001").containsEntry("id", "42")
        .containsEntry("kind", "CITY_KIND_CAPITAL").containsEntry("updated_at", "2024-05-01T10:00:00Z");
    assertThat(city.headers()).containsKey("content-type");

    // The body is encoded as the request type: the handler decodes page_size.
    StepResult.Response countries = (StepResult.Response) call.call(target,
        args("method", GEO + "ListCountries", "body", Map.of("page_size", 5L), "metadata", Map.of("x-tenant", "kz")));
    assertThat(countries.ok()).isTrue();
    assertThat(json(countries).get("countries")).isEqualTo(List.of(Map.of("code", "KZ", "name", "")));
    MockRequest request = seen.poll();
    assertThat(request.extras().get("request")).isEqualTo(Map.of("page_size", 5L));
    assertThat(request.headers()).containsEntry("x-tenant", "kz");

    StepResult.Response denied = (StepResult.Response) call.call(target, args("method", GEO + "AdminUpdate"));
    assertThat(denied.ok()).isFalse();
    assertThat(denied.status()).isEqualTo(7);
    assertThat(denied.bodyText()).isEmpty();
    assertThat(denied.error()).isEqualTo("PERMISSION_DENIED: admin only");
    assertThat(denied.attributes()).containsEntry("code", "PERMISSION_DENIED").containsEntry("message", "admin only");

    assertThatThrownBy(() -> call.call(target, args("method", GEO + "GetCity", "body", Map.of("idd", 1L))))
        .isInstanceOf(StepException.class)
        .hasMessage("call() body= does not fit inDriver.geo_config.GetCityRequest: unknown field \"idd\" in "
            + "inDriver.geo_config.GetCityRequest (did you mean \"id\"?)");
  }

  @Test
  void untypedMockWithStructs() throws Exception {
    ConcurrentLinkedQueue<MockRequest> seen = new ConcurrentLinkedQueue<>();
    MockServer server = resources.server(mock("flags", "grpc", 0)
        .route("/flags.v1.Flags/Get", new MockResponse.Structured(Map.of("enabled", true, "variant", "B")))
        .route("/flags.v1.Flags/Echo", dynamic(request -> {
          seen.add(request);
          return CompletableFuture.completedFuture(new MockResponse.Structured(Map.of("ok", true)));
        }))
        .route("/flags.v1.Flags/Fail", new MockResponse.Status("14", "backend down"))
        .build(), new RecordingContext());
    Endpoint target = endpoint("flags", server);

    StepResult.Response get = (StepResult.Response) call.call(target, args("method", "/flags.v1.Flags/Get"));
    assertThat(get.ok()).isTrue();
    assertThat(json(get)).isEqualTo(Map.of("enabled", true, "variant", "B"));

    call.call(target, args("method", "/flags.v1.Flags/Echo", "body", Map.of("flag", "rollout", "n", 2L)));
    assertThat(seen.poll().extras().get("request")).isEqualTo(Map.of("flag", "rollout", "n", 2.0));

    StepResult.Response fail = (StepResult.Response) call.call(target, args("method", "/flags.v1.Flags/Fail"));
    assertThat(fail.ok()).isFalse();
    assertThat(fail.status()).isEqualTo(14);
    assertThat(fail.error()).isEqualTo("UNAVAILABLE: backend down");

    StepResult.Response missing = (StepResult.Response) call.call(target, args("method", "/flags.v1.Flags/Nope"));
    assertThat(missing.status()).isEqualTo(12);
    assertThat(missing.attributes()).containsEntry("message", "no route for /flags.v1.Flags/Nope");
  }

  @Test
  void tlsEndpointTrustsTheMockCa() throws Exception {
    TlsIdentity identity = TestSupport.CA.issue("geo-config");
    MockServer server = resources.server(inSpecDir(mock("geo-config", "grpc", 0)
        .config("descriptors", "all_upstreams.pb")
        .tls(true)
        .route(GEO + "GetCity", new MockResponse.Structured(Map.of("name", "Secure")))
        .build()), new RecordingContext().withTls(identity));
    Endpoint target = new Endpoint("geo-config", "main", "grpc", "127.0.0.1", server.address().getPort(), true,
        Optional.of(identity.authority()));
    StepResult.Response city = (StepResult.Response) call.call(target, args("method", GEO + "GetCity"));
    assertThat(city.ok()).as(city.error()).isTrue();
    assertThat(json(city)).containsEntry("name", "Secure");

    Endpoint untrusted = new Endpoint("geo-config", "main", "grpc", "127.0.0.1", server.address().getPort(), true,
        Optional.empty());
    StepResult.Response refused = (StepResult.Response) new GrpcProtocol().steps().get("call")
        .call(untrusted, args("method", GEO + "GetCity"));
    assertThat(refused.ok()).isFalse();
    assertThat(refused.attributes()).containsEntry("code", "UNAVAILABLE");
  }

  @Test
  void aFaultOnEveryMethodHitsTheCallOnceAndNotTheReflectionProbe() throws Exception {
    RecordingContext context = new RecordingContext();
    java.util.List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
    context.setFaultGate(probe -> {
      asked.add(probe.attributes().get("method"));
      return new dev.faultbox.spi.FaultDecision(dev.faultbox.spi.FaultDecision.Action.ERROR, java.time.Duration.ZERO, 14,
          "down", Optional.of("all"));
    });
    MockServer server = resources.server(mock("flags", "grpc", 0)
        .route("/**", new MockResponse.Structured(Map.of("variant", "B")))
        .build(), context);
    StepResult.Response get = (StepResult.Response) call.call(endpoint("flags", server), args("method", "/flags.v1.Flags/Get"));
    assertThat(get.ok()).isFalse();
    assertThat(get.attributes()).containsEntry("code", "UNAVAILABLE").containsEntry("message", "down");
    assertThat(asked).containsExactly("/flags.v1.Flags/Get");
    assertThat(context.recorded()).hasSize(1);
    assertThat(context.recorded().get(0).fields()).containsEntry("fault", "all").containsEntry("code", "UNAVAILABLE");
  }

  @Test
  void connectionFailureIsUnavailable() {
    Endpoint nowhere = Endpoint.plain("ghost", "main", "grpc", "127.0.0.1", FreePorts.tcp());
    StepResult.Response response = (StepResult.Response) call.call(nowhere,
        args("method", "/flags.v1.Flags/Get", "timeout_ms", 3000L));
    assertThat(response.ok()).isFalse();
    assertThat(response.status()).isEqualTo(14);
    assertThat(response.attributes()).containsEntry("code", "UNAVAILABLE");
    assertThat(response.error()).startsWith("UNAVAILABLE: ");
  }

  @Test
  void badArguments() {
    Endpoint target = Endpoint.plain("flags", "main", "grpc", "127.0.0.1", 1);
    assertThatThrownBy(() -> call.call(target, args()))
        .isInstanceOf(StepException.class).hasMessage("call() needs method=, e.g. method = \"/pkg.Service/Method\"");
    assertThatThrownBy(() -> call.call(target, args("method", "Get")))
        .isInstanceOf(StepException.class).hasMessage("call() method= must be a full method \"/pkg.Service/Method\", got \"Get\"");
    assertThatThrownBy(() -> call.call(target, args("method", "/a.B/C", "body", "x")))
        .isInstanceOf(StepException.class).hasMessage("call() body= must be a dict, got str");
    assertThatThrownBy(() -> call.call(target, args("method", "/a.B/C", "metadata", Map.of("k", 1L))))
        .isInstanceOf(StepException.class).hasMessageStartingWith("call() metadata= must be a dict of str");
    assertThatThrownBy(() -> call.call(target, args("method", "/a.B/C", "timeout_ms", 0L)))
        .isInstanceOf(StepException.class).hasMessage("call() timeout_ms= must be in 1..3600000, got 0");
    assertThatThrownBy(() -> call.call(target, args("method", "/a.B/C", "path", "/")))
        .isInstanceOf(StepException.class).hasMessage("call() has no parameter path=; accepted: method, body, metadata, timeout_ms");
  }
}
