package dev.faultbox.kernel.runner;

import dev.faultbox.kernel.SpecException;
import dev.faultbox.kernel.event.EventLog;
import dev.faultbox.kernel.event.Glob;
import dev.faultbox.kernel.runtime.ProcessFailure;
import dev.faultbox.kernel.runtime.ServiceRuntime;
import dev.faultbox.kernel.spec.MonitorRunner;
import dev.faultbox.kernel.spec.SpecSession;
import dev.faultbox.kernel.spec.TestScope;
import dev.faultbox.kernel.spec.TimedTest;
import dev.faultbox.kernel.spec.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.starlark.java.eval.EvalException;
import net.starlark.java.eval.Mutability;
import net.starlark.java.eval.Starlark;
import net.starlark.java.eval.StarlarkCallable;

/**
 * Runs a spec's {@code test_*} functions in name order. Each test gets freshly started mocks and
 * an empty event log; its mocks are stopped, and their ports released, before the next starts.
 */
public final class TestRunner {

  /** Hears each result as it happens, for live output. */
  public interface Listener {
    void finished(TestResult result);
  }

  /** How long a test may run unless told otherwise, as in the original tool. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(3);

  private final SpecSession session;
  private final Duration timeout;
  private final boolean strict;

  public TestRunner(SpecSession session) {
    this(session, DEFAULT_TIMEOUT, false);
  }

  /**
   * @param timeout how long one test may run before it is interrupted and failed
   * @param strict whether a test that passes without evaluating an assertion fails instead
   */
  public TestRunner(SpecSession session, Duration timeout, boolean strict) {
    this.session = session;
    this.timeout = timeout;
    this.strict = strict;
  }

  /**
   * The tests a {@code --test} filter selects: an exact name, the name without its
   * {@code test_} prefix, a glob over names, {@code ~REGEX} (found anywhere in the name), or
   * {@code matrix} (or {@code test_matrix}) for every cell fault_matrix registered.
   *
   * @throws SpecException when nothing matches, naming the tests there are
   */
  public List<String> select(String filter) throws SpecException {
    List<String> names = new ArrayList<>(session.tests().keySet());
    if (names.isEmpty()) {
      throw new SpecException(null, session.displayName() + " defines no tests; add a function named test_something()");
    }
    List<String> out = matching(filter);
    if (out.isEmpty()) {
      throw new SpecException(null, "no test matched filter \"" + filter + "\" (available: " + String.join(", ", names) + ")");
    }
    return out;
  }

  /**
   * The tests a {@code --test} filter selects, as {@link #select}, but none when nothing matches:
   * for a run over several specs, where a filter needs to match in one of them only.
   *
   * @throws SpecException when the filter is not a regular expression
   */
  public List<String> matching(String filter) throws SpecException {
    List<String> names = new ArrayList<>(session.tests().keySet());
    if (filter == null || filter.isEmpty()) {
      return names;
    }
    if (filter.equals("matrix") || filter.equals("test_matrix")) {
      List<String> cells = names.stream().filter(n -> "fault_matrix".equals(session.registeredBy(n))).toList();
      if (!cells.isEmpty()) {
        return cells;
      }
    }
    if (filter.startsWith("~")) {
      java.util.regex.Pattern regex;
      try {
        regex = java.util.regex.Pattern.compile(filter.substring(1));
      } catch (java.util.regex.PatternSyntaxException e) {
        throw new SpecException(null, "--test " + filter + ": not a regular expression: " + e.getDescription()
            + " near index " + e.getIndex());
      }
      return names.stream().filter(n -> regex.matcher(n).find()).toList();
    }
    Glob glob = Glob.compile(filter);
    Glob prefixed = Glob.compile("test_" + filter);
    return names.stream().filter(n -> glob.matches(n) || prefixed.matches(n)).toList();
  }

  /**
   * Runs the named tests.
   *
   * @throws SpecException when mocks cannot start (a port in use): the run stops there
   */
  public List<TestResult> run(List<String> names, Listener listener) throws SpecException {
    List<TestResult> results = new ArrayList<>();
    for (String name : names) {
      TestResult r = runOne(name, session.tests().get(name));
      results.add(r);
      listener.finished(r);
    }
    return results;
  }

  /**
   * Calls the test function on its own thread so a runaway test can be interrupted at the
   * timeout; Starlark polls the interrupt flag as it evaluates.
   */
  private void call(String name, StarlarkCallable fn, TestScope scope)
      throws EvalException, InterruptedException, TimeoutException {
    FutureTask<Void> task = new FutureTask<>(() -> {
      try (Mutability mu = Mutability.create(name)) {
        Starlark.call(session.newThread(mu), fn, List.of(), Map.of());
      }
      return null;
    });
    Thread worker = new Thread(task, "faultbox-" + name);
    worker.setDaemon(true);
    scope.monitors().watch(worker);
    worker.start();
    try {
      task.get(limit(fn).toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) { // this thread was interrupted: stop the test's too
      worker.interrupt();
      worker.join(TimeUnit.SECONDS.toMillis(10));
      throw e;
    } catch (TimeoutException e) {
      session.faults().failedUnder(session.faults().inForce()); // before the window closes
      worker.interrupt(); // Starlark polls the flag: the test stops at its next step
      worker.join(TimeUnit.SECONDS.toMillis(10));
      throw e;
    } catch (ExecutionException e) {
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

  /** The run's limit, or the test's own when shorter. */
  private Duration limit(StarlarkCallable fn) {
    return fn instanceof TimedTest t && t.timeout().compareTo(timeout) < 0 ? t.timeout() : timeout;
  }

  /** The last lines each program printed: {@code api stderr: ...}. */
  private static List<String> tails(ServiceRuntime services) {
    List<String> out = new ArrayList<>();
    services.programOutput().forEach((service, lines) -> lines.forEach(l -> out.add(service + " " + l)));
    return out;
  }

  private TestResult runOne(String name, StarlarkCallable fn) throws SpecException {
    EventLog log = session.freshEvents();
    session.faults().clear();
    TestScope scope = session.beginTest(log);
    long start = System.nanoTime();
    String reason = "";
    TestResult.Failure kind = TestResult.Failure.ERROR; // unless the failure says otherwise
    String location = "";
    String traceback = "";
    SpecException failure = null;
    List<String> output = List.of();
    MonitorRunner.Violation violation = null;
    try (ServiceRuntime services = new ServiceRuntime(session, log)) {
      try {
        services.start();
        call(name, fn, scope);
      } catch (ProcessFailure e) {
        reason = e.getMessage(); // a program would not start: the body never ran
      } catch (TimeoutException e) {
        reason = "timed out after " + Durations.format(limit(fn)) + " (interrupted)";
        kind = TestResult.Failure.TIMEOUT;
      } catch (EvalException e) {
        failure = session.describe(e);
        traceback = session.traceback(e);
        kind = raisedByCheck(e) ? TestResult.Failure.ASSERTION : TestResult.Failure.ERROR;
      } catch (Starlark.UncheckedEvalException e) {
        failure = session.describe(e);
      } catch (InterruptedException e) {
        // The test's own thread, interrupted by its monitor, ends with an InterruptedException
        // too; this thread keeps the flag only if it was itself interrupted.
        if (!scope.monitors().interruptedTest() || Thread.currentThread().isInterrupted()) {
          Thread.currentThread().interrupt();
        }
        reason = "interrupted";
      } catch (RuntimeException e) {
        reason = "internal error: " + e;
      }
      violation = finishMonitors(scope);
      if (violation != null && (scope.monitors().interruptedTest() || (reason.isEmpty() && failure == null))) {
        failure = null; // the test stopped because the monitor failed, or passed without noticing
        traceback = "";
        reason = violation.reason();
        location = violation.location();
        kind = TestResult.Failure.ASSERTION;
      }
      if (!reason.isEmpty() || failure != null) {
        output = tails(services);
      }
    } finally {
      if (violation == null) {
        finishMonitors(scope); // a start-up failure skipped it: the monitor thread must not outlive the test
      }
      session.endTest();
    }
    if (failure != null) {
      reason = failure.reason();
      location = failure.location() == null ? "" : failure.location();
    }
    String under = session.faults().takeFailedUnder();
    if (!reason.isEmpty() && !under.isEmpty() && violation == null) {
      reason += " (under fault " + under + ")";
    }
    List<Warning> warnings = new ArrayList<>();
    if (log.dropped() > 0) {
      warnings.add(Warning.overflow(name, log.maxEvents(), log.dropped()));
    }
    if (reason.isEmpty() && scope.assertions() == 0) {
      if (strict) {
        reason = Warning.noAssertions(name).message() + " (--strict)";
        kind = TestResult.Failure.ASSERTION;
      } else {
        warnings.add(Warning.noAssertions(name));
      }
    }
    long ms = (System.nanoTime() - start) / 1_000_000;
    return new TestResult(name, reason.isEmpty(), ms, reason, reason.isEmpty() ? TestResult.Failure.NONE : kind,
        location, traceback, log.snapshot(), output,
        scope.assertions(), scope.steps(), warnings);
  }

  /**
   * Whether an error came from a check (an {@code assert_*}, an {@code expect_*} check, or
   * {@code fail()}) rather than from code that broke: the builtin that raised it is the innermost frame.
   */
  static boolean raisedByCheck(EvalException e) {
    var stack = e.getCallStack();
    if (stack.isEmpty()) {
      return false;
    }
    String fn = stack.get(stack.size() - 1).name;
    return fn.startsWith("assert_") || fn.startsWith("expect_") || fn.equals("fail");
  }

  /** Lets the monitors check the test's last events; an interrupt here still waits for them. */
  private static MonitorRunner.Violation finishMonitors(TestScope scope) {
    boolean interrupted = Thread.interrupted();
    try {
      return scope.monitors().finish();
    } catch (InterruptedException e) {
      interrupted = true;
      return null;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
