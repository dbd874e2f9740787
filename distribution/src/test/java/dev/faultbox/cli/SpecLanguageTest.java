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
        "m_mon.star:8:13: fault_matrix() monitors must hold monitor(...) values, got builtin_function_or_method");
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

  @Test
  void monitorsFailTheTestNamingTheMonitorAndTheEvent() throws Exception {
    int port = FreePorts.tcp();
    String file = spec("monitors.star", """
        api = mock_service("api", interface("main", "http", %d),
            routes = {"GET /ok": json_response(status = 200, body = {}),
                      "GET /bad": json_response(status = 500, body = {})})

        def count(e, s):
            s["n"] += 1  # the state is the test's own copy: update may change it in place
            return s
        monitor("at_most_two", on = match.event(service = "api"), state_init = {"n": 0}, update = count,
            check = lambda e, s: s["n"] <= 2)
        no_5xx = monitor("no_5xx", on = match.event(service = "api"), check = lambda e, s: e.status < 500)
        down = fault_assumption("down", target = api.main, rules = [error(path = "/ok", status = 503)],
            monitors = [no_5xx])

        def test_two_calls():
            assert_true(api.main.get(path = "/ok").ok)
            api.main.get(path = "/bad")  # no_5xx watches only while down is laid

        def test_three_calls():
            for _ in range(3):
                api.main.get(path = "/ok")
            sleep("20s")  # the violation stops the test at once

        def test_under_fault():
            fault(down, run = lambda: api.main.get(path = "/ok"))

        def test_in_test():
            monitor("no_bad", on = {"path": "/bad"}, check = lambda e, s: False)
            api.main.get(path = "/ok")
            api.main.get(path = "/bad")

        def raises(e, s):
            fail("saw " + e.path)
        fault_scenario("scoped", scenario = lambda: api.main.get(path = "/ok"),
            monitors = [monitor("loud", on = match.event(path = "/ok"), check = raises)])

        def stepping(e, s):
            return api.main.get(path = "/ok").ok
        fault_scenario("sandboxed", scenario = lambda: api.main.get(path = "/bad"),
            monitors = [monitor("stepper", on = match.all(), check = stepping)])
        """.formatted(port));
    Cli r = Cli.run("test", file);
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.out())
        .containsPattern("--- PASS: test_two_calls \\(\\d+ms\\) ---")
        .containsPattern("--- FAIL: test_three_calls \\((\\d{1,3}|[1-4]\\d{3})ms\\) ---")
        .containsPattern("  reason: monitor \"at_most_two\" violated at event\\(#2 api.main mock.GET /ok .*\\): "
            + "check returned False \\(state: \\{\"n\": 3\\}\\)\n  at: " + java.util.regex.Pattern.quote(file) + ":8:8\n")
        .contains("  reason: monitor \"no_5xx\" violated at event(#1 api.main mock.GET /ok ")
        .containsPattern("  reason: monitor \"no_bad\" violated at event\\(#1 api.main mock.GET /bad .*\\): check returned False")
        .contains("  reason: monitor \"loud\" violated at event(#0 api.main mock.GET /ok ")
        .contains("): failed: saw /ok\n  at: " + file + ":32:9\n")
        .contains("): failed: a step cannot be called in a monitor's on=, update= or check=: they only read the event "
            + "and the state\n")
        .endsWith("\n1 passed, 5 failed\n");
  }

  @Test
  void awaitEventReturnsAnEventThatArrivesLaterAndAwaitStableWaitsForQuiet() throws Exception {
    int port = FreePorts.tcp();
    String file = spec("waits.star", """
        api = mock_service("api", interface("main", "http", %d),
            routes = {"GET /ok": json_response(status = 200, body = {}),
                      "POST /audit": json_response(status = 202, body = {})})

        def later():
            sleep("300ms")
            return api.main.post(path = "/audit", body = "x")
        def waiting():
            return await_event(match.event(service = "api", op = "POST /audit"), timeout = "5s")

        def test_later():
            got = parallel(waiting, later)
            assert_eq(got[0].path, "/audit")
            assert_eq(got[0].status, 202)
            assert_true(got[1].ok)

        def test_existing_and_order():
            api.main.get(path = "/ok")
            api.main.post(path = "/audit", body = "x")
            assert_eq(await_event(lambda e: e.path == "/ok").method, "GET")
            assert_before(first = match.event(path = "/ok"), then = {"path": "/audit"})
            await_stable(quiescence = "100ms", timeout = "5s")

        def test_wrong_order():
            api.main.post(path = "/audit", body = "x")
            api.main.get(path = "/ok")
            assert_before(first = match.event(path = "/ok"), then = match.event(path = "/audit"), msg = "audit last")

        def test_never_comes():
            assert_true(api.main.get(path = "/ok").ok)
            await_event(match.any(match.event(path = "/audit"), match.never()), timeout = "200ms")

        def chatter():
            for _ in range(12):
                api.main.get(path = "/ok")
                sleep("50ms")
        def test_unstable():
            parallel(chatter, lambda: await_stable(quiescence = "200ms", timeout = "300ms"))

        def test_stable_ignoring():
            parallel(chatter, lambda: await_stable(quiescence = "200ms", ignore = match.event(path = "/ok"), timeout = "2s"))
            assert_true(len(events().where(path = "/ok")) >= 1)
        """.formatted(port));
    Cli r = Cli.run("test", file);
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.out())
        .containsPattern("--- PASS: test_later \\(\\d+ms\\) ---")
        .containsPattern("--- PASS: test_existing_and_order \\(\\d+ms\\) ---")
        .containsPattern("--- FAIL: test_wrong_order \\(\\d+ms\\) ---")
        .containsPattern("  reason: assert_before failed: then = match.event\\(path = \"/audit\"\\) matched "
            + "event\\(#0 api.main mock.POST /audit .*\\) before first = match.event\\(path = \"/ok\"\\) matched "
            + "event\\(#1 api.main mock.GET /ok .*\\): audit last\n")
        .contains("  reason: await_event: no event matched match.any(match.event(path = \"/audit\"), match.never()) "
            + "within 200ms (1 events recorded)\n")
        .contains("  reason: await_stable: events kept arriving for 300ms, never 200ms apart")
        .containsPattern("--- PASS: test_stable_ignoring \\(\\d+ms\\) ---")
        .endsWith("\n3 passed, 3 failed\n");
  }

  @Test
  void vacuousTestsAndUnprovenInterfacesAreWarnedAboutAndFailUnderStrict() throws Exception {
    int port = FreePorts.tcp();
    String file = spec("vacuous.star", """
        api = mock_service("api", interface("main", "http", %d),
            routes = {"GET /ok": json_response(status = 200, body = {})})
        cache = mock_service("cache", interface("main", "http", %d), routes = {"GET /k": json_response(status = 200, body = {})})

        def test_touches_only():
            api.main.get(path = "/ok")

        def test_cache_down():
            r = fault(cache.main, drop(), run = lambda: cache.main.get(path = "/k"))
            assert_true(not r.ok, "the drop fails the call")

        def test_api_works():
            assert_true(api.main.get(path = "/ok").ok)
        """.formatted(port, FreePorts.tcp()));
    String noAssertions = "no assertions: test_touches_only passed without evaluating an assert_*, an expect= or a "
        + "monitor check, so it cannot fail; assert on what it did";
    String noControl = "no positive control for cache.main: steps reached it in 1 test, but in no passing test that "
        + "asserted anything did a step on it succeed, so the suite would pass if it were broken; add a test that "
        + "calls it with no fault and asserts on the result (assert_true(r.ok))";
    Cli r = Cli.run("test", file);
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out())
        .containsPattern("--- PASS: test_touches_only \\(\\d+ms\\) ---\n  warning: " + java.util.regex.Pattern.quote(noAssertions) + "\n")
        .endsWith("\nwarning: " + noControl + "\n3 passed, 0 failed\n")
        .doesNotContain("api.main:");

    Cli json = Cli.run("test", file, "--format", "json");
    assertThat(json.exit()).as(json.toString()).isZero();
    var doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out());
    assertThat(doc.at("/warnings/0/code").asText()).isEqualTo("NO_POSITIVE_CONTROL");
    assertThat(doc.at("/warnings/0/message").asText()).isEqualTo(noControl);
    assertThat(doc.at("/warnings").size()).isOne();
    var touches = doc.at("/tests/2");
    assertThat(touches.at("/name").asText()).isEqualTo("test_touches_only");
    assertThat(touches.at("/assertions").asInt()).isZero();
    assertThat(touches.at("/warnings/0/code").asText()).isEqualTo("TEST_NO_ASSERTIONS");
    assertThat(doc.at("/tests/0/assertions").asInt()).isOne();
    assertThat(doc.at("/tests/0/warnings").size()).isZero();

    Cli strict = Cli.run("test", file, "--strict");
    assertThat(strict.exit()).as(strict.toString()).isEqualTo(2);
    assertThat(strict.out())
        .containsPattern("--- FAIL: test_touches_only \\(\\d+ms\\) ---\n  reason: " + java.util.regex.Pattern.quote(noAssertions) + " \\(--strict\\)\n")
        .endsWith("\nwarning: " + noControl + "\n2 passed, 1 failed\n--strict: 1 warning fails the run\n");
    Cli strictClean = Cli.run("test", file, "--strict", "--test", "api_works");
    assertThat(strictClean.exit()).as(strictClean.toString()).isZero();
  }

  @Test
  void aTestPastMaxEventsKeepsOneOverflowEventAndSaysSo() throws Exception {
    int port = FreePorts.tcp();
    String file = spec("overflow.star", """
        api = mock_service("api", interface("main", "http", %d), routes = {"GET /": json_response(status = 200, body = {})})

        def test_many():
            for _ in range(10):
                api.main.get(path = "/")
            assert_eq(len(events()), 6)
            last = events()[-1]
            assert_eq(last.type, "log.overflow")
            assert_eq(last.dropped, 5)
        """.formatted(port));
    Cli r = Cli.run("test", file, "--max-events", "5");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("  warning: event log full: test_many kept its first 5 events and dropped 5 more "
        + "(one log.overflow event counts them); raise --max-events, or record less\n");
    Cli bad = Cli.run("test", file, "--max-events", "0");
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.err()).isEqualTo("error: --max-events must be in 1..60000000, got 0\n");
  }

  @Test
  void loadYamlExpectHangAndRegexFilters() throws Exception {
    int port = FreePorts.tcp();
    Files.writeString(dir.resolve("limits.yaml"), "api:\n  status: 503\n  paths: [/a, /b]\n");
    Files.writeString(dir.resolve("broken.yaml"), "a: [1, 2\n");
    String file = spec("small.star", """
        api = mock_service("api", interface("main", "http", %d),
            routes = {"GET /a": json_response(status = 200, body = {})})
        limits = load_yaml("limits.yaml")
        down = fault_assumption("down", target = api.main, rules = [delay(path = "/a", delay = "2s")])

        def test_yaml():
            assert_eq(limits["api"]["status"], 503)
            assert_eq(limits["api"]["paths"], ["/a", "/b"])

        def hangs():
            return api.main.get(path = "/a", timeout_ms = 100)
        fault_scenario("hang_under_delay", scenario = hangs, faults = down, expect = expect_hang())
        fault_scenario("no_hang", scenario = hangs, expect = expect_hang())
        fault_scenario("none_is_a_hang", scenario = lambda: None, expect = expect_hang())
        """.formatted(port));
    Cli r = Cli.run("test", file);
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.out())
        .containsPattern("--- PASS: test_yaml \\(\\d+ms\\) ---")
        .containsPattern("--- PASS: test_hang_under_delay \\(\\d+ms\\) ---")
        .containsPattern("--- PASS: test_none_is_a_hang \\(\\d+ms\\) ---")
        .containsPattern("--- FAIL: test_no_hang \\(\\d+ms\\) ---\n  reason: expect_hang failed: the scenario returned "
            + "response\\(ok = True, status = 200, .*\\), not a hang \\(None, or a call that timed out\\)\n")
        .endsWith("\n3 passed, 1 failed\n");

    Cli regex = Cli.run("test", file, "--test", "~hang");
    assertThat(regex.out()).contains("test_hang_under_delay", "test_no_hang", "test_none_is_a_hang")
        .doesNotContain("test_yaml").endsWith("\n2 passed, 1 failed\n");
    Cli anchored = Cli.run("test", file, "--test", "~^test_(yaml|none)");
    assertThat(anchored.out()).endsWith("\n2 passed, 0 failed\n");
    Cli bad = Cli.run("test", file, "--test", "~(");
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.err()).isEqualTo("error: --test ~(: not a regular expression: Unclosed group near index 1\n");

    expectLoadError("yaml.star", "x = load_yaml(\"broken.yaml\")\n", "yaml.star:1:14: load_yaml(\"broken.yaml\"): not valid YAML: ");
  }

  @Test
  void monitorsWaitsAndMatchersRefuseBadInputAtLoad() throws Exception {
    String head = "api = mock_service(\"api\", interface(\"main\", \"http\", 1))\n";
    expectLoadError("mon_kw.star", head + "monitor(\"m\", on = match.all(), chek = len)\n",
        "mon_kw.star:2:8: monitor() got unexpected keyword argument 'chek' (did you mean 'check'?); accepted: name, on, "
            + "state_init, update, check");
    expectLoadError("mon_on.star", head + "monitor(\"m\", check = lambda e, s: True)\n",
        "mon_on.star:2:8: monitor(\"m\") needs on=, the events it watches, such as match.event(service = \"api\"); "
            + "to watch every event, write on = match.all()");
    expectLoadError("mon_fn.star", head + "def f(e):\n    pass\nmonitor(f)\n",
        "mon_fn.star:4:8: monitor() takes a name first, then on=, update= and check=");
    expectLoadError("mon_check.star", head + "monitor(\"m\", on = match.all(), check = True)\n",
        "mon_check.star:2:8: monitor(\"m\") check must be a function of the event and the state, such as "
            + "lambda event, state: event.status < 500, got bool");
    expectLoadError("mon_none.star", head + "monitor(\"m\", on = match.all())\n",
        "mon_none.star:2:8: monitor(\"m\") needs check= (and may have update=): a monitor with neither checks nothing");
    expectLoadError("mon_on_type.star", head + "monitor(\"m\", on = \"api\", check = len)\n",
        "mon_on_type.star:2:8: monitor(\"m\") on= takes a matcher such as match.event(service = \"api\"), a function "
            + "of an event, or a dict of attribute filters, got string");
    expectLoadError("match_any.star", head + "m = match.any(match.never(), 3)\n",
        "match_any.star:2:14: match.any() takes matchers such as match.event(service = \"api\"), got int");
    expectLoadError("mons.star", head + "fault_assumption(\"a\", target = api.main, rules = [drop()], monitors = match.never())\n",
        "mons.star:2:17: fault_assumption(\"a\") monitors must be a list of monitor(...) values, got matcher");
    expectLoadError("scn_mons.star", head + "fault_scenario(\"s\", scenario = len, monitors = [1])\n",
        "scn_mons.star:2:15: fault_scenario(\"s\") monitors must hold monitor(...) values, got int");
    expectLoadError("await.star", head + "e = await_event(3)\n",
        "await.star:2:16: await_event() takes a matcher such as match.event(service = \"api\"), a function of an event, "
            + "or a dict of attribute filters, got int");
    expectLoadError("stable.star", head + "await_stable(quiescence = \"soon\")\n",
        "stable.star:2:13: await_stable() quiescence: cannot read \"soon\" as a duration");
    expectLoadError("before.star", head + "assert_before(first = [], then = {})\n",
        "before.star:2:14: assert_before() first= takes a matcher such as match.event(service = \"api\"), a function of "
            + "an event, or a dict of attribute filters, got list");
    expectLoadError("match_kw.star", head + "m = match.event(status = [500])\n",
        "match_kw.star:2:16: where(status = ...): a filter is a string (a glob), a number or a bool, not a list");
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
