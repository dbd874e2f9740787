package dev.faultbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.testkit.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The suite-shaping builtins (scenario, test(), duration) through the CLI, against a real HTTP mock. */
class SpecLanguageTest {
  @TempDir Path dir;

  private String spec(String name, String source) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, source);
    return p.toString();
  }

  @Test
  void scenariosAndDeclarativeTestsAreDiscoveredAndRun() throws Exception {
    int port = FreePorts.tcp();
    String file = spec("suite.star", """
        api = mock_service("api", interface("main", "http", %d),
            routes = {"GET /orders": json_response(status = 200, body = {"n": 2})})

        def list_orders():
            return api.main.get(path = "/orders")
        orders = scenario(list_orders)

        def missing():
            assert_eq(api.main.get(path = "/nope").status, 200, "missing route")
        scenario(missing)

        def test_composed():
            assert_eq(orders().status, 200)

        def warm():
            api.main.get(path = "/orders")
        test("counted", setup = warm, body = orders,
            expect = lambda r: assert_eq(events().where(service = "api", path = "/orders").count(), 2))
        test("wrong_expect", body = orders, expect = lambda r: assert_eq(r.status, 503, "wanted an outage"))
        def forever():
            sleep("30s")
        test("slow", body = forever, timeout = duration("300ms"))
        """.formatted(port));
    Cli r = Cli.run("test", file);
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.out())
        .containsPattern("--- PASS: test_list_orders \\(\\d+ms\\) ---")
        .containsPattern("--- FAIL: test_missing \\(\\d+ms\\) ---")
        .contains("  reason: assert_eq failed: got 404, want 200: missing route")
        .containsPattern("--- PASS: test_composed \\(\\d+ms\\) ---")
        .containsPattern("--- PASS: test_counted \\(\\d+ms\\) ---")
        .containsPattern("--- FAIL: test_wrong_expect \\(\\d+ms\\) ---")
        .contains("  reason: assert_eq failed: got 200, want 503: wanted an outage")
        .containsPattern("--- FAIL: test_slow \\(\\d+ms\\) ---")
        .contains("  reason: timed out after 300ms (interrupted)")
        .endsWith("\n3 passed, 3 failed\n");

    Cli none = Cli.run("test", file, "--test", "nothing");
    assertThat(none.err()).isEqualTo("error: no test matched filter \"nothing\" (available: test_composed, test_counted, "
        + "test_list_orders, test_missing, test_slow, test_wrong_expect)\n");

    Cli one = Cli.run("test", file, "--test", "list_orders");
    assertThat(one.exit()).as(one.toString()).isZero();
    assertThat(one.out()).endsWith("1 passed, 0 failed\n");
  }

  @Test
  void parallelCallsTwoMocksAtOnceWithResultsInArgumentOrder() throws Exception {
    int slow = FreePorts.tcp();
    int quick = FreePorts.tcp();
    String file = spec("parallel.star", """
        slow = mock_service("slow", interface("main", "http", %d),
            routes = {"GET /a": json_response(status = 200, body = {"from": "slow"})})
        quick = mock_service("quick", interface("main", "tcp", %d),
            routes = {"PING\\n": bytes_response(data = "PONG\\n")})
        def slow_call():
            return fault(slow.main, delay(path = "/a", delay = "300ms"), run = lambda: slow.main.get(path = "/a"))
        def test_both():
            got = parallel(slow_call, lambda: quick.main.send(data = "PING"))
            assert_eq(got[0].json["from"], "slow")
            assert_eq(got[1], "PONG")
            recv = [e.service for e in events().where(kind = "mock")]
            assert_eq(recv[0], "quick", "the quick call did not wait for the slow one")
        def test_one_fails():
            parallel(slow_call, lambda: assert_eq(quick.main.send(data = "PING"), "PANG"))
        """.formatted(slow, quick));
    Cli r = Cli.run("test", file);
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.out())
        .containsPattern("--- PASS: test_both \\(\\d+ms\\) ---")
        .containsPattern("--- FAIL: test_one_fails \\(\\d+ms\\) ---")
        .contains("  reason: assert_eq failed: got \"PONG\", want \"PANG\"")
        .contains("  at: " + file + ":14:42")
        .endsWith("\n1 passed, 1 failed\n");
  }

  @Test
  void faultMatrixRunsEachScenarioUnderEachFaultWithOverridesAndADefault() throws Exception {
    int port = FreePorts.tcp();
    String file = spec("matrix.star", """
        api = mock_service("api", interface("main", "http", %d),
            routes = {"GET /orders": json_response(status = 200, body = {"n": 2}),
                      "GET /stock": json_response(status = 200, body = {"n": 5})})
        outage = fault_assumption("outage", target = api.main, rules = [error(path = "/orders", status = 503)])
        slow = fault_assumption("slow", target = api.main, rules = [delay(path = "/stock", delay = "50ms")])

        def orders():
            return api.main.get(path = "/orders")
        def stock():
            return api.main.get(path = "/stock")
        scenario(orders)
        scenario(stock)
        fault_scenario("orders_down", scenario = orders, faults = outage, expect = lambda r: assert_eq(r.status, 503))

        fault_matrix(
            scenarios = [orders, stock],
            faults = [outage, slow],
            default_expect = lambda r: assert_eq(r.status, 200, "default"),
            overrides = {(orders, outage): lambda r: assert_eq(r.status, 503, "outage")},
        )
        """.formatted(port));
    Cli r = Cli.run("test", file);
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out())
        .containsPattern("--- PASS: test_orders \\(\\d+ms\\) ---")
        .containsPattern("--- PASS: test_stock \\(\\d+ms\\) ---")
        .containsPattern("--- PASS: test_orders_down \\(\\d+ms\\) ---")
        .containsPattern("--- PASS: test_matrix_orders_outage \\(\\d+ms\\) ---")
        .containsPattern("--- PASS: test_matrix_orders_slow \\(\\d+ms\\) ---")
        .containsPattern("--- PASS: test_matrix_stock_outage \\(\\d+ms\\) ---")
        .containsPattern("--- PASS: test_matrix_stock_slow \\(\\d+ms\\) ---")
        .endsWith("\n7 passed, 0 failed\n");

    for (String filter : new String[] {"matrix", "test_matrix", "matrix_*"}) {
      Cli cells = Cli.run("test", file, "--test", filter);
      assertThat(cells.exit()).as(cells.toString()).isZero();
      assertThat(cells.out()).doesNotContain("test_orders ").endsWith("\n4 passed, 0 failed\n");
    }
    Cli cell = Cli.run("test", file, "--test", "matrix_stock_slow");
    assertThat(cell.out()).containsPattern("--- PASS: test_matrix_stock_slow ").endsWith("\n1 passed, 0 failed\n");
  }

  @Test
  void aMatrixCellFailsOnItsExpectationOrWhenItsFaultNeverFires() throws Exception {
    int port = FreePorts.tcp();
    String file = spec("cells.star", """
        api = mock_service("api", interface("main", "http", %d),
            routes = {"GET /orders": json_response(status = 200, body = {"n": 2}),
                      "GET /stock": json_response(status = 200, body = {"n": 5})})
        outage = fault_assumption("outage", target = api.main, rules = [error(path = "/orders", status = 503)])

        def orders():
            return api.main.get(path = "/orders")
        def stock():
            return api.main.get(path = "/stock")

        fault_matrix(scenarios = [orders, stock], faults = [outage], exclude = [("stock", "outage")],
            require_faults_fire = True,  # it fires: the cell fails on its expectation instead
            default_expect = lambda r: assert_eq(r.status, 200, "orders must survive an outage"))
        fault_matrix(scenarios = [stock], faults = [outage], require_faults_fire = True)
        """.formatted(port));
    Cli r = Cli.run("test", file);
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.out())
        .containsPattern("--- FAIL: test_matrix_orders_outage \\(\\d+ms\\) ---")
        .contains("  reason: assert_eq failed: got 503, want 200: orders must survive an outage")
        .containsPattern("--- FAIL: test_matrix_stock_outage \\(\\d+ms\\) ---")
        .contains("  reason: require_faults_fire: fault \"outage\" never fired: no request matched its rules, "
            + "so this cell did not test the fault")
        .endsWith("\n0 passed, 2 failed\n");
  }

  @Test
  void faultMatrixBadInputIsALoadErrorWithLocation() throws Exception {
    String head = "api = mock_service(\"api\", interface(\"main\", \"http\", 1))\n"
        + "a = fault_assumption(\"a\", target = api.main, rules = [error(status = 503)])\n"
        + "b = fault_assumption(\"b\", target = api.main, rules = [drop()])\n"
        + "def s():\n    pass\n"
        + "def t():\n    pass\n";
    expectLoadError("m_kw.star", head + "fault_matrix(scenarios = [s], faults = [a], overide = {})\n",
        "m_kw.star:8:13: fault_matrix() got unexpected keyword argument 'overide' (did you mean 'overrides'?)");
    expectLoadError("m_scn.star", head + "fault_matrix(scenarios = s, faults = [a])\n",
        "m_scn.star:8:13: fault_matrix() scenarios must be a non-empty list of functions defined with def, got function");
    expectLoadError("m_fa.star", head + "fault_matrix(scenarios = [s], faults = [\"a\"])\n",
        "m_fa.star:8:13: fault_matrix() faults must hold fault_assumption values, got string");
    expectLoadError("m_fire.star", head + "fault_matrix(scenarios = [s], faults = [a], require_faults_fire = \"yes\")\n",
        "m_fire.star:8:13: fault_matrix() require_faults_fire must be True or False, got string");
    expectLoadError("m_key.star", head + "fault_matrix(scenarios = [s], faults = [a], overrides = {(t, a): len})\n",
        "m_key.star:8:13: fault_matrix() overrides key (t, \"a\"): scenario t is not one of the matrix's scenarios (s)");
    expectLoadError("m_key2.star", head + "fault_matrix(scenarios = [s], faults = [a], overrides = {(s, b): len})\n",
        "m_key2.star:8:13: fault_matrix() overrides key (s, \"b\"): fault \"b\" is not one of the matrix's faults (a)");
    expectLoadError("m_pair.star", head + "fault_matrix(scenarios = [s], faults = [a], exclude = [s])\n",
        "m_pair.star:8:13: fault_matrix() exclude key must be a (scenario, assumption) pair, got s");
    expectLoadError("m_over_ex.star", head + "fault_matrix(scenarios = [s], faults = [a, b], exclude = [(s, b)], overrides = {(s, b): len})\n",
        "m_over_ex.star:8:13: fault_matrix() overrides the cell (s, b), which exclude leaves out");
    expectLoadError("m_dup.star", head + "fault_matrix(scenarios = [s, t], faults = [a, a])\n",
        "m_dup.star:8:13: fault_matrix() faults lists the assumption \"a\" twice; each cell name must be unique");
    expectLoadError("m_again.star", head + "fault_matrix(scenarios = [s], faults = [a])\nfault_matrix(scenarios = [s], faults = [a])\n",
        "m_again.star:9:13: a test named test_matrix_s_a is already registered by fault_matrix at ");
    expectLoadError("m_mon.star", head + "fault_matrix(scenarios = [s], faults = [a], monitors = [len])\n",
        "m_mon.star:8:13: fault_matrix() monitors= is not supported yet");
  }

  @Test
  void badInputIsALoadErrorWithLocation() throws Exception {
    expectLoadError("lambda.star", "scenario(lambda: 1)\n",
        "lambda.star:1:9: scenario() needs a function defined with def, not a lambda: its name names the test");
    expectLoadError("kw.star", "test(\"x\", body = len, timout = \"1s\")\n",
        "kw.star:1:5: test() got unexpected keyword argument 'timout' (did you mean 'timeout'?); accepted: name, body, setup, expect, timeout");
    expectLoadError("body.star", "test(\"x\", body = \"len\")\n",
        "body.star:1:5: test(\"x\") body must be a function (a def or a lambda), got string");
    expectLoadError("dur.star", "d = duration(\"2 weeks\")\n",
        "dur.star:1:13: duration(): cannot read \"2 weeks\" as a duration; write it like \"5s\", \"200ms\" or \"1m30s\"");
    expectLoadError("one.star", "def a():\n    pass\ndef test_p():\n    parallel(a)\n",
        "one.star:4:13: parallel() needs at least two functions to run at once, got 1; call a single function directly");
    expectLoadError("twice.star", "def a():\n    pass\nscenario(a)\nscenario(a)\n",
        "twice.star:4:9: a test named test_a is already registered by scenario at ");
  }

  private void expectLoadError(String name, String source, String expectedStart) throws IOException {
    String file = spec(name, source);
    for (String command : new String[] {"test", "check"}) {
      Cli r = Cli.run(command, file);
      assertThat(r.exit()).as(r.toString()).isEqualTo(1);
      assertThat(r.err()).as(r.toString()).startsWith("error: " + dir.resolve(expectedStart));
      assertThat(r.err().strip()).as("one line, no stack trace").doesNotContain("\n");
      assertThat(r.out()).isEmpty();
    }
  }
}
