package dev.faultbox.kernel.spec;

import dev.faultbox.kernel.event.Monitor;
import dev.faultbox.kernel.fault.FaultAssumption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.starlark.java.annot.Param;
import net.starlark.java.annot.StarlarkBuiltin;
import net.starlark.java.annot.StarlarkMethod;
import net.starlark.java.eval.Dict;
import net.starlark.java.eval.EvalException;
import net.starlark.java.eval.Printer;
import net.starlark.java.eval.Sequence;
import net.starlark.java.eval.Starlark;
import net.starlark.java.eval.StarlarkCallable;
import net.starlark.java.eval.StarlarkThread;
import net.starlark.java.eval.Tuple;

/**
 * {@code fault_matrix(...)}: every scenario under every fault assumption, one test per cell,
 * named {@code test_matrix_<scenario>_<assumption>}.
 */
public final class MatrixBuiltins {
  static final MatrixBuiltins INSTANCE = new MatrixBuiltins();

  private MatrixBuiltins() {}

  /** A cell's coordinates, as the user named them. */
  private record Cell(String scenario, String assumption) {
    @Override
    public String toString() {
      return "(" + scenario + ", " + assumption + ")";
    }
  }

  @StarlarkMethod(
      name = "fault_matrix",
      doc = "Registers test_matrix_<scenario>_<assumption> for each scenario under each assumption; each cell runs "
          + "the scenario with the assumption's rules laid, then its expectation (overrides, else default_expect).",
      parameters = {
        @Param(name = "scenarios", named = true, positional = false),
        @Param(name = "faults", named = true, positional = false),
        @Param(name = "default_expect", named = true, positional = false, defaultValue = "None"),
        @Param(name = "overrides", named = true, positional = false, defaultValue = "{}"),
        @Param(name = "exclude", named = true, positional = false, defaultValue = "[]"),
        @Param(name = "monitors", named = true, positional = false, defaultValue = "[]"),
        @Param(name = "require_faults_fire", named = true, positional = false, defaultValue = "False"),
      },
      useStarlarkThread = true)
  public Object faultMatrix(Object scenarios, Object faults, Object defaultExpect, Object overrides, Object exclude,
      Object monitors, Object requireFaultsFire, StarlarkThread thread) throws EvalException {
    Map<String, StarlarkCallable> scns = scenarios(scenarios);
    Map<String, FaultAssumption> fas = new LinkedHashMap<>();
    if (!(faults instanceof Sequence<?>) || ((Sequence<?>) faults).isEmpty()) {
      throw Starlark.errorf("fault_matrix() faults must be a non-empty list of fault_assumption values, got %s",
          faults instanceof Sequence<?> ? "an empty list" : Starlark.type(faults));
    }
    for (FaultAssumption a : FaultBuiltins.assumptions(faults, "fault_matrix() faults")) {
      if (fas.putIfAbsent(a.name(), a) != null) {
        throw Starlark.errorf("fault_matrix() faults lists the assumption %s twice; each cell name must be unique",
            Starlark.repr(a.name()));
      }
    }
    if (defaultExpect != Starlark.NONE && !(defaultExpect instanceof StarlarkCallable)) {
      throw Starlark.errorf("fault_matrix() default_expect must be a function of the scenario's result (such as "
          + "lambda r: assert_eq(r.status, 200)) or None, got %s", Starlark.type(defaultExpect));
    }
    List<Monitor> watching = FaultBuiltins.monitors(monitors, "fault_matrix()", thread);
    if (!(requireFaultsFire instanceof Boolean requireFire)) {
      throw Starlark.errorf("fault_matrix() require_faults_fire must be True or False, got %s",
          Starlark.type(requireFaultsFire));
    }
    if (!(exclude instanceof Sequence<?> ex)) {
      throw Starlark.errorf("fault_matrix() exclude must be a list of (scenario, assumption) pairs, got %s",
          Starlark.type(exclude));
    }
    List<Cell> excluded = new ArrayList<>();
    for (Object key : ex) {
      Cell c = cell(key, "exclude", scns, fas);
      if (excluded.contains(c)) {
        throw Starlark.errorf("fault_matrix() exclude lists the cell %s twice", c);
      }
      excluded.add(c);
    }
    if (!(overrides instanceof Dict<?, ?> ov)) {
      throw Starlark.errorf("fault_matrix() overrides must be a dict {(scenario, assumption): function}, got %s",
          Starlark.type(overrides));
    }
    Map<Cell, StarlarkCallable> expectations = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : ov.entrySet()) {
      Cell c = cell(e.getKey(), "overrides", scns, fas);
      if (!(e.getValue() instanceof StarlarkCallable fn)) {
        throw Starlark.errorf("fault_matrix() overrides value for %s must be a function of the scenario's result, got %s",
            c, Starlark.type(e.getValue()));
      }
      if (excluded.contains(c)) {
        throw Starlark.errorf("fault_matrix() overrides the cell %s, which exclude leaves out", c);
      }
      if (expectations.put(c, fn) != null) {
        throw Starlark.errorf("fault_matrix() overrides the cell %s twice", c);
      }
    }
    SpecSession s = SpecSession.of(thread);
    var at = s.location(thread.getCallerLocation());
    Map<String, Cell> names = new LinkedHashMap<>();
    List<CellTest> cells = new ArrayList<>();
    for (Map.Entry<String, StarlarkCallable> scn : scns.entrySet()) {
      for (Map.Entry<String, FaultAssumption> fa : fas.entrySet()) {
        Cell c = new Cell(scn.getKey(), fa.getKey());
        if (excluded.contains(c)) {
          continue;
        }
        String name = "test_matrix_" + c.scenario() + "_" + fa.getKey().replaceAll("[^A-Za-z0-9_]", "_");
        Cell prior = names.putIfAbsent(name, c);
        if (prior != null) {
          throw Starlark.errorf("fault_matrix() cells %s and %s both get the test name %s; rename a scenario or an assumption",
              prior, c, name);
        }
        StarlarkCallable expect = expectations.getOrDefault(c,
            defaultExpect == Starlark.NONE ? null : (StarlarkCallable) defaultExpect);
        cells.add(new CellTest(name, scn.getValue(), fa.getValue(), expect, requireFire, watching));
      }
    }
    if (cells.isEmpty()) {
      throw Starlark.errorf("fault_matrix() excludes every cell, so it has no test to register");
    }
    for (CellTest t : cells) {
      s.registerTest(t.getName(), t, "fault_matrix", at);
    }
    return Starlark.NONE;
  }

  private static Map<String, StarlarkCallable> scenarios(Object scenarios) throws EvalException {
    if (!(scenarios instanceof Sequence<?> seq) || seq.isEmpty()) {
      throw Starlark.errorf("fault_matrix() scenarios must be a non-empty list of functions defined with def, got %s",
          scenarios instanceof Sequence<?> ? "an empty list" : Starlark.type(scenarios));
    }
    Map<String, StarlarkCallable> out = new LinkedHashMap<>();
    for (Object o : seq) {
      if (!(o instanceof StarlarkCallable fn)) {
        throw Starlark.errorf("fault_matrix() scenarios must hold functions defined with def, got %s", Starlark.type(o));
      }
      String name = SuiteBuiltins.userName(fn);
      if (name == null) {
        throw Starlark.errorf("fault_matrix() scenarios must be functions defined with def, not lambdas: "
            + "a scenario's name names its cells");
      }
      if (out.putIfAbsent(name, fn) != null) {
        throw Starlark.errorf("fault_matrix() scenarios lists the scenario %s twice; each cell name must be unique", name);
      }
    }
    return out;
  }

  /** An overrides or exclude key: a (scenario, assumption) pair of this matrix, as values or as names. */
  private static Cell cell(Object key, String what, Map<String, StarlarkCallable> scns, Map<String, FaultAssumption> fas)
      throws EvalException {
    if (!(key instanceof Tuple t) || t.size() != 2) {
      throw Starlark.errorf("fault_matrix() %s key must be a (scenario, assumption) pair, got %s", what, show(key));
    }
    String scn = t.get(0) instanceof StarlarkCallable fn ? SuiteBuiltins.userName(fn)
        : t.get(0) instanceof String n ? n : null;
    String fa = t.get(1) instanceof FaultAssumption a ? a.name() : t.get(1) instanceof String n ? n : null;
    if (scn == null || !scns.containsKey(scn) || (t.get(0) instanceof StarlarkCallable fn && scns.get(scn) != fn)) {
      throw Starlark.errorf("fault_matrix() %s key %s: scenario %s is not one of the matrix's scenarios (%s)", what,
          show(t), show(t.get(0)), String.join(", ", scns.keySet()));
    }
    if (fa == null || !fas.containsKey(fa) || (t.get(1) instanceof FaultAssumption a && fas.get(fa) != a)) {
      throw Starlark.errorf("fault_matrix() %s key %s: fault %s is not one of the matrix's faults (%s)", what,
          show(t), show(t.get(1)), String.join(", ", fas.keySet()));
    }
    return new Cell(scn, fa);
  }

  /** A key or a part of one: a function by its name, an assumption by its quoted name. */
  private static String show(Object v) {
    if (v instanceof Tuple t) {
      List<String> parts = new ArrayList<>();
      t.forEach(o -> parts.add(show(o)));
      return "(" + String.join(", ", parts) + ")";
    }
    if (v instanceof StarlarkCallable fn) {
      String n = SuiteBuiltins.userName(fn);
      return n == null ? "a lambda" : n;
    }
    return Starlark.repr(v instanceof FaultAssumption a ? a.name() : v);
  }

  /** The test of one cell. */
  @StarlarkBuiltin(name = "function")
  static final class CellTest extends RegisteredTest {
    private final StarlarkCallable scenario;
    private final FaultAssumption fault;
    private final StarlarkCallable expect;
    private final boolean requireFire;
    private final List<Monitor> monitors;

    CellTest(String name, StarlarkCallable scenario, FaultAssumption fault, StarlarkCallable expect, boolean requireFire,
        List<Monitor> monitors) {
      super(name, "test");
      this.scenario = scenario;
      this.fault = fault;
      this.expect = expect;
      this.requireFire = requireFire;
      this.monitors = monitors;
    }

    @Override
    public Object fastcall(StarlarkThread thread, Object[] positional, Object[] named)
        throws EvalException, InterruptedException {
      SpecSession session = SpecSession.of(thread);
      FaultBuiltins.watch(session, monitors);
      return FaultBuiltins.underFaults(session, List.of(fault), window -> {
        Object r = Starlark.call(thread, scenario, List.of(), Map.of());
        if (requireFire && window.fired() == 0) {
          throw Starlark.errorf("require_faults_fire: fault %s never fired: no request matched its rules, "
              + "so this cell did not test the fault", Starlark.repr(fault.name()));
        }
        return FaultBuiltins.expect(thread, expect, r);
      });
    }
  }
}
