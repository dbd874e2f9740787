package dev.faultbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faultbox.testkit.FreePorts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI end to end, in-process: real specs, real plugins, real sockets on 127.0.0.1. */
class CliTest {
  @TempDir Path dir;

  private String spec(String name, String source) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, source);
    return p.toString();
  }

  @Test
  void passingAndFailingTestsWithExitCodes() throws Exception {
    int tcp = FreePorts.tcp();
    String file = spec("s.star", """
        legacy = mock_service("legacy", interface("main", "tcp", %d),
            routes = {"PING\\n": bytes_response(data = "PONG\\n")},
            default = bytes_response(data = "ERR unknown\\n"))
        def test_ping():
            assert_eq(legacy.main.send(data = "PING"), "PONG")
        def test_wrong():
            assert_eq(legacy.main.send(data = "PING"), "PANG")
        """.formatted(tcp));
    Cli r = Cli.run("test", file);
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.out())
        .containsPattern("--- PASS: test_ping \\(\\d+ms\\) ---")
        .containsPattern("--- FAIL: test_wrong \\(\\d+ms\\) ---")
        .contains("  reason: assert_eq failed: got \"PONG\", want \"PANG\"")
        .contains("  at: " + file + ":7:14")
        .contains("  events: legacy.main mock.recv: 1")
        .endsWith("\n1 passed, 1 failed\n");

    Cli only = Cli.run("test", file, "--test", "ping");
    assertThat(only.exit()).as(only.toString()).isZero();
    assertThat(only.out()).endsWith("1 passed, 0 failed\n").doesNotContain("test_wrong");

    Cli none = Cli.run("test", file, "--test", "nothing*");
    assertThat(none.exit()).isEqualTo(1);
    assertThat(none.err()).isEqualTo("error: no test matched filter \"nothing*\" (available: test_ping, test_wrong)\n");
  }

  @Test
  void jsonFormatPrintsTheReportOnStdout() throws Exception {
    int udp = FreePorts.udp();
    String file = spec("s.star", """
        statsd = mock_service("statsd", interface("main", "udp", %d))
        def test_metrics():
            statsd.main.send_no_reply(data = "orders.created:1|c")
            statsd.main.send_no_reply(data = "orders.paid:1|c")
            assert_eventually(events().where(service = "statsd", op = "recv").count() >= 2)
        """.formatted(udp));
    Cli r = Cli.run("test", file, "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode doc = new ObjectMapper().readTree(r.out());
    assertThat(doc.get("passed").asInt()).isEqualTo(1);
    assertThat(doc.get("failed").asInt()).isZero();
    JsonNode test = doc.get("tests").get(0);
    assertThat(test.get("name").asText()).isEqualTo("test_metrics");
    assertThat(test.get("result").asText()).isEqualTo("pass");
    JsonNode event = test.get("events").get(0);
    assertThat(event.get("service").asText()).isEqualTo("statsd");
    assertThat(event.get("interface").asText()).isEqualTo("main");
    assertThat(event.get("kind").asText()).isEqualTo("mock");
    assertThat(event.get("type").asText()).isEqualTo("mock.recv");
    assertThat(event.get("fields").get("body").asText()).isEqualTo("orders.created:1|c");
    assertThat(r.err()).contains("--- PASS: test_metrics").contains("1 passed, 0 failed");
  }

  @Test
  void loadErrorsAreOneLineWithLocationAndExitOne() throws Exception {
    expectLoadError("syntax.star", "x = (1,\n", "syntax.star:2:");
    expectLoadError("unknown_builtin.star", "x = mock_servise(\"m\")\n",
        "unknown_builtin.star:1:5: name 'mock_servise' is not defined (did you mean 'mock_service'?)");
    expectLoadError("kwarg.star", "m = mock_service(\"m\", interface(\"main\", \"tcp\", 9000), route = {})\n",
        "kwarg.star:1:17: mock_service() got unexpected keyword argument 'route' (did you mean 'routes'?); accepted: name, routes, default, tls, config, depends_on");
    expectLoadError("type.star", "m = mock_service(\"m\", interface(\"main\", \"tcp\", \"9000\"))\n",
        "type.star:1:32: in call to interface(), parameter 'port' got value of type 'string', want 'int'");
    expectLoadError("escape.star", "load(\"../../etc/x.star\", \"y\")\n", "escape.star:1:1: load(\"../../etc/x.star\"): path leaves the spec's directory");
    expectLoadError("proto.star", "db = mock_service(\"db\", interface(\"db\", \"postgres\", 5432))\n",
        "proto.star:1:18: protocol \"postgres\" has no mock plugin; installed: grpc, http, http2, kafka, mongodb, redis, tcp, udp");
    expectLoadError("dup.star", "a = mock_service(\"a\", interface(\"main\", \"tcp\", 9000))\nb = mock_service(\"a\", interface(\"main\", \"udp\", 9001))\n",
        "dup.star:2:17: service \"a\" is already declared at " + dir.resolve("dup.star") + ":1:17; service names must be unique");
    expectLoadError("route.star", "a = mock_service(\"a\", interface(\"main\", \"http\", 9000), routes = {\"GET\": status_only(204)})\n",
        "route.star:1:17: mock_service(\"a\") interface \"main\": route \"GET\" needs a path: write \"GET /path\"");
    expectLoadError("config.star", "a = mock_service(\"a\", interface(\"main\", \"tcp\", 9000), config = {\"foo\": 1})\n",
        "config.star:1:17: mock_service(\"a\") interface \"main\": tcp mock config has no key \"foo\"; accepted: idle_timeout_ms, max_line_bytes");
    expectLoadError("wrap.star", "load(\"@faultbox/mocks/grpc.star\", \"grpc\")\n"
        + "g = grpc.server(name = \"g\", interface = interface(\"main\", \"grpc\", 9000), descriptors = \"./missing.pb\", services = {})\n",
        "wrap.star:2:16: ");
    expectLoadError("noload.star", "g = grpc.server(name = \"g\")\n",
        "noload.star:1:5: name 'grpc' is not defined; it comes from the stdlib: load(\"@faultbox/mocks/grpc.star\", \"grpc\")");
    expectLoadError("private.star", "load(\"@faultbox/mocks/grpc.star\", \"grpc_server\")\n",
        "private.star:1:36: file '@faultbox/mocks/grpc.star' does not contain symbol 'grpc_server'; it exports: grpc\n");
    expectLoadError("oneport.star", "a = mock_service(\"a\", interface(\"web\", \"http\", 9000), interface(\"h2\", \"http2\", 9000))\n",
        "oneport.star:1:17: a.h2 (http2) and a.web (http) both listen on TCP port 9000; give each its own port");
  }

  @Test
  void tcpAndUdpMayShareAPortNumber() throws Exception {
    String file = spec("shared.star", "a = mock_service(\"a\", interface(\"t\", \"tcp\", 9000), interface(\"u\", \"udp\", 9000))\n");
    Cli r = Cli.run("check", file);
    assertThat(r.exit()).as(r.toString()).isZero();
  }

  private void expectLoadError(String name, String source, String expectedStart) throws IOException {
    String file = spec(name, source);
    for (String command : new String[] {"test", "check"}) {
      Cli r = Cli.run(command, file);
      assertThat(r.exit()).as(r.toString()).isEqualTo(1);
      String expected = "error: " + dir.resolve(expectedStart);
      assertThat(r.err()).as(r.toString()).startsWith(expected);
      assertThat(r.err().strip()).as("one line").doesNotContain("\n");
      assertThat(r.out()).isEmpty();
    }
  }

  @Test
  void faultRuleMistakesFailAtLoad() throws Exception {
    String head = "auth = mock_service(\"auth\", interface(\"main\", \"http\", 9000))\n";
    expectLoadError("svc_target.star", head + "a = fault_assumption(\"a\", target = auth, rules = [error(status = 503)])\n",
        "svc_target.star:2:21: fault_assumption(\"a\") target must be an interface such as auth.<interface>, not the service auth");
    expectLoadError("topic.star", head + "a = fault_assumption(\"a\", target = auth.main, rules = [error(topic = \"orders\")])\n",
        "topic.star:2:21: fault_assumption(\"a\") on auth.main: error(topic = \"orders\") cannot apply to a http interface: topic= means nothing there; http rules match on method, path");
    expectLoadError("duration.star", head + "r = delay(path = \"/x\", delay = \"soon\")\n",
        "duration.star:2:10: delay() delay: cannot read \"soon\" as a duration");
    expectLoadError("probability.star", head + "r = error(probability = \"lots\")\n",
        "probability.star:2:10: probability \"lots\" is not a number; write 0.3, 30 or \"30%\"");
    expectLoadError("named_status.star", head + "a = fault_assumption(\"a\", target = auth.main, rules = [error(status = \"UNAVAILABLE\")])\n",
        "named_status.star:2:21: fault_assumption(\"a\") on auth.main: error(status = \"UNAVAILABLE\"): a http interface takes a number such as 500, not a status name");
    expectLoadError("program.star", head + "api = service(\"api\", \"/bin/true\", interface(\"public\", \"http\", 9001))\n"
        + "a = fault_assumption(\"a\", target = api.public, rules = [error(status = 503)])\n",
        "program.star:3:21: fault_assumption(\"a\") targets api.public, a real service: faults act inside mocks, so target the mock it calls");
    expectLoadError("kwarg_rule.star", head + "r = error(pth = \"/x\")\n",
        "kwarg_rule.star:2:10: error() got unexpected keyword argument 'pth' (did you mean 'path'?)");
  }

  @Test
  void aFailingScenarioNamesTheFaultInForce() throws Exception {
    int port = FreePorts.tcp();
    String file = spec("s.star", """
        auth = mock_service("auth", interface("main", "http", %d), routes = {"GET /x": status_only(204)})
        down = fault_assumption("down", target = auth.main, rules = [error(path = "/x", status = 503)])
        fault_scenario("x_survives", scenario = lambda: auth.main.get(path = "/x"), faults = down,
            expect = lambda r: assert_eq(r.status, 204))
        """.formatted(port));
    Cli r = Cli.run("test", file);
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.out()).contains("--- FAIL: test_x_survives")
        .contains("  reason: assert_eq failed: got 503, want 204 (under fault down)")
        .contains("  at: " + file + ":4:33");
  }

  @Test
  void aPortInUseNamesServiceInterfaceAndPort() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int port = taken.getLocalPort();
      String file = spec("s.star", "legacy = mock_service(\"legacy\", interface(\"main\", \"tcp\", " + port + "))\n"
          + "def test_x():\n    pass\n");
      Cli r = Cli.run("test", file);
      assertThat(r.exit()).as(r.toString()).isEqualTo(1);
      assertThat(r.err()).isEqualTo("error: " + file + ":1:22: mock \"legacy\" interface \"main\": port " + port
          + " (tcp on 127.0.0.1:" + port + ") is already in use; stop what holds it or pick another port\n");
    }
  }

  @Test
  void brokenDynamicHandlersAnswerWithAnErrorAndTheMockKeepsServing() throws Exception {
    int tcp = FreePorts.tcp();
    String file = spec("s.star", """
        def boom(req):
            fail("handler broke")
        def spin(req):
            n = 0
            for i in range(1000000000):
                n += i
            return bytes_response(data = "never\\n")
        legacy = mock_service("legacy", interface("main", "tcp", %d), routes = {
            "BOOM": dynamic(boom),
            "SPIN": dynamic(spin),
            "PING": bytes_response(data = "PONG\\n"),
        })
        def test_errors_then_serving():
            assert_eq(legacy.main.send(data = "BOOM"), "ERR %s:2:9: handler broke")
            spun = legacy.main.send(data = "SPIN", timeout_ms = 30000)
            assert_true(spun.startswith("ERR ") and "exceeded its budget" in spun, spun)
            assert_eq(legacy.main.send(data = "PING"), "PONG")
            errors = events().where(service = "legacy", op = "recv", error = "*")
            assert_eq(errors.count(), 2)
        """.formatted(tcp, dir.resolve("s.star")));
    Cli r = Cli.run("test", file);
    assertThat(r.exit()).as(r.toString()).isZero();
  }

  @Test
  void aFailureShowsTheErrorOfTheHandlerBehindIt() throws Exception {
    int port = FreePorts.tcp();
    String file = spec("h.star", """
        def token(req):
            return json_response(200, {"user": req["query"]["user"]})
        auth = mock_service("auth", interface("main", "http", %d), routes = {"POST /token": dynamic(token)})
        def test_token():
            assert_eq(auth.main.post(path = "/token").status, 200)
        """.formatted(port));
    Cli r = Cli.run("test", file);
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.out()).contains("  reason: assert_eq failed: got 500, want 200\n")
        .contains("  mock errors:\n    auth.main POST /token: " + file + ":2:52: key \"user\" not found in dictionary\n");
  }

  /** When a run ends, the plugins have stopped everything they started: no faultbox thread is left. */
  @Test
  void noFaultboxThreadOutlivesARun() throws Exception {
    int tcp = FreePorts.tcp();
    int http = FreePorts.tcp();
    int grpc = FreePorts.tcp();
    String file = spec("threads.star", """
        legacy = mock_service("legacy", interface("main", "tcp", %d), routes = {"PING": bytes_response(data = "PONG\\n")})
        web = mock_service("web", interface("main", "http", %d), routes = {"GET /x": dynamic(lambda req: status_only(204))})
        flags = mock_service("flags", interface("main", "grpc", %d), routes = {"/f.F/Get": grpc_response(body = {"on": True})})
        def test_all():
            assert_eq(legacy.main.send(data = "PING"), "PONG")
            assert_eq(web.main.get(path = "/x").status, 204)
            assert_eq(flags.main.call(method = "/f.F/Get").json, {"on": True})
            fault(web.main, delay(path = "/x", delay = "10ms"), run = lambda: web.main.get(path = "/x"))
        """.formatted(tcp, http, grpc));
    Cli r = Cli.run("test", file);
    assertThat(r.exit()).as(r.toString()).isZero();
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    List<String> left;
    do {
      left = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
          .filter(n -> n.startsWith("faultbox-")).toList();
    } while (!left.isEmpty() && System.nanoTime() < deadline && sleep());
    assertThat(left).isEmpty();
  }

  private static boolean sleep() throws InterruptedException {
    Thread.sleep(50);
    return true;
  }

  @Test
  void checkPluginsStdlibVersionAndHelp() throws Exception {
    String file = spec("s.star", "a = mock_service(\"a\", interface(\"main\", \"tcp\", 9000))\ndef test_a():\n    pass\n");
    Cli check = Cli.run("check", file);
    assertThat(check.exit()).isZero();
    assertThat(check.out()).isEqualTo("ok: " + file + ": 1 service, 1 test\n");

    Cli plugins = Cli.run("plugins");
    assertThat(plugins.exit()).isZero();
    assertThat(plugins.out()).containsPattern("udp-tcp\\s+\\S+\\s+2\\s+tcp,udp\\s+\\S+");

    Cli list = Cli.run("stdlib");
    assertThat(list.out()).contains("@faultbox/mocks/statsd.star");
    Cli show = Cli.run("stdlib", "show", "mocks/statsd.star");
    assertThat(show.exit()).isZero();
    assertThat(show.out()).contains("statsd = struct(");
    Cli missing = Cli.run("stdlib", "show", "mocks/nope.star");
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).startsWith("error: no stdlib module mocks/nope.star; available: ");

    assertThat(Cli.run("--version").out()).startsWith("faultbox ");
    Cli help = Cli.run("--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("test").contains("run").contains("check").contains("plugins").contains("stdlib");

    Cli bad = Cli.run("test", "--no-such-flag", file);
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.err()).startsWith("error: Unknown option: '--no-such-flag'");

    Cli badTimeout = Cli.run("test", file, "--timeout", "soon");
    assertThat(badTimeout.exit()).isEqualTo(1);
    assertThat(badTimeout.err()).isEqualTo("error: --timeout: cannot read \"soon\" as a duration; write it like \"5s\", \"200ms\" or \"1m30s\"\n");

    Cli zero = Cli.run("test", file, "--timeout", "0s");
    assertThat(zero.exit()).isEqualTo(1);
    assertThat(zero.err()).isEqualTo("error: --timeout must be longer than zero, got 0s\n");

    // TEST-NET-1: no machine here has it; checking sends no traffic.
    Cli foreign = Cli.run("test", file, "--bind", "192.0.2.1");
    assertThat(foreign.exit()).isEqualTo(1);
    assertThat(foreign.err()).isEqualTo("error: --bind 192.0.2.1: not an address of this machine\n");

    Cli noFile = Cli.run("test", dir.resolve("absent.star").toString());
    assertThat(noFile.exit()).isEqualTo(1);
    assertThat(noFile.err()).isEqualTo("error: spec file " + dir.resolve("absent.star") + " not found\n");
  }

  @Test
  void stdlibStatsdWrapper() throws Exception {
    int udp = FreePorts.udp();
    String file = spec("s.star", """
        load("@faultbox/mocks/statsd.star", "statsd")
        metrics = statsd.server("metrics", interface("main", "udp", %d))
        def test_counted():
            metrics.main.send_no_reply(data = "orders.created:1|c")
            metrics.main.send_no_reply(data = "orders.paid:1|c")
            metrics.main.send_no_reply(data = "users.login:1|c")
            assert_eventually(statsd.metrics("metrics", "orders.").count() == 2)
        """.formatted(udp));
    Cli r = Cli.run("test", file);
    assertThat(r.exit()).as(r.toString()).isZero();
  }
}
