package dev.faultbox.kernel.spec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.starlark.java.annot.Param;
import net.starlark.java.annot.StarlarkBuiltin;
import net.starlark.java.annot.StarlarkMethod;
import net.starlark.java.eval.Dict;
import net.starlark.java.eval.EvalException;
import net.starlark.java.eval.Mutability;
import net.starlark.java.eval.Printer;
import net.starlark.java.eval.Starlark;
import net.starlark.java.eval.StarlarkCallable;
import net.starlark.java.eval.StarlarkList;
import net.starlark.java.eval.StarlarkThread;
import net.starlark.java.eval.Tuple;

/**
 * Builtins that shape the test suite: {@code scenario(fn)}, declarative {@code test(...)},
 * {@code duration(...)} and {@code parallel(...)}.
 */
public final class SuiteBuiltins {
  static final SuiteBuiltins INSTANCE = new SuiteBuiltins();

  private static final Pattern LAMBDA = Pattern.compile("lambda|__lambda_\\d+");
  private static final Pattern NESTED_DEF = Pattern.compile("__def_\\d+_(\\w+)");
  private static final Pattern TEST_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private SuiteBuiltins() {}

  /** The name the user gave a function, or null for a lambda. */
  static String userName(StarlarkCallable fn) {
    String name = fn.getName();
    if (LAMBDA.matcher(name).matches()) {
      return null;
    }
    Matcher nested = NESTED_DEF.matcher(name);
    return nested.matches() ? nested.group(1) : name;
  }

  @StarlarkMethod(
      name = "scenario",
      doc = "Registers test_<fn's name>, which calls fn(); returns fn, for use in compositions.",
      parameters = {@Param(name = "fn")},
      useStarlarkThread = true)
  public Object scenario(Object fn, StarlarkThread thread) throws EvalException {
    if (!(fn instanceof StarlarkCallable callable)) {
      throw Starlark.errorf("scenario() takes a function defined with def, got %s", Starlark.type(fn));
    }
    String name = userName(callable);
    if (name == null) {
      throw Starlark.errorf("scenario() needs a function defined with def, not a lambda: its name names the test");
    }
    if (name.startsWith("test_")) {
      throw Starlark.errorf("scenario(%s): a function named test_* is already a test; drop scenario() or rename it to %s",
          name, name.substring("test_".length()));
    }
    SpecSession s = SpecSession.of(thread);
    s.registerTest("test_" + name, callable, "scenario", s.location(thread.getCallerLocation()));
    return fn;
  }

  @StarlarkMethod(
      name = "test",
      doc = "Registers test_<name>: setup(), then body(), then expect(body's result), within timeout.",
      parameters = {
        @Param(name = "name"),
        @Param(name = "body", named = true, positional = false),
        @Param(name = "setup", named = true, positional = false, defaultValue = "None"),
        @Param(name = "expect", named = true, positional = false, defaultValue = "None"),
        @Param(name = "timeout", named = true, positional = false, defaultValue = "'30s'"),
      },
      useStarlarkThread = true)
  public Object test(Object name, Object body, Object setup, Object expect, Object timeout, StarlarkThread thread)
      throws EvalException {
    if (!(name instanceof String n) || !TEST_NAME.matcher(n).matches()) {
      throw Starlark.errorf("test() name must be a string of letters, digits and _ such as \"checkout_ok\" (it becomes test_<name>), got %s",
          Starlark.repr(name));
    }
    String label = "test(" + Starlark.repr(n) + ")";
    StarlarkCallable b = callable(body, label + " body", false);
    StarlarkCallable su = callable(setup, label + " setup", true);
    StarlarkCallable ex = callable(expect, label + " expect", true);
    Duration limit = Durations.parse(timeout, label + " timeout");
    if (limit.isZero() || limit.isNegative()) {
      throw Starlark.errorf("%s timeout must be longer than zero", label);
    }
    String testName = n.startsWith("test_") ? n : "test_" + n;
    DeclaredTest t = new DeclaredTest(testName, b, su, ex, limit);
    SpecSession s = SpecSession.of(thread);
    s.registerTest(testName, t, "test()", s.location(thread.getCallerLocation()));
    return Starlark.NONE;
  }

  private static StarlarkCallable callable(Object v, String what, boolean optional) throws EvalException {
    if (optional && v == Starlark.NONE) {
      return null;
    }
    if (!(v instanceof StarlarkCallable c)) {
      throw Starlark.errorf("%s must be a function (a def or a lambda)%s, got %s", what, optional ? " or None" : "",
          Starlark.type(v));
    }
    return c;
  }

  @StarlarkMethod(
      name = "duration",
      doc = "Checks a duration such as \"200ms\" and returns it, in the form every builtin's duration parameter takes.",
      parameters = {@Param(name = "text")})
  public String duration(Object text) throws EvalException {
    Durations.parse(text, "duration()");
    return (String) text;
  }

  /** Fewer callables than this is not parallel. */
  static final int PARALLEL_MIN = 2;

  private static final java.util.concurrent.atomic.AtomicInteger PARALLEL_THREADS = new java.util.concurrent.atomic.AtomicInteger();

  @StarlarkMethod(
      name = "parallel",
      doc = "Calls each function at once, each on its own thread; returns their results in argument order. The first to fail fails the call.",
      extraPositionals = @Param(name = "fns"),
      extraKeywords = @Param(name = "kwargs"),
      useStarlarkThread = true)
  public Object parallel(Tuple fns, Dict<String, Object> kwargs, StarlarkThread thread)
      throws EvalException, InterruptedException {
    MonitorRunner.refuseIn(thread, "parallel()");
    if (!kwargs.isEmpty()) {
      throw Starlark.errorf(PARALLEL_KEYWORD, kwargs.keySet().iterator().next());
    }
    if (fns.size() < PARALLEL_MIN) {
      throw Starlark.errorf(PARALLEL_TOO_FEW, fns.size());
    }
    List<StarlarkCallable> calls = new ArrayList<>();
    for (int i = 0; i < fns.size(); i++) {
      if (!(fns.get(i) instanceof StarlarkCallable c)) {
        throw Starlark.errorf("parallel() argument %d must be a function (a def or a lambda), got %s", i + 1,
            Starlark.type(fns.get(i)));
      }
      calls.add(c);
    }
    SpecSession session = SpecSession.of(thread);
    List<FutureTask<Object>> tasks = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    BlockingQueue<FutureTask<Object>> done = new LinkedBlockingQueue<>();
    for (StarlarkCallable c : calls) {
      FutureTask<Object> task = new FutureTask<>(() -> {
        try (Mutability mu = Mutability.create("parallel " + c.getName())) {
          return Starlark.call(session.newThread(mu), c, List.of(), Map.of());
        }
      }) {
        @Override
        protected void done() {
          done.add(this);
        }
      };
      Thread t = new Thread(task, "faultbox-parallel-" + PARALLEL_THREADS.incrementAndGet());
      t.setDaemon(true);
      tasks.add(task);
      threads.add(t);
    }
    threads.forEach(Thread::start);
    try {
      for (int finished = 0; finished < tasks.size(); finished++) {
        FutureTask<Object> next = done.take();
        try {
          next.get();
        } catch (ExecutionException e) {
          stop(threads);
          Throwable c = e.getCause();
          if (c instanceof EvalException ee) {
            throw ee;
          }
          if (c instanceof InterruptedException ie) {
            throw ie;
          }
          if (c instanceof RuntimeException re) {
            throw re;
          }
          throw new IllegalStateException(c);
        }
      }
    } catch (InterruptedException e) {
      stop(threads);
      throw e;
    }
    Object[] results = new Object[tasks.size()];
    for (int i = 0; i < results.length; i++) {
      try {
        results[i] = tasks.get(i).get();
      } catch (ExecutionException e) {
        throw new IllegalStateException(e); // every task succeeded above
      }
    }
    return StarlarkList.immutableOf(results);
  }

  static final String PARALLEL_KEYWORD =
      "parallel() takes only functions, as positional arguments; got keyword argument '%s'";

  static final String PARALLEL_TOO_FEW =
      "parallel() needs at least two functions to run at once, got %d; call a single function directly";

  /** The load-time check of a parallel(...) call: fewer than two functions can never run in parallel. */
  static String checkParallelCall(net.starlark.java.syntax.CallExpression call) {
    for (net.starlark.java.syntax.Argument a : call.getArguments()) {
      if (a instanceof net.starlark.java.syntax.Argument.Star || a instanceof net.starlark.java.syntax.Argument.StarStar) {
        return null; // counted when it runs
      }
      if (a instanceof net.starlark.java.syntax.Argument.Keyword k) {
        return String.format(PARALLEL_KEYWORD, k.getName());
      }
    }
    int n = call.getNumPositionalArguments();
    return n < PARALLEL_MIN ? String.format(java.util.Locale.ROOT, PARALLEL_TOO_FEW, n) : null;
  }

  /** Interrupts the callables still running (Starlark polls the flag) and waits briefly for them. */
  private static void stop(List<Thread> threads) throws InterruptedException {
    threads.forEach(Thread::interrupt);
    for (Thread t : threads) {
      t.join(5_000);
    }
  }

  /** The test a {@code test(...)} call registers. */
  @StarlarkBuiltin(name = "function")
  static final class DeclaredTest extends RegisteredTest implements TimedTest {
    private final StarlarkCallable body;
    private final StarlarkCallable setup;
    private final StarlarkCallable expect;
    private final Duration timeout;

    DeclaredTest(String name, StarlarkCallable body, StarlarkCallable setup, StarlarkCallable expect, Duration timeout) {
      super(name, "test");
      this.body = body;
      this.setup = setup;
      this.expect = expect;
      this.timeout = timeout;
    }

    @Override
    public Duration timeout() {
      return timeout;
    }

    @Override
    public Object fastcall(StarlarkThread thread, Object[] positional, Object[] named)
        throws EvalException, InterruptedException {
      if (setup != null) {
        Starlark.call(thread, setup, List.of(), Map.of());
      }
      return FaultBuiltins.expect(thread, expect, Starlark.call(thread, body, List.of(), Map.of()));
    }
  }
}
