package dev.faultbox.kernel.spec;

import dev.faultbox.kernel.event.Monitor;
import dev.faultbox.kernel.fault.FaultAssumption;
import dev.faultbox.kernel.fault.FaultRule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import net.starlark.java.annot.Param;
import net.starlark.java.annot.StarlarkBuiltin;
import net.starlark.java.annot.StarlarkMethod;
import net.starlark.java.eval.Dict;
import net.starlark.java.eval.EvalException;
import net.starlark.java.eval.Printer;
import net.starlark.java.eval.Sequence;
import net.starlark.java.eval.Starlark;
import net.starlark.java.eval.StarlarkCallable;
import net.starlark.java.eval.StarlarkFloat;
import net.starlark.java.eval.StarlarkInt;
import net.starlark.java.eval.StarlarkThread;
import net.starlark.java.eval.Structure;
import net.starlark.java.eval.Tuple;

/**
 * Faults on mocks: the rules ({@code error}, {@code response}, {@code delay}, {@code drop}), their
 * composition ({@code fault_assumption}, {@code fault_scenario}, {@code fault(..., run=)}) and the
 * expectations scenarios check ({@code expect_success}, {@code expect_error_within}). Rules act
 * inside the mocks, so the system under test sees them too.
 */
public final class FaultBuiltins {
  static final FaultBuiltins INSTANCE = new FaultBuiltins();

  private FaultBuiltins() {}

  // ---- rules -----------------------------------------------------------------------------

  /**
   * A rule's keyword arguments, checked: its matchers, its probability, its own options, and the
   * options of protocols ({@code after = 3}), which the target's protocol judges when the rule is laid.
   */
  private record RuleArgs(
      Map<String, String> matchers, double probability, Map<String, Object> options, Map<String, Object> protocolOptions) {
    Object option(String name, Object fallback) {
      return options.getOrDefault(name, fallback);
    }
  }

  /**
   * Splits a rule's keywords into its own options, its probability, protocol options and its
   * matchers. A keyword that is close to one of these names is a typo and fails here, with a
   * did-you-mean; the protocol of the interface the rule is laid on judges the rest.
   */
  private static RuleArgs ruleArgs(String fn, Dict<String, Object> kwargs, List<String> options, StarlarkThread thread)
      throws EvalException {
    var plugins = SpecSession.of(thread).plugins();
    java.util.Set<String> matcherNames = plugins.matcherNames();
    java.util.Set<String> protocolOptionNames = plugins.ruleOptionNames();
    List<String> own = new ArrayList<>(options);
    own.add("probability");
    Map<String, String> matchers = new LinkedHashMap<>();
    Map<String, Object> given = new LinkedHashMap<>();
    Map<String, Object> protocolOptions = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : kwargs.entrySet()) {
      String k = e.getKey();
      if (own.contains(k)) {
        if (!k.equals("probability")) {
          given.put(k, e.getValue());
        }
        continue;
      }
      // A name one protocol takes as an option and another as a matcher: a string is a matcher.
      if (protocolOptionNames.contains(k) && !(matcherNames.contains(k) && e.getValue() instanceof String)) {
        protocolOptions.put(k, optionValue(fn, k, e.getValue()));
        continue;
      }
      if (!matcherNames.contains(k)) {
        List<String> accepted = new ArrayList<>(own);
        accepted.addAll(matcherNames);
        accepted.addAll(protocolOptionNames);
        String near = net.starlark.java.spelling.SpellChecker.didYouMean(k, accepted);
        if (!near.isEmpty()) { // a typo; anything else is for the target's protocol to judge
          throw Starlark.errorf("%s() got unexpected keyword argument '%s'%s; accepted: %s", fn, k, near,
              String.join(", ", accepted));
        }
      }
      if (!(e.getValue() instanceof String glob)) {
        throw Starlark.errorf("%s() matcher %s= must be a string (a glob), got %s", fn, k, Starlark.type(e.getValue()));
      }
      matchers.put(k, glob);
    }
    return new RuleArgs(matchers, probability(kwargs.getOrDefault("probability", Starlark.NONE)), given, protocolOptions);
  }

  /** A protocol option's value as Java: an Integer or a Boolean; the protocol checks which it takes. */
  private static Object optionValue(String fn, String name, Object v) throws EvalException {
    if (v instanceof Boolean) {
      return v;
    }
    if (v instanceof StarlarkInt i) {
      return i.toInt(fn + "() " + name + "=");
    }
    throw Starlark.errorf("%s() %s= must be a number or True/False, got %s", fn, name, Starlark.type(v));
  }

  @StarlarkMethod(
      name = "error",
      doc = "Fails matching requests the protocol's way: HTTP status with {\"error\": message}, a gRPC status, "
          + "a TCP/UDP reply. Matchers: path, method, op, prefix (globs); status (or code), message, probability.",
      extraKeywords = @Param(name = "kwargs"),
      useStarlarkThread = true)
  public FaultRule error(Dict<String, Object> kwargs, StarlarkThread thread) throws EvalException {
    RuleArgs a = ruleArgs("error", kwargs, List.of("status", "code", "message"), thread);
    Object status = status(a, "error");
    return new FaultRule(FaultRule.Kind.ERROR, a.matchers(), a.probability(), status(status, "error()"),
        status instanceof String name ? name : null,
        string(a.option("message", FaultRule.DEFAULT_MESSAGE), "error() message"), Duration.ZERO, false)
        .withOptions(a.protocolOptions());
  }

  @StarlarkMethod(
      name = "response",
      doc = "Answers matching requests with status and body (a string, or data sent as JSON) instead of the mock's reply.",
      extraKeywords = @Param(name = "kwargs"),
      useStarlarkThread = true)
  public FaultRule response(Dict<String, Object> kwargs, StarlarkThread thread) throws EvalException {
    RuleArgs a = ruleArgs("response", kwargs, List.of("status", "code", "body"), thread);
    Object body = a.option("body", "");
    String text = body instanceof String s ? s
        : new String(Values.toJson(body, "response() body"), java.nio.charset.StandardCharsets.UTF_8);
    Object status = status(a, "response");
    return new FaultRule(FaultRule.Kind.RESPONSE, a.matchers(), a.probability(), status(status, "response()"),
        status instanceof String name ? name : null, text, Duration.ZERO, false).withOptions(a.protocolOptions());
  }

  @StarlarkMethod(
      name = "delay",
      doc = "Holds matching requests for delay (\"3s\"), then serves them.",
      parameters = {@Param(name = "delay", named = true, defaultValue = "None")},
      extraKeywords = @Param(name = "kwargs"),
      useStarlarkThread = true)
  public FaultRule delay(Object delay, Dict<String, Object> kwargs, StarlarkThread thread) throws EvalException {
    if (delay == Starlark.NONE) {
      throw Starlark.errorf("delay() needs delay=, e.g. delay(path = \"/api/**\", delay = \"3s\")");
    }
    RuleArgs a = ruleArgs("delay", kwargs, List.of(), thread);
    return new FaultRule(FaultRule.Kind.DELAY, a.matchers(), a.probability(), 0, null, "",
        Durations.parse(delay, "delay() delay"), false).withOptions(a.protocolOptions());
  }

  @StarlarkMethod(
      name = "drop",
      doc = "Closes the connection of matching requests (drops matching datagrams) without answering; "
          + "stream = True resets only the request's HTTP/2 stream.",
      extraKeywords = @Param(name = "kwargs"),
      useStarlarkThread = true)
  public FaultRule drop(Dict<String, Object> kwargs, StarlarkThread thread) throws EvalException {
    RuleArgs a = ruleArgs("drop", kwargs, List.of("stream"), thread);
    if (!(a.option("stream", false) instanceof Boolean stream)) {
      throw Starlark.errorf("drop() stream= must be True or False, got %s", Starlark.type(a.option("stream", false)));
    }
    return new FaultRule(FaultRule.Kind.DROP, a.matchers(), a.probability(), 0, null, "", Duration.ZERO, stream)
        .withOptions(a.protocolOptions());
  }

  /**
   * {@code status=}, or {@code code=}, its other name, for protocols whose errors are codes (a gRPC
   * code, a Kafka or MongoDB error code): {@code error(op = "insert", code = 11000)}.
   */
  private static Object status(RuleArgs a, String fn) throws EvalException {
    Object status = a.option("status", Starlark.NONE);
    Object code = a.option("code", Starlark.NONE);
    if (status != Starlark.NONE && code != Starlark.NONE) {
      throw Starlark.errorf("%s() takes status= or code= (the same thing), not both", fn);
    }
    return code != Starlark.NONE ? code : status;
  }

  private static String string(Object v, String what) throws EvalException {
    if (!(v instanceof String s)) {
      throw Starlark.errorf("%s must be a string, got %s", what, Starlark.type(v));
    }
    return s;
  }

  /** {@code 0.3}, {@code 30} and {@code "30%"} all mean 30%; absent means every time. */
  static double probability(Object p) throws EvalException {
    if (p == Starlark.NONE) {
      return 1;
    }
    double v;
    if (p instanceof StarlarkInt i) {
      v = i.toDouble() / 100;
      if (i.toDouble() == 1) {
        v = 1; // probability = 1: always
      }
    } else if (p instanceof StarlarkFloat f) {
      v = f.toDouble() > 1 ? f.toDouble() / 100 : f.toDouble();
    } else if (p instanceof String s) {
      String t = s.strip();
      try {
        v = t.endsWith("%") ? Double.parseDouble(t.substring(0, t.length() - 1).strip()) / 100 : Double.parseDouble(t);
      } catch (NumberFormatException e) {
        throw Starlark.errorf("probability %s is not a number; write 0.3, 30 or \"30%%\"", Starlark.repr(s));
      }
      if (!t.endsWith("%") && v > 1) {
        v /= 100;
      }
    } else {
      throw Starlark.errorf("probability must be a number or a percentage such as \"30%%\", got %s", Starlark.type(p));
    }
    if (!(v > 0 && v <= 1)) {
      throw Starlark.errorf("probability %s is not in (0%%, 100%%]", Starlark.repr(p));
    }
    return v;
  }

  private static int status(Object s, String fn) throws EvalException {
    if (s == Starlark.NONE) {
      return FaultRule.DEFAULT_STATUS;
    }
    if (s instanceof String) {
      return FaultRule.DEFAULT_STATUS; // a status name, which the target's protocol resolves
    }
    if (s instanceof StarlarkInt i) {
      int n = i.toInt("status");
      if (n < 0) {
        throw Starlark.errorf("%s status must not be negative, got %d", fn, n);
      }
      return n;
    }
    throw Starlark.errorf("%s status must be a number or a status name, got %s", fn, Starlark.type(s));
  }

  // ---- composition -----------------------------------------------------------------------

  @StarlarkMethod(
      name = "fault_assumption",
      doc = "A named fault: rules laid on one interface (target = svc.iface), plus other assumptions (faults=).",
      parameters = {
        @Param(name = "name", named = true),
        @Param(name = "target", named = true, positional = false, defaultValue = "None"),
        @Param(name = "rules", named = true, positional = false, defaultValue = "[]"),
        @Param(name = "faults", named = true, positional = false, defaultValue = "[]"),
        @Param(name = "description", named = true, positional = false, defaultValue = "''"),
        @Param(name = "monitors", named = true, positional = false, defaultValue = "[]"),
      },
      useStarlarkThread = true)
  public FaultAssumption faultAssumption(String name, Object target, Sequence<?> rules, Object faults, String description,
      Object monitors, StarlarkThread thread) throws EvalException {
    List<Monitor> watching = new ArrayList<>(monitors(monitors, "fault_assumption(" + Starlark.repr(name) + ")", thread));
    List<FaultAssumption.Binding> bindings = new ArrayList<>();
    if (!rules.isEmpty()) {
      bindings.add(bind(target, rules, "fault_assumption(" + Starlark.repr(name) + ")"));
    } else if (target != Starlark.NONE) {
      throw Starlark.errorf("fault_assumption(%s) has a target but no rules=", Starlark.repr(name));
    }
    for (FaultAssumption child : assumptions(faults, "fault_assumption(" + Starlark.repr(name) + ") faults")) {
      bindings.addAll(child.bindings());
      watching.addAll(child.monitors());
    }
    if (bindings.isEmpty()) {
      throw Starlark.errorf("fault_assumption(%s) needs rules= with a target=, or faults=", Starlark.repr(name));
    }
    return new FaultAssumption(name, description, bindings, watching);
  }

  private static FaultAssumption.Binding bind(Object target, Iterable<?> rules, String what) throws EvalException {
    if (target instanceof InterfaceRef ref && !ref.isMock()) {
      throw Starlark.errorf("%s targets %s.%s, a real service: faults act inside mocks, so target the mock it calls",
          what, ref.service(), ref.spec().name());
    }
    if (target instanceof ServiceValue s) {
      throw Starlark.errorf("%s target must be an interface such as %s.<interface>, not the service %s",
          what, s.name(), s.name());
    }
    if (!(target instanceof InterfaceRef ref)) {
      throw Starlark.errorf("%s needs target = an interface such as auth.main, got %s", what,
          target == Starlark.NONE ? "none" : Starlark.type(target));
    }
    List<FaultRule> bound = new ArrayList<>();
    List<Object> flat = new ArrayList<>();
    for (Object r : rules) {
      if (r instanceof Sequence<?> group) { // a recipe may give several rules, e.g. retryable()
        group.forEach(flat::add);
      } else {
        flat.add(r);
      }
    }
    for (Object r : flat) {
      if (!(r instanceof FaultRule rule)) {
        throw Starlark.errorf("%s rules must be error(...), response(...), delay(...) or drop(...), got %s",
            what, Starlark.type(r));
      }
      try {
        bound.add(rule.on(ref.spec().protocol(), ref.faultModel()));
      } catch (IllegalArgumentException e) {
        throw Starlark.errorf("%s on %s.%s: %s", what, ref.service(), ref.spec().name(), e.getMessage());
      }
    }
    return new FaultAssumption.Binding(ref.service(), ref.spec().name(), ref.spec().protocol(), bound);
  }

  static List<FaultAssumption> assumptions(Object faults, String what) throws EvalException {
    if (faults == Starlark.NONE) {
      return List.of();
    }
    if (faults instanceof FaultAssumption a) {
      return List.of(a);
    }
    if (!(faults instanceof Sequence<?> seq)) {
      throw Starlark.errorf("%s must be a fault_assumption or a list of them, got %s", what, Starlark.type(faults));
    }
    List<FaultAssumption> out = new ArrayList<>();
    for (Object o : seq) {
      if (!(o instanceof FaultAssumption a)) {
        throw Starlark.errorf("%s must hold fault_assumption values, got %s", what, Starlark.type(o));
      }
      out.add(a);
    }
    return out;
  }

  /**
   * A monitors= list: monitor values, which from now on watch only where this list applies
   * rather than every test.
   */
  static List<Monitor> monitors(Object v, String what, StarlarkThread thread) throws EvalException {
    if (!(v instanceof Sequence<?> seq)) {
      throw Starlark.errorf("%s monitors must be a list of monitor(...) values, got %s", what, Starlark.type(v));
    }
    List<Monitor> out = new ArrayList<>();
    for (Object o : seq) {
      if (!(o instanceof Monitor m)) {
        throw Starlark.errorf("%s monitors must hold monitor(...) values, got %s", what, Starlark.type(o));
      }
      out.add(m);
    }
    SpecSession.of(thread).scope(out);
    return out;
  }

  @StarlarkMethod(
      name = "fault_scenario",
      doc = "Registers test_<name>: with the faults laid, run scenario(), then expect(result).",
      parameters = {
        @Param(name = "name", named = true),
        @Param(name = "scenario", named = true, positional = false),
        @Param(name = "faults", named = true, positional = false, defaultValue = "[]"),
        @Param(name = "expect", named = true, positional = false, defaultValue = "None"),
        @Param(name = "timeout", named = true, positional = false, defaultValue = "'30s'"),
        @Param(name = "monitors", named = true, positional = false, defaultValue = "[]"),
      },
      useStarlarkThread = true)
  public Object faultScenario(String name, Object scenario, Object faults, Object expect, Object timeout,
      Object monitors, StarlarkThread thread) throws EvalException {
    if (!(scenario instanceof StarlarkCallable)) {
      throw Starlark.errorf("fault_scenario(%s) scenario must be a function, got %s", Starlark.repr(name), Starlark.type(scenario));
    }
    if (expect != Starlark.NONE && !(expect instanceof StarlarkCallable)) {
      throw Starlark.errorf("fault_scenario(%s) expect must be a function such as lambda r: assert_eq(r.status, 503), got %s",
          Starlark.repr(name), Starlark.type(expect));
    }
    Duration limit = Durations.parse(timeout, "fault_scenario() timeout");
    if (limit.isZero() || limit.isNegative()) {
      throw Starlark.errorf("fault_scenario(%s) timeout must be longer than zero", Starlark.repr(name));
    }
    List<FaultAssumption> laid = assumptions(faults, "fault_scenario(" + Starlark.repr(name) + ") faults");
    List<Monitor> watching = monitors(monitors, "fault_scenario(" + Starlark.repr(name) + ")", thread);
    ScenarioTest test = new ScenarioTest("test_" + name, (StarlarkCallable) scenario, laid,
        expect == Starlark.NONE ? null : (StarlarkCallable) expect, limit, watching);
    SpecSession.of(thread).registerTest(test.getName(), test, "fault_scenario",
        SpecSession.of(thread).location(thread.getCallerLocation()));
    return test;
  }

  @StarlarkMethod(
      name = "fault",
      doc = "Lays rules on target (an interface, or a fault_assumption) while run() runs; returns what run returns.",
      parameters = {@Param(name = "target", named = true)},
      extraPositionals = @Param(name = "rules"),
      extraKeywords = @Param(name = "kwargs"),
      useStarlarkThread = true)
  public Object fault(Object target, Tuple rules, Dict<String, Object> kwargs, StarlarkThread thread)
      throws EvalException, InterruptedException {
    MonitorRunner.refuseIn(thread, "fault()");
    for (String k : kwargs.keySet()) {
      if (!k.equals("run")) {
        throw Starlark.errorf("fault() got unexpected keyword argument '%s'; accepted: target, run", k);
      }
    }
    Object run = kwargs.get("run");
    if (!(run instanceof StarlarkCallable fn)) {
      throw Starlark.errorf("fault() needs run = a function to call while the fault is laid");
    }
    List<FaultAssumption> laid;
    if (target instanceof FaultAssumption a) {
      if (!rules.isEmpty()) {
        throw Starlark.errorf("fault(%s, ...) takes no rules: the assumption has its own", a.name());
      }
      laid = List.of(a);
    } else {
      FaultAssumption.Binding b = bind(target, rules, "fault()");
      if (b.rules().isEmpty()) {
        throw Starlark.errorf("fault() needs at least one rule after the target");
      }
      laid = List.of(new FaultAssumption("fault on " + b.service() + "." + b.iface(), "", List.of(b)));
    }
    return underFaults(SpecSession.of(thread), laid, () -> Starlark.call(thread, fn, List.of(), Map.of()));
  }

  /** A body run while faults are laid. */
  interface Body {
    Object run() throws EvalException, InterruptedException;
  }

  /** Lays the faults, runs body, lifts them; a failure inside notes which faults were in force. */
  static Object underFaults(SpecSession session, List<FaultAssumption> laid, Body body)
      throws EvalException, InterruptedException {
    return underFaults(session, laid, w -> body.run());
  }

  /** A body run while faults are laid, that may ask the window how often its rules fired. */
  interface WindowBody {
    Object run(dev.faultbox.kernel.fault.FaultEngine.Window window) throws EvalException, InterruptedException;
  }

  static Object underFaults(SpecSession session, List<FaultAssumption> laid, WindowBody body)
      throws EvalException, InterruptedException {
    var window = session.faults().apply(laid);
    // The assumptions' monitors watch what happens under the faults, not their fault.* events.
    TestScope scope = session.scope();
    List<MonitorRunner.Active> watching = List.of();
    try {
      if (scope != null) {
        List<Monitor> ms = new ArrayList<>();
        laid.forEach(a -> ms.addAll(a.monitors()));
        watching = scope.monitors().addAll(ms);
      }
      return body.run(window);
    } catch (EvalException | InterruptedException | RuntimeException e) {
      session.faults().failedUnder(laid.stream().map(FaultAssumption::name).collect(Collectors.joining(", ")));
      throw e;
    } finally {
      if (scope != null) {
        scope.monitors().end(watching);
      }
      session.faults().remove(window);
    }
  }

  /** The test a fault_scenario registers. */
  @StarlarkBuiltin(name = "function")
  static final class ScenarioTest extends RegisteredTest implements TimedTest {
    private final StarlarkCallable scenario;
    private final List<FaultAssumption> faults;
    private final StarlarkCallable expect;
    private final Duration timeout;
    private final List<Monitor> monitors;

    ScenarioTest(String name, StarlarkCallable scenario, List<FaultAssumption> faults, StarlarkCallable expect,
        Duration timeout, List<Monitor> monitors) {
      super(name, "fault_scenario");
      this.scenario = scenario;
      this.faults = faults;
      this.expect = expect;
      this.timeout = timeout;
      this.monitors = monitors;
    }

    @Override
    public Duration timeout() {
      return timeout;
    }

    @Override
    public Object fastcall(StarlarkThread thread, Object[] positional, Object[] named)
        throws EvalException, InterruptedException {
      SpecSession session = SpecSession.of(thread);
      watch(session, monitors);
      return underFaults(session, faults, () -> expect(thread, expect, Starlark.call(thread, scenario, List.of(), Map.of())));
    }
  }

  /** Activates monitors for the rest of the running test. */
  static void watch(SpecSession session, List<Monitor> monitors) throws EvalException {
    TestScope scope = session.scope();
    if (scope != null && !monitors.isEmpty()) {
      scope.monitors().addAll(monitors);
    }
  }

  /** Calls an expect= function (null: none) on a result, counting it as an assertion; returns the result. */
  static Object expect(StarlarkThread thread, StarlarkCallable expect, Object result)
      throws EvalException, InterruptedException {
    if (expect != null) {
      TestScope.asserted(thread);
      Starlark.call(thread, expect, List.of(result), Map.of());
    }
    return result;
  }

  // ---- expectations ----------------------------------------------------------------------

  @StarlarkMethod(
      name = "expect_hang",
      doc = "An expect= check: the scenario hung: it returned None, or its call timed out.")
  public StarlarkCallable expectHang() {
    return new Expectation("expect_hang", result -> {
      if (result == Starlark.NONE) {
        return null;
      }
      Object error = attr(result, "error");
      if (error instanceof String e && (e.contains("timed out") || e.contains("DEADLINE_EXCEEDED"))) {
        return null;
      }
      return "the scenario returned " + Starlark.repr(result) + ", not a hang (None, or a call that timed out)";
    });
  }

  @StarlarkMethod(
      name = "expect_success",
      doc = "An expect= check: the scenario's result is an answer that is ok and not a 5xx.")
  public StarlarkCallable expectSuccess() {
    return new Expectation("expect_success", result -> {
      if (result == Starlark.NONE) {
        return "the scenario returned None";
      }
      Object ok = attr(result, "ok");
      Object status = attr(result, "status");
      if (ok instanceof Boolean b && !b) {
        return "the call failed: " + Starlark.str(attr(result, "error"));
      }
      if (status instanceof StarlarkInt s && s.toIntUnchecked() >= 500) {
        return "got status " + s;
      }
      return null;
    });
  }

  @StarlarkMethod(
      name = "expect_error_within",
      doc = "An expect= check: the scenario's result is an error (not ok, or a 5xx) that came within ms milliseconds.",
      parameters = {@Param(name = "ms", named = true)})
  public StarlarkCallable expectErrorWithin(StarlarkInt ms) throws EvalException {
    long limit = ms.toLong("ms");
    return new Expectation("expect_error_within", result -> {
      if (result == Starlark.NONE) {
        return "the scenario returned None";
      }
      Object ok = attr(result, "ok");
      Object status = attr(result, "status");
      Object error = attr(result, "error");
      boolean failed = (ok instanceof Boolean b && !b) || (status instanceof StarlarkInt s && s.toIntUnchecked() >= 500)
          || (error instanceof String e && !e.isEmpty());
      if (!failed) {
        return "expected an error, got status " + Starlark.str(status);
      }
      Object took = attr(result, "duration_ms");
      if (took instanceof StarlarkInt t && t.toIntUnchecked() > limit) {
        return "the error came after " + t + "ms, want within " + limit + "ms";
      }
      return null;
    });
  }

  private static Object attr(Object v, String name) {
    try {
      return v instanceof Structure s ? s.getValue(name) : null;
    } catch (EvalException e) {
      return null;
    }
  }

  /** A check for fault_scenario(expect=): null when it holds, else why not. */
  @StarlarkBuiltin(name = "function")
  static final class Expectation implements StarlarkCallable {
    interface Check {
      String problem(Object result);
    }

    private final String name;
    private final Check check;

    Expectation(String name, Check check) {
      this.name = name;
      this.check = check;
    }

    @Override
    public String getName() {
      return name;
    }

    @Override
    public Object fastcall(StarlarkThread thread, Object[] positional, Object[] named) throws EvalException {
      if (positional.length != 1 || named.length != 0) {
        throw Starlark.errorf("%s() check takes the scenario's result", name);
      }
      TestScope.asserted(thread);
      String problem = check.problem(positional[0]);
      if (problem != null) {
        throw Starlark.errorf("%s failed: %s", name, problem);
      }
      return Starlark.NONE;
    }

    @Override
    public boolean isImmutable() {
      return true;
    }

    @Override
    public void repr(Printer p) {
      p.append("<").append(name).append(">");
    }
  }
}
