package dev.faultbox.kernel.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.kernel.Specs;
import dev.faultbox.spi.MockResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecLoadTest {
  @TempDir Path dir;
  Specs specs;

  @BeforeEach
  void setUp() {
    specs = new Specs(dir);
  }

  @Test
  void declaresServicesAndDiscoversTestsInNameOrder() throws Exception {
    try (SpecSession s = specs.load("""
        a = mock_service("a", interface("main", "fake", 9100), routes = {"X": status_only(204)})
        b = mock_service("b", interface("main", "fake", 9101), depends_on = [a])
        def test_zeta():
            pass
        def test_alpha():
            pass
        def helper():
            pass
        """)) {
      assertThat(s.services()).extracting(ServiceDecl::name).containsExactly("a", "b");
      assertThat(s.tests().keySet()).containsExactly("test_alpha", "test_zeta");
      var def = s.services().get(0).mocks().get(0);
      assertThat(def.iface().port()).isEqualTo(9100);
      assertThat(def.declaredAt().toString()).isEqualTo("spec.star:1:17");
      assertThat(def.routes()).hasSize(1);
      assertThat(((MockResponse.Static) def.routes().get(0).response()).status()).isEqualTo(204);
      assertThat(s.services().get(1).dependsOn()).containsExactly("a");
    }
  }

  @Test
  void startOrderFollowsDependsOn() throws Exception {
    try (SpecSession s = specs.load("""
        c = mock_service("c", interface("main", "fake", 9102), depends_on = ["b"])
        b = mock_service("b", interface("main", "fake", 9101), depends_on = ["a"])
        a = mock_service("a", interface("main", "fake", 9100))
        """)) {
      assertThat(s.startOrder()).extracting(ServiceDecl::name).containsExactly("a", "b", "c");
    }
  }

  @Test
  void responseConstructorsEncodeOnceAtLoad() throws Exception {
    try (SpecSession s = specs.load("""
        m = mock_service("m", interface("main", "fake", 9100), routes = {
            "json": json_response(200, {"b": 1, "a": [True, None, 1.5, "x"]}, headers = {"X-Mock": "1"}),
            "text": text_response(body = "hello"),
            "bytes": bytes_response(data = "PONG\\n"),
            "status": status_only(503),
            "redirect": redirect("/login"),
        })
        """)) {
      Map<String, MockResponse.Static> r = new java.util.HashMap<>();
      s.services().get(0).mocks().get(0).routes()
          .forEach(x -> r.put(x.pattern(), (MockResponse.Static) x.response()));
      assertThat(r.get("json").bodyText()).isEqualTo("{\"b\":1,\"a\":[true,null,1.5,\"x\"]}");
      assertThat(r.get("json").contentType()).contains("application/json");
      assertThat(r.get("json").headers()).containsEntry("X-Mock", "1");
      assertThat(r.get("text").bodyText()).isEqualTo("hello");
      assertThat(r.get("text").contentType()).contains("text/plain; charset=utf-8");
      assertThat(new String(r.get("bytes").body(), StandardCharsets.UTF_8)).isEqualTo("PONG\n");
      assertThat(r.get("bytes").status()).isZero();
      assertThat(r.get("status").status()).isEqualTo(503);
      assertThat(r.get("status").body()).isEmpty();
      assertThat(r.get("redirect").status()).isEqualTo(302);
      assertThat(r.get("redirect").headers()).containsEntry("Location", "/login");
    }
  }

  @Test
  void protocolNeutralResponseShapesAndPreludes() throws Exception {
    try (SpecSession s = specs.load("""
        m = mock_service("m", interface("main", "fake", 9100), routes = {
            "data": structured_response(body = {"enabled": True, "variant": "B", "n": 2}),
            "named": status_response(code = "UNAVAILABLE", message = "backend down"),
            "num": status_response(code = 5),
            "busy": fake_busy(),
            "raw": bytes_response(data = hex_bytes("0807")),
        })
        """)) {
      var routes = s.services().get(0).mocks().get(0).routes();
      assertThat(((MockResponse.Structured) routes.get(0).response()).body())
          .containsEntry("enabled", true).containsEntry("variant", "B").containsEntry("n", 2L);
      assertThat(routes.get(1).response()).isEqualTo(new MockResponse.Status("UNAVAILABLE", "backend down"));
      assertThat(routes.get(2).response()).isEqualTo(new MockResponse.Status("5", ""));
      assertThat(routes.get(3).response()).as("a prelude's names need no load").isEqualTo(new MockResponse.Status("BUSY", "busy"));
      assertThat(((MockResponse.Static) routes.get(4).response()).body()).containsExactly(8, 7);
    }
    assertThat(specs.error("x = status_response(code = \"\")\n")).isEqualTo("spec.star:1:20: status_response() code must not be empty");
  }

  @Test
  void scenarioTestAndDurationCheckTheirInputAtLoad() {
    assertThat(specs.error("scenario(42)\n"))
        .isEqualTo("spec.star:1:9: scenario() takes a function defined with def, got int");
    assertThat(specs.error("scenario(lambda: 1)\n"))
        .isEqualTo("spec.star:1:9: scenario() needs a function defined with def, not a lambda: its name names the test");
    assertThat(specs.error("def test_a():\n    pass\nscenario(test_a)\n"))
        .isEqualTo("spec.star:3:9: scenario(test_a): a function named test_* is already a test; drop scenario() or rename it to a");
    assertThat(specs.error("def a():\n    pass\nscenario(a)\ndef test_a():\n    pass\n"))
        .isEqualTo("spec.star:3:9: this scenario registers test_a, and a function of that name is defined too; rename one");
    assertThat(specs.error("def a():\n    pass\nscenario(a)\ntest(\"a\", body = a)\n"))
        .isEqualTo("spec.star:4:5: a test named test_a is already registered by scenario at spec.star:3:9; give one of them another name");
    assertThat(specs.error("test(\"x\", body = 1)\n"))
        .isEqualTo("spec.star:1:5: test(\"x\") body must be a function (a def or a lambda), got int");
    assertThat(specs.error("test(\"x y\", body = len)\n"))
        .startsWith("spec.star:1:5: test() name must be a string of letters, digits and _");
    assertThat(specs.error("test(\"x\", body = len, setup = \"no\")\n"))
        .isEqualTo("spec.star:1:5: test(\"x\") setup must be a function (a def or a lambda) or None, got string");
    assertThat(specs.error("test(\"x\", body = len, timeout = \"soon\")\n"))
        .isEqualTo("spec.star:1:5: test(\"x\") timeout: cannot read \"soon\" as a duration; write it like \"5s\", \"200ms\" or \"1m30s\"");
    assertThat(specs.error("test(\"x\", body = len, timout = \"1s\")\n"))
        .startsWith("spec.star:1:5: test() got unexpected keyword argument 'timout' (did you mean 'timeout'?)")
        .endsWith("; accepted: name, body, setup, expect, timeout");
    assertThat(specs.error("test(\"x\")\n"))
        .contains("spec.star:1:5").contains("missing 1 required named argument: body");
    assertThat(specs.error("d = duration(\"5 parsecs\")\n"))
        .isEqualTo("spec.star:1:13: duration(): cannot read \"5 parsecs\" as a duration; write it like \"5s\", \"200ms\" or \"1m30s\"");
    assertThat(specs.error("d = duration(200)\n"))
        .isEqualTo("spec.star:1:13: duration() must be a duration such as \"5s\" or \"200ms\", got 200");
  }

  @Test
  void parallelWithTooFewFunctionsFailsTheLoadEvenInATestNotRun() throws Exception {
    assertThat(specs.error("def a():\n    pass\ndef test_x():\n    parallel(a)\n"))
        .isEqualTo("spec.star:4:13: parallel() needs at least two functions to run at once, got 1; call a single function directly");
    assertThat(specs.error("def test_x():\n    return [parallel()]\n"))
        .isEqualTo("spec.star:2:21: parallel() needs at least two functions to run at once, got 0; call a single function directly");
    assertThat(specs.error("def a():\n    pass\ndef test_x():\n    parallel(a, lambda: a(), interleavings = 3)\n"))
        .isEqualTo("spec.star:4:13: parallel() takes only functions, as positional arguments; got keyword argument 'interleavings'");
    try (SpecSession s = specs.load("""
        def parallel(f):
            return f()
        def test_own():
            parallel(len)
        fns = []
        def test_star():
            parallel(*fns)
        """)) {
      assertThat(s.tests().keySet()).containsExactly("test_own", "test_star");
    }
  }

  @Test
  void unknownProtocolNamesTheInstalledOnes() {
    assertThat(specs.error("db = mock_service(\"db\", interface(\"db\", \"postgres\", 5432))\n"))
        .isEqualTo("spec.star:1:18: protocol \"postgres\" has no mock plugin; installed: fake");
  }

  @Test
  void unknownKeywordSuggestsAndListsAccepted() {
    assertThat(specs.error("m = mock_service(\"m\", interface(\"main\", \"fake\", 9100), route = {})\n"))
        .startsWith("spec.star:1:17: mock_service() got unexpected keyword argument 'route' (did you mean 'routes'?)")
        .endsWith("; accepted: name, routes, default, tls, config, depends_on");
  }

  @Test
  void wrongTypeNamesParameterAndWant() {
    assertThat(specs.error("m = mock_service(\"m\", interface(\"main\", \"fake\", 9100), tls = \"yes\")\n"))
        .contains("spec.star:1:17")
        .contains("parameter 'tls' got value of type 'string', want 'bool'");
    assertThat(specs.error("i = interface(\"main\", \"fake\", \"80\")\n"))
        .contains("parameter 'port' got value of type 'string', want 'int'");
  }

  @Test
  void routeValuesMustBeResponses() {
    assertThat(specs.error("m = mock_service(\"m\", interface(\"main\", \"fake\", 9100), routes = {\"X\": {\"a\": 1}})\n"))
        .contains("routes[\"X\"] must be a response such as json_response(...)")
        .contains("got dict");
  }

  @Test
  void pluginValidationFailsTheLoadWithLocation() {
    assertThat(specs.error("\n\nm = mock_service(\"m\", interface(\"main\", \"fake\", 9100), config = {\"bad\": 1})\n"))
        .isEqualTo("spec.star:3:17: mock_service(\"m\") interface \"main\": fake mock config has no key \"bad\"; accepted: none");
  }

  @Test
  void duplicateServiceNamesAreRejected() {
    assertThat(specs.error("""
        a = mock_service("a", interface("main", "fake", 9100))
        b = mock_service("a", interface("main", "fake", 9101))
        """)).isEqualTo("spec.star:2:17: service \"a\" is already declared at spec.star:1:17; service names must be unique");
  }

  @Test
  void portOutOfRange() {
    assertThat(specs.error("i = interface(\"main\", \"fake\", 70000)\n"))
        .isEqualTo("spec.star:1:14: interface(\"main\") port must be between 1 and 65535, or 0 for any free port, got 70000");
  }

  @Test
  void dependsOnUnknownAndCycles() {
    assertThat(specs.error("a = mock_service(\"a\", interface(\"main\", \"fake\", 9100), depends_on = [\"ghost\"])\n"))
        .isEqualTo("spec.star:1:17: service \"a\" depends on \"ghost\", which is not declared; declared: a");
    assertThat(specs.error("""
        a = mock_service("a", interface("main", "fake", 9100), depends_on = ["b"])
        b = mock_service("b", interface("main", "fake", 9101), depends_on = ["a"])
        """)).contains("depends_on cycle: a -> b -> a");
  }

  @Test
  void twoMocksOnOneProtocolPortAreRejected() {
    assertThat(specs.error("""
        a = mock_service("a", interface("main", "fake", 9100))
        b = mock_service("b", interface("other", "fake", 9100))
        """)).isEqualTo("spec.star:2:17: b.other (fake) and a.main (fake) both listen on TCP port 9100; give each its own port");
  }

  @Test
  void healthChecksHaveNamesARecipeCannotShadow() throws Exception {
    try (SpecSession s = specs.load("""
        http = struct(server_error = None)  # as a recipe module bound to `http` would be
        a = http_check("localhost:8080/health", timeout = "2s")
        b = tcp_check("localhost:9001")
        """)) {
      assertThat(net.starlark.java.eval.Starlark.repr(s.global("a"))).isEqualTo("http(\"localhost:8080/health\")");
      assertThat(net.starlark.java.eval.Starlark.repr(s.global("b"))).isEqualTo("tcp(\"localhost:9001\")");
    }
  }

  @Test
  void topLevelCodeHasAStepBudget() {
    assertThat(specs.error("x = 1\ny = [i for i in range(200000000)]\n"))
        .matches("spec\\.star:2:\\d+: the top level of spec\\.star ran past its budget of 10,000,000 Starlark steps "
            + "while loading \\(an endless loop, or a huge comprehension\\?\\); do heavy work inside test functions");
  }

  @Test
  void runawayRecursionAtLoadIsOneLine() {
    assertThat(specs.error("def f(n):\n    return f(n + 1)\nx = f(0)\n"))
        .matches("spec\\.star:[12]:\\d+: maximum recursion depth exceeded");
  }

  @Test
  void syntaxErrorsAndUnknownNamesHaveLocations() {
    assertThat(specs.error("x = (1,\n")).startsWith("spec.star:2:");
    assertThat(specs.error("x = 1\ny = undefined_thing\n")).startsWith("spec.star:2:5: name 'undefined_thing' is not defined");
  }

  @Test
  void failAndRuntimeErrorsAtTopLevel() {
    assertThat(specs.error("\nfail(\"nope\")\n")).isEqualTo("spec.star:2:5: nope");
  }

  @Test
  void relativeLoadsStayInsideTheSpecDirectory() throws Exception {
    specs.write("lib/common.star", "PORT = 9100\ndef svc(name):\n    return mock_service(name, interface(\"main\", \"fake\", PORT))\n");
    try (SpecSession s = specs.load("load(\"lib/common.star\", \"svc\")\na = svc(\"a\")\n")) {
      assertThat(s.services()).extracting(ServiceDecl::name).containsExactly("a");
    }
    assertThat(specs.error("load(\"../outside.star\", \"x\")\n"))
        .startsWith("spec.star:1:")
        .contains("path leaves the spec's directory");
    assertThat(specs.error("load(\"missing.star\", \"x\")\n"))
        .startsWith("spec.star:1:")
        .contains("cannot read missing.star");
  }

  @Test
  void errorsInsideALoadedFilePointIntoIt() {
    specs.write("lib/broken.star", "X = 1\nY = 1 // 0\n");
    assertThat(specs.error("load(\"lib/broken.star\", \"X\")\n")).startsWith("lib/broken.star:2:");
  }

  @Test
  void loadsFromTheStdlib() throws Exception {
    specs.stdlib(Map.of("mocks/thing.star",
        "def _server(name, port):\n    return mock_service(name, interface(\"main\", \"fake\", port))\nthing = struct(server = _server)\n"));
    try (SpecSession s = specs.load("load(\"@faultbox/mocks/thing.star\", \"thing\")\nt = thing.server(\"t\", 9100)\n")) {
      assertThat(s.services()).extracting(ServiceDecl::name).containsExactly("t");
    }
    assertThat(specs.error("load(\"@faultbox/mocks/nope.star\", \"x\")\n"))
        .isEqualTo("spec.star:1:1: load(\"@faultbox/mocks/nope.star\"): no such file in the faultbox stdlib; available: mocks/thing.star");
    assertThat(specs.error("load(\"@faultbox/mocks/thing.star\", \"thingy\")\n"))
        .contains("does not contain symbol 'thingy'");
  }

  @Test
  void loadJsonAndLoadFileReadBesideTheSpec() throws Exception {
    specs.write("data/keys.json", "{\"keys\": [{\"kid\": \"k1\"}], \"n\": 3}");
    specs.write("data/motd.txt", "hello\n");
    try (SpecSession s = specs.load("""
        keys = load_json("data/keys.json")
        motd = load_file("data/motd.txt")
        m = mock_service("m", interface("main", "fake", 9100), routes = {
            "k": json_response(body = keys["keys"][0]),
            "t": text_response(body = motd + str(keys["n"])),
        })
        """)) {
      var routes = s.services().get(0).mocks().get(0).routes();
      assertThat(((MockResponse.Static) routes.get(0).response()).bodyText()).isEqualTo("{\"kid\":\"k1\"}");
      assertThat(((MockResponse.Static) routes.get(1).response()).bodyText()).isEqualTo("hello\n3");
    }
    assertThat(specs.error("x = load_json(\"/etc/passwd\")\n")).contains("path leaves the spec's directory");
  }

  @Test
  void structIsANamespace() throws Exception {
    try (SpecSession s = specs.load("""
        cfg = struct(port = 9100, name = "m")
        m = mock_service(cfg.name, interface("main", "fake", cfg.port))
        """)) {
      assertThat(s.services()).extracting(ServiceDecl::name).containsExactly("m");
    }
    assertThat(specs.error("cfg = struct(port = 1)\nx = cfg.prt\n"))
        .contains("struct has no field 'prt' (did you mean 'port'?)");
  }

  @Test
  void printGoesToTheSessionOutput() throws Exception {
    specs.load("print(\"hello from the spec\")\n").close();
    assertThat(specs.printed.toString(StandardCharsets.UTF_8)).contains("hello from the spec");
  }
}
