package dev.faultbox.kernel.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultbox.kernel.SpecException;
import dev.faultbox.kernel.Specs;
import dev.faultbox.kernel.spec.SpecSession;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestRunnerTest {
  @TempDir Path dir;
  Specs specs;
  int port;

  @BeforeEach
  void setUp() {
    specs = new Specs(dir);
    port = Specs.freePort();
  }

  private Map<String, TestResult> run(String body) throws SpecException {
    String source = "m = mock_service(\"m\", interface(\"main\", \"fake\", " + port + "))\n" + body;
    try (SpecSession s = specs.load(source)) {
      TestRunner runner = new TestRunner(s);
      List<TestResult> seen = new ArrayList<>();
      List<TestResult> results = runner.run(runner.select(null), seen::add);
      assertThat(seen).isEqualTo(results);
      return results.stream().collect(Collectors.toMap(TestResult::name, r -> r));
    }
  }

  @Test
  void passAndFailWithReasonAndLocation() throws Exception {
    var r = run("""
        def test_ok():
            assert_eq(1 + 1, 2)
        def test_bad():
            x = 404
            assert_eq(x, 200, "status")
        """);
    assertThat(r.get("test_ok").passed()).isTrue();
    TestResult bad = r.get("test_bad");
    assertThat(bad.passed()).isFalse();
    assertThat(bad.reason()).isEqualTo("assert_eq failed: got 404, want 200: status");
    assertThat(bad.location()).isEqualTo("spec.star:6:14");
    assertThat(Reports.console(bad, "spec.star"))
        .startsWith("--- FAIL: test_bad (")
        .contains("  reason: assert_eq failed: got 404, want 200: status\n")
        .contains("  at: spec.star:6:14\n")
        .contains("  replay: faultbox test spec.star --test test_bad\n");
    assertThat(Reports.console(r.get("test_ok"), "spec.star")).matches("--- PASS: test_ok \\(\\d+ms\\) ---\n");
    assertThat(Reports.totals(List.copyOf(r.values()))).isEqualTo("1 passed, 1 failed");
  }

  @Test
  void eachTestStartsWithAnEmptyLogAndFreshMocks() throws Exception {
    var r = run("""
        def test_a_emits():
            m.main.emit(op = "recv")
            assert_eq(events().count(), 1)
        def test_b_sees_nothing():
            assert_eq(events().count(), 0)
            m.main.emit(op = "recv")
            assert_eq(len(events()), 1)
        """);
    assertThat(r.values()).allMatch(TestResult::passed, "all passed: " + r);
    assertThat(r.get("test_a_emits").events()).hasSize(1);
  }

  @Test
  void eventQueries() throws Exception {
    var r = run("""
        def test_queries():
            m.main.emit(op = "recv")
            m.main.emit(op = "GET /.well-known/openid-configuration/jwks")
            m.main.emit(op = "recv")
            q = events().where(service = "m", op = "recv")
            assert_eq(q.count(), 2)
            assert_eq(len(q), 2)
            assert_eq(q.first().seq, 0)
            assert_eq(q.last().seq, 2)
            assert_eq(q[1].seq, 2)
            assert_eq(q[-1].seq, 2)
            assert_eq([e.seq for e in q], [0, 2])
            assert_eq(events().where(op = "GET /.well-known/**").count(), 1)
            assert_eq(events().where(op = "POST /*").count(), 0)
            assert_eq(events(service = "m").where(n = 1).count(), 3)
            assert_eq(events().where(where = is_get).count(), 1)
            assert_eq(events().where(service = "other").first(), None)
            e = events()[0]
            assert_eq([e.service, e.interface, e.kind, e.type, e.op], ["m", "main", "mock", "mock.recv", "recv"])
            assert_eq(e.fields, {"code": "204", "n": 1, "ok": True, "tags": {"env": "prod"}})
            assert_eq(e.tags["env"], "prod")  # a structured field is data
            assert_eq(events().where(tags = '*"env":"prod"*').count(), 3)  # and its JSON text takes globs
            assert_eq(e.n, 1)  # numbers stay numbers
            assert_eq(events().where(n = "1").count(), 3)  # a glob matches a number's text
            assert_eq(events().where(n = 1.0).count(), 3)
            assert_eq(events().where(n = 2).count(), 0)
            assert_eq(events().where(code = 204).count(), 3)  # a number matches text that spells it
            assert_eq(events().where(ok = True).count(), 3)
            assert_eq(events().where(ok = "true").count(), 3)
            assert_eq(events().where(seq = 1).count(), 1)
            assert_eq(e.missing_field, "")
            m.main.emit(op = "recv")
            assert_eq(q.count(), 3)  # a query is a live view
        def is_get(e):
            return e.op.startswith("GET")
        """);
    TestResult t = r.get("test_queries");
    assertThat(t.passed()).as(t.reason() + " at " + t.location()).isTrue();
  }

  @Test
  void aFilterWhoseTypeCannotMatchIsAnError() throws Exception {
    var r = run("""
        def test_int_op():
            m.main.emit(op = "recv")
            assert_eq(events().where(op = 42).count(), 0)
        def test_list_field():
            assert_eq(events().where(n = [1]).count(), 0)
        """);
    assertThat(r.get("test_int_op").reason()).isEqualTo("where(op = 42): op is text; give a string such as \"42\"");
    assertThat(r.get("test_int_op").location()).isEqualTo("spec.star:4:29");
    assertThat(r.get("test_list_field").reason())
        .isEqualTo("where(n = ...): a filter is a string (a glob), a number or a bool, not a list");
  }

  @Test
  void bytesValues() throws Exception {
    var r = run("""
        def test_bytes():
            b = hex_bytes("ff 00 80 61")
            assert_eq(type(b), "bytes")
            assert_eq(len(b), 4)
            assert_eq(b[0], 255)
            assert_eq(b[-1], 97)
            assert_eq(b[1:3].hex(), "0080")
            assert_eq(b[::-1].hex(), "618000ff")
            assert_eq((b + hex_bytes("62")).hex(), "ff00806162")
            assert_eq(b, hex_bytes("FF008061"))
            assert_true(128 in b)
            assert_eq([x for x in b[2:]], [128, 97])
            assert_eq(repr(b), r'b"\\xff\\x00\\x80a"')
            assert_eq(hex_bytes("6869").text(), "hi")
            assert_eq({b: 1}[hex_bytes("ff008061")], 1)
        def test_odd_hex():
            hex_bytes("abc")
        """);
    TestResult t = r.get("test_bytes");
    assertThat(t.passed()).as(t.reason() + " at " + t.location()).isTrue();
    assertThat(r.get("test_odd_hex").reason()).isEqualTo("hex_bytes(): \"abc\" is not an even number of hex digits");
  }

  @Test
  void everyDurationHasOneRange() throws Exception {
    var r = run("""
        def test_sleep():
            sleep("99999999999999999999h")
        def test_wait():
            assert_eventually(False, timeout = "25h")
        def test_delay():
            delay(delay = "24h1s")
        def test_longest():
            delay(delay = "24h")
        """);
    assertThat(r.get("test_sleep").reason())
        .isEqualTo("sleep() duration: \"99999999999999999999h\" is longer than the limit of 24h");
    assertThat(r.get("test_wait").reason()).isEqualTo("assert_eventually() timeout: \"25h\" is longer than the limit of 24h");
    assertThat(r.get("test_delay").reason()).isEqualTo("delay() delay: \"24h1s\" is longer than the limit of 24h");
    assertThat(r.get("test_longest").passed()).isTrue();
  }

  @Test
  void assertEventuallyWaitsForLateEvents() throws Exception {
    var r = run("""
        def late():
            return events().where(op = "late").count() == 1
        def test_waits():
            m.main.emit(op = "late", after_ms = 300)
            assert_eventually(late, timeout = "10s")
        def test_times_out():
            assert_eventually(late, timeout = "200ms")
        """);
    assertThat(r.get("test_waits").passed()).as(r.get("test_waits").reason()).isTrue();
    assertThat(r.get("test_waits").durationMs()).isGreaterThanOrEqualTo(250);
    TestResult out = r.get("test_times_out");
    assertThat(out.passed()).isFalse();
    assertThat(out.reason()).isEqualTo("assert_eventually failed: still false after 200ms (last value: False)");
    assertThat(out.durationMs()).isGreaterThanOrEqualTo(200);
  }

  @Test
  void assertNeverWatchesTheWindow() throws Exception {
    var r = run("""
        def boom():
            return events().where(op = "boom").count() > 0
        def test_quiet():
            assert_never(boom, within = "200ms")
        def test_noisy():
            m.main.emit(op = "boom", after_ms = 50)
            assert_never(boom, within = "5s")
        """);
    assertThat(r.get("test_quiet").passed()).isTrue();
    TestResult noisy = r.get("test_noisy");
    assertThat(noisy.passed()).isFalse();
    assertThat(noisy.reason()).startsWith("assert_never failed: became true after ");
    assertThat(noisy.durationMs()).isLessThan(4000);
  }

  @Test
  void assertTrueAndBadDurations() throws Exception {
    var r = run("""
        def test_true():
            assert_true(False, "it was false")
        def test_duration():
            assert_eventually(True, timeout = "soon")
        """);
    assertThat(r.get("test_true").reason()).isEqualTo("assert_true failed: got False: it was false");
    assertThat(r.get("test_duration").reason())
        .isEqualTo("assert_eventually() timeout: cannot read \"soon\" as a duration; write it like \"5s\", \"200ms\" or \"1m30s\"");
  }

  @Test
  void stepsReturnValuesAndResponses() throws Exception {
    var r = run("""
        def test_steps():
            assert_eq(m.main.echo(value = "hi"), "hi")
            assert_eq(m.echo("positional"), "hi" if False else "positional")
            resp = m.main.fetch()
            assert_true(resp.ok)
            assert_true(resp)
            assert_eq(resp.status, 200)
            assert_eq(resp.json, {"a": [1, 2]})
            assert_eq(resp.headers["Content-Type"], "application/json")
            assert_eq(resp.duration_ms, 7)
            assert_eq(m.main.fetch(body = "not json").json, None)
            assert_true(not m.main.fetch(ok = False))
            assert_eq(m.main.port, %d)
            assert_eq(m.main.addr, "localhost:%d")
        def test_bad_kwarg():
            m.main.echo(valeu = 1)
        """.formatted(port, port));
    assertThat(r.get("test_steps").passed()).as(r.get("test_steps").reason()).isTrue();
    assertThat(r.get("test_bad_kwarg").reason())
        .isEqualTo("echo() got unexpected keyword argument 'valeu' (did you mean 'value'?); accepted: value");
    assertThat(r.get("test_bad_kwarg").location()).isEqualTo("spec.star:17:16");
  }

  @Test
  void dynamicHandlersRunOffTheCallerWithABudget() throws Exception {
    String source = """
        def echo(req):
            return json_response(201, {"method": req["method"], "user": req["query"]["user"], "body": req["body"], "json": req.get("json")})
        def broken(req):
            fail("handler broke")
        def endless(req):
            n = 0
            for i in range(100000000):
                n += i
            return status_only(200)
        def wrong(req):
            return {"not": "a response"}
        m = mock_service("m", interface("main", "fake", %d), routes = {
            "echo": dynamic(echo), "broken": dynamic(broken), "endless": dynamic(endless), "wrong": dynamic(wrong),
        })
        def test_echo():
            r = m.main.invoke(pattern = "echo", body = '{"x": 1}')
            assert_eq(r.status, 201)
            assert_eq(r.json, {"method": "POST", "user": "alice", "body": '{"x": 1}', "json": {"x": 1}})
            assert_eq(r.raw[:5].text(), '{"met')
        def test_broken():
            r = m.main.invoke(pattern = "broken")
            assert_eq(r.error, "")
        def test_endless():
            r = m.main.invoke(pattern = "endless")
            assert_eq(r.error, "")
        def test_wrong():
            r = m.main.invoke(pattern = "wrong")
            assert_eq(r.error, "")
        """.formatted(port);
    try (SpecSession s = specs.load(source)) {
      TestRunner runner = new TestRunner(s);
      var r = runner.run(runner.select(null), x -> {}).stream().collect(Collectors.toMap(TestResult::name, x -> x));
      assertThat(r.get("test_echo").passed()).as(r.get("test_echo").reason()).isTrue();
      assertThat(r.get("test_broken").reason()).isEqualTo("assert_eq failed: got \"spec.star:4:9: handler broke\", want \"\"");
      assertThat(r.get("test_endless").reason()).contains("spec.star:").contains("dynamic handler exceeded its budget of 10000000 steps");
      assertThat(r.get("test_wrong").reason())
          .contains("spec.star:13:100: dynamic handler must return a response such as json_response(...) or bytes_response(...), got dict");
    }
  }

  @Test
  void aRunawayTestIsInterruptedAtItsTimeout() throws Exception {
    try (SpecSession s = specs.load("def test_forever():\n    n = 0\n    for i in range(2000000000):\n        for j in range(2000000000):\n            n += j\n"
        + "def test_after():\n    pass\n")) {
      TestRunner runner = new TestRunner(s, java.time.Duration.ofMillis(300), false);
      var r = runner.run(runner.select(null), x -> {}).stream().collect(Collectors.toMap(TestResult::name, x -> x));
      assertThat(r.get("test_forever").reason()).isEqualTo("timed out after 300ms (interrupted)");
      assertThat(r.get("test_forever").durationMs()).isLessThan(10_000);
      assertThat(r.get("test_after").passed()).isTrue();
    }
  }

  @Test
  void aFaultScenarioStopsAtItsOwnTimeout() throws Exception {
    var r = run("""
        def forever():
            sleep("30s")
        slow = fault_assumption("slow", target = m.main, rules = [delay(delay = "1s")])
        fault_scenario("stuck", scenario = forever, faults = slow, timeout = "300ms")
        """);
    assertThat(r.get("test_stuck").reason()).isEqualTo("timed out after 300ms (interrupted) (under fault slow)");
    assertThat(r.get("test_stuck").durationMs()).isLessThan(10_000);
  }

  @Test
  void scenarioRegistersATestAndReturnsTheFunction() throws Exception {
    var r = run("""
        def checkout():
            m.main.emit(op = "recv")
            return 7
        same = scenario(checkout)
        def test_composes():
            assert_eq(same(), 7)
            assert_eq(same, checkout)
        def broken():
            assert_eq(1, 2, "broken")
        scenario(broken)
        """);
    assertThat(r.keySet()).containsExactlyInAnyOrder("test_checkout", "test_composes", "test_broken");
    assertThat(r.get("test_checkout").passed()).isTrue();
    assertThat(r.get("test_checkout").events()).hasSize(1);
    assertThat(r.get("test_composes").passed()).isTrue();
    assertThat(r.get("test_broken").reason()).isEqualTo("assert_eq failed: got 1, want 2: broken");
  }

  @Test
  void testsAreRegisteredOnlyWhileTheSpecLoads() throws Exception {
    var r = run("""
        def later():
            pass
        def test_registers_late():
            scenario(later)
        def test_declares_late():
            test("late", body = later)
        """);
    assertThat(r.keySet()).containsExactlyInAnyOrder("test_registers_late", "test_declares_late");
    assertThat(r.get("test_registers_late").reason()).isEqualTo(
        "scenario registers a test, so it belongs at the top level of the spec (or of a file it loads), not inside a running test");
    assertThat(r.get("test_declares_late").location()).isEqualTo("spec.star:7:9"); // run() puts the mock on line 1
  }

  @Test
  void declarativeTestsRunSetupBodyThenExpect() throws Exception {
    var r = run("""
        def prepare():
            m.main.emit(op = "setup")
        def body():
            return events().where(op = "setup").count()
        test("ordered", setup = prepare, body = body, expect = lambda n: assert_eq(n, 1))
        test("body_only", body = lambda: 3)
        test("rejected", body = lambda: 3, expect = lambda n: assert_eq(n, 4, "expect sees the result"))
        def forever():
            sleep("30s")
        test("stuck", body = forever, timeout = duration("300ms"))
        """);
    assertThat(r.keySet()).containsExactlyInAnyOrder("test_ordered", "test_body_only", "test_rejected", "test_stuck");
    assertThat(r.get("test_ordered").passed()).as(r.get("test_ordered").reason()).isTrue();
    assertThat(r.get("test_body_only").passed()).isTrue();
    assertThat(r.get("test_rejected").reason()).isEqualTo("assert_eq failed: got 3, want 4: expect sees the result");
    assertThat(r.get("test_stuck").reason()).isEqualTo("timed out after 300ms (interrupted)");
    assertThat(r.get("test_stuck").durationMs()).isLessThan(10_000);
  }

  @Test
  void parallelRunsAtOnceAndKeepsArgumentOrder() throws Exception {
    var r = run("""
        def late():
            sleep("300ms")
            m.main.emit(op = "late")
            return "late"
        def early():
            m.main.emit(op = "early")
            return ["early"]
        def test_order():
            got = parallel(late, early, lambda: 3)
            assert_eq(got, ["late", ["early"], 3])
            assert_eq([e.op for e in events()], ["early", "late"])
        def boom():
            sleep("50ms")
            assert_eq(1, 2, "boom")
        def forever():
            sleep("30s")
        def test_first_error():
            parallel(forever, boom)
        def test_not_a_function():
            parallel(early, 42)
        """);
    assertThat(r.get("test_order").passed()).as(r.get("test_order").reason()).isTrue();
    TestResult err = r.get("test_first_error");
    assertThat(err.reason()).isEqualTo("assert_eq failed: got 1, want 2: boom");
    assertThat(err.location()).isEqualTo("spec.star:15:14");
    assertThat(err.durationMs()).isLessThan(10_000);
    assertThat(r.get("test_not_a_function").reason())
        .isEqualTo("parallel() argument 2 must be a function (a def or a lambda), got int");
  }

  @Test
  void aTimeoutStopsParallelCallables() throws Exception {
    try (SpecSession s = specs.load("def spin():\n    for i in range(2000000000):\n        pass\n"
        + "def test_spin():\n    parallel(spin, spin)\n")) {
      TestRunner runner = new TestRunner(s, java.time.Duration.ofMillis(300), false);
      var results = runner.run(runner.select(null), x -> {});
      assertThat(results.get(0).reason()).isEqualTo("timed out after 300ms (interrupted)");
      assertThat(results.get(0).durationMs()).isLessThan(10_000);
    }
    Thread.sleep(200);
    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("faultbox-parallel-") && t.isAlive());
  }

  @Test
  void theFirstEventThatBreaksAnyMonitorIsTheOneReported() throws Exception {
    for (int round = 0; round < 20; round++) { // the test runs ahead of the monitors' thread at times
      var r = run("""
          def count(e, s):
              s["n"] += 1
              return s
          monitor("late", on = match.event(service = "m"), state_init = {"n": 0}, update = count,
              check = lambda e, s: s["n"] < 3)
          monitor("early", on = match.event(service = "m", op = "bad"), check = lambda e, s: False)
          def test_order():
              m.main.emit(op = "ok")
              m.main.emit(op = "bad")
              m.main.emit(op = "ok")
          """);
      assertThat(r.get("test_order").reason()).startsWith("monitor \"early\" violated at event(#1 ");
    }
  }

  @Test
  void rulesAreCheckedByTheProtocolsFaultModel() throws Exception {
    var r = run("""
        def nothing():
            return None
        def test_typo():
            error(opp = "a")
        def test_named():
            fault(m.main, error(op = "a", status = "busy"), run = nothing)
            assert_eq(events().where(type = "fault.applied").first().rules, 'error(op = "a", status = 42)')
        def test_unknown_name():
            fault(m.main, error(status = "IDLE"), run = nothing)
        def test_out_of_range():
            fault(m.main, response(status = 1000), run = nothing)
        def test_code_is_status():
            fault(m.main, error(op = "a", code = 42), response(op = "b", code = "busy"), run = nothing)
            assert_eq(events().where(type = "fault.applied").first().rules,
                'error(op = "a", status = 42), response(op = "b", status = 42)')
        def test_not_both():
            error(status = 1, code = 2)
        def test_option():
            fault(m.main, error(op = "a", after = 2), run = nothing)
            assert_eq(events().where(type = "fault.applied").first().rules, 'error(op = "a", status = 500, after = 2)')
        def test_option_type():
            error(after = "2")
        def test_option_rule():
            fault(m.main, delay(delay = "1ms", after = 1), run = nothing)
        """);
    assertThat(r.get("test_typo").reason())
        .isEqualTo("error() got unexpected keyword argument 'opp' (did you mean 'op'?); accepted: status, code, message, probability, op, prefix, after");
    assertThat(r.get("test_option").passed()).as(r.get("test_option").reason()).isTrue();
    assertThat(r.get("test_option_type").reason()).isEqualTo("error() after= must be a number or True/False, got string");
    assertThat(r.get("test_option_rule").reason()).endsWith("on a fake interface after= (replies first) is for error(), not delay()");
    assertThat(r.get("test_named").passed()).as(r.get("test_named").reason()).isTrue();
    assertThat(r.get("test_unknown_name").reason()).contains("unknown status \"IDLE\"").contains("use one of BUSY");
    assertThat(r.get("test_out_of_range").reason()).contains("a fake status is 1..999 or a name such as \"BUSY\", got 1000");
    assertThat(r.get("test_code_is_status").passed()).as(r.get("test_code_is_status").reason()).isTrue();
    assertThat(r.get("test_not_both").reason()).isEqualTo("error() takes status= or code= (the same thing), not both");
  }

  @Test
  void faultAppliedEventsSpellOutTheRules() throws Exception {
    var r = run("""
        def nothing():
            return None
        def test_rules():
            fault(m.main, error(op = "a", status = 503, message = "down"), response(op = "b", status = 200, body = "hi"),
                drop(op = "c", stream = True), run = nothing)
            assert_eq(events().where(type = "fault.applied").first().rules,
                'error(op = "a", status = 503, message = "down"), response(op = "b", status = 200, body = "hi"), '
                + 'drop(op = "c", stream = True)')
        """);
    assertThat(r.get("test_rules").passed()).as(r.get("test_rules").reason()).isTrue();
  }

  @Test
  void nestedFaultWindowsLiftOnlyTheirOwnRules() throws Exception {
    var r = run("""
        def inner():
            return len(events().where(type = "fault.applied"))
        def outer():
            fault(m.main, drop(op = "a"), run = inner)
            return [e.type for e in events().where(kind = "fault")]
        def test_nested():
            assert_eq(fault(m.main, drop(op = "b"), run = outer),
                ["fault.applied", "fault.applied", "fault.removed"])
            assert_eq(events().where(type = "fault.removed").count(), 2)
        """);
    assertThat(r.get("test_nested").passed()).as(r.get("test_nested").reason()).isTrue();
  }

  @Test
  void lambdasAndClosuresInHandlersAndAssertions() throws Exception {
    String source = """
        def make(prefix):
            return dynamic(lambda req: json_response(200, {"greeting": prefix + req["query"].get("user", "anon")}))
        m = mock_service("m", interface("main", "fake", %d), routes = {"hello": make("hi ")})
        def test_closure():
            r = m.main.invoke(pattern = "hello")
            assert_eq(r.json, {"greeting": "hi alice"})
            m.main.emit(op = "late", after_ms = 100)
            want = 1
            assert_eventually(events().where(op = "late").count() == want, timeout = "10s")
            assert_never(len(events()) > want, within = "100ms")
        """.formatted(port);
    try (SpecSession s = specs.load(source)) {
      TestRunner runner = new TestRunner(s);
      TestResult r = runner.run(runner.select(null), x -> {}).get(0);
      assertThat(r.passed()).as(r.reason() + " at " + r.location()).isTrue();
    }
  }

  @Test
  void lateEventsOfAStoppedMockNeverReachTheNextTest() throws Exception {
    var r = run("""
        def test_a_leaves_a_late_event():
            m.main.emit(op = "late", after_ms = 200)
        def test_b_sees_none_of_it():
            sleep("600ms")
            assert_eq(events().count(), 0)
        """);
    assertThat(r.get("test_b_sees_none_of_it").passed()).as(r.get("test_b_sees_none_of_it").reason()).isTrue();
  }

  @Test
  void runawayRecursionAndFailingPredicatesReportTheUsersLine() throws Exception {
    var r = run("""
        def down(n):
            return down(n + 1)
        def test_recursion():
            down(0)
        def bad(e):
            return 1 // 0
        def test_predicate_in_loop():
            m.main.emit(op = "recv")
            for e in events(where = bad):
                pass
        def test_predicate_in_count():
            m.main.emit(op = "recv")
            events().where(where = bad).count()
        """);
    TestResult rec = r.get("test_recursion");
    assertThat(rec.reason()).isEqualTo("maximum recursion depth exceeded");
    assertThat(rec.location()).matches("spec.star:[23]:\\d+"); // in the recursive def, wherever the stack ran out
    TestResult loop = r.get("test_predicate_in_loop");
    assertThat(loop.reason()).isEqualTo("integer division by zero");
    assertThat(loop.location()).startsWith("spec.star:7:");
    TestResult count = r.get("test_predicate_in_count");
    assertThat(count.reason()).isEqualTo("integer division by zero");
    assertThat(count.location()).startsWith("spec.star:7:");
  }

  @Test
  void addressesFollowTheBindAddress() throws Exception {
    String source = "m = mock_service(\"m\", interface(\"main\", \"fake\", " + port + "))\n"
        + "def test_addr():\n"
        + "    assert_eq([m.main.host, m.main.addr, m.main.internal_addr], [\"127.0.0.2\", \"127.0.0.2:" + port
        + "\", \"127.0.0.2:" + port + "\"])\n"
        + "    assert_eq(m.main.echo(value = 1), 1)\n";
    Path file = specs.write("bind.star", source);
    try (SpecSession s = SpecSession.load(file, "bind.star",
        dev.faultbox.kernel.plugin.PluginRegistry.of(new dev.faultbox.kernel.FakeProtocol()),
        dev.faultbox.kernel.spec.Stdlib.of(Map.of()),
        new SpecSession.Options(InetAddress.getByName("127.0.0.2"), System.out, SpecSession.DEFAULT_HANDLER_STEPS, 1, 0))) {
      TestRunner runner = new TestRunner(s);
      TestResult t = runner.run(runner.select(null), x -> {}).get(0);
      assertThat(t.passed()).as(t.reason()).isTrue();
    }
  }

  @Test
  void aTakenPortStopsTheRunNamingServiceAndPort() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      try (SpecSession s = specs.load("m = mock_service(\"m\", interface(\"main\", \"fake\", " + port + "))\ndef test_x():\n    pass\n")) {
        TestRunner runner = new TestRunner(s);
        assertThatThrownBy(() -> runner.run(runner.select(null), x -> {}))
            .isInstanceOf(SpecException.class)
            .hasMessage("spec.star:1:17: mock \"m\" interface \"main\": port " + port + " (fake on 127.0.0.1:" + port
                + ") is already in use; stop what holds it or pick another port");
      }
    }
  }

  @Test
  void filterSelectsByNameWithoutPrefixOrGlob() throws Exception {
    try (SpecSession s = specs.load("def test_alpha():\n    pass\ndef test_beta():\n    pass\ndef test_bravo():\n    pass\n")) {
      TestRunner runner = new TestRunner(s);
      assertThat(runner.select("test_alpha")).containsExactly("test_alpha");
      assertThat(runner.select("alpha")).containsExactly("test_alpha");
      assertThat(runner.select("test_b*")).containsExactly("test_beta", "test_bravo");
      assertThat(runner.select("b*")).containsExactly("test_beta", "test_bravo");
      assertThatThrownBy(() -> runner.select("gamma"))
          .hasMessage("no test matched filter \"gamma\" (available: test_alpha, test_beta, test_bravo)");
    }
    try (SpecSession s = specs.load("x = 1\n")) {
      assertThatThrownBy(() -> new TestRunner(s).select(null)).hasMessageContaining("defines no tests");
    }
  }

  @Test
  void eachFailureSaysWhetherACheckFailedTheTimeRanOutOrSomethingBroke() throws Exception {
    var r = run("""
        def check(r):
            assert_eq(r, 2)
        def test_ok():
            assert_true(True)
        def test_eq():
            assert_eq(1, 2)
        def test_nested_check():
            check(3)
        def test_fail():
            fail("not yet")
        def test_broken():
            x = {}["missing"]
        def test_raised_in_a_builtin():
            int("x")
        fault_scenario("expectation", scenario = lambda: None, faults = [], expect = expect_success())
        """);
    assertThat(r.get("test_ok").failure()).isEqualTo(TestResult.Failure.NONE);
    assertThat(r.get("test_eq").failure()).isEqualTo(TestResult.Failure.ASSERTION);
    assertThat(r.get("test_nested_check").failure()).isEqualTo(TestResult.Failure.ASSERTION);
    assertThat(r.get("test_fail").failure()).isEqualTo(TestResult.Failure.ASSERTION);
    assertThat(r.get("test_expectation").failure()).as(r.get("test_expectation").reason()).isEqualTo(TestResult.Failure.ASSERTION);
    assertThat(r.get("test_broken").failure()).isEqualTo(TestResult.Failure.ERROR);
    assertThat(r.get("test_raised_in_a_builtin").failure()).isEqualTo(TestResult.Failure.ERROR);

    try (SpecSession s = specs.load("def test_forever():\n    sleep(\"30s\")\n")) {
      TestRunner runner = new TestRunner(s, java.time.Duration.ofMillis(200), false);
      assertThat(runner.run(runner.select(null), x -> {}).get(0).failure()).isEqualTo(TestResult.Failure.TIMEOUT);
    }
    try (SpecSession s = specs.load("def test_nothing():\n    pass\n")) {
      TestRunner runner = new TestRunner(s, TestRunner.DEFAULT_TIMEOUT, true);
      assertThat(runner.run(runner.select(null), x -> {}).get(0).failure()).isEqualTo(TestResult.Failure.ASSERTION);
    }
  }

  @Test
  void matchingFindsNothingWithoutFailingButABadRegexStillFails() throws Exception {
    try (SpecSession s = specs.load("def test_alpha():\n    pass\n")) {
      TestRunner runner = new TestRunner(s);
      assertThat(runner.matching("gamma")).isEmpty();
      assertThat(runner.matching(null)).containsExactly("test_alpha");
      assertThat(runner.matching("~^test_a")).containsExactly("test_alpha");
      assertThatThrownBy(() -> runner.matching("~(")).hasMessageStartingWith("--test ~(: not a regular expression");
    }
  }

  @Test
  void jsonReportCarriesResultsAndEvents() throws Exception {
    var r = run("""
        def test_one():
            m.main.emit(op = "recv")
        """);
    String json = Reports.json("spec.star", 5, List.copyOf(r.values()), List.of());
    assertThat(json).contains("\"passed\" : 1").contains("\"failed\" : 0").contains("\"name\" : \"test_one\"")
        .contains("\"type\" : \"mock.recv\"").contains("\"interface\" : \"main\"");
  }
}
