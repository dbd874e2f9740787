package dev.faultbox.kernel.spec;

import dev.faultbox.kernel.event.Event;
import dev.faultbox.kernel.event.EventLog;
import dev.faultbox.kernel.event.Monitor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import net.starlark.java.annot.Param;
import net.starlark.java.annot.StarlarkMethod;
import net.starlark.java.eval.EvalException;
import net.starlark.java.eval.Starlark;
import net.starlark.java.eval.StarlarkCallable;
import net.starlark.java.eval.StarlarkThread;

/** Builtins over the event stream: monitor(), await_event(), await_stable() and assert_before(). */
public final class EventBuiltins {
  static final EventBuiltins INSTANCE = new EventBuiltins();

  /** A wait with no timeout= lasts as long as the test may: its timeout interrupts it. */
  private static final long UNBOUNDED = Long.MAX_VALUE / 4;
  private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private EventBuiltins() {}

  @StarlarkMethod(
      name = "monitor",
      doc = "An invariant over events: for each event on= selects, state = update(event, state), then "
          + "check(event, state) must hold. At the top level it watches every test (unless passed to a monitors= "
          + "list, which scopes it there); inside a test, the rest of that test.",
      parameters = {
        @Param(name = "name"),
        @Param(name = "on", named = true, positional = false, defaultValue = "None"),
        @Param(name = "state_init", named = true, positional = false, defaultValue = "None"),
        @Param(name = "update", named = true, positional = false, defaultValue = "None"),
        @Param(name = "check", named = true, positional = false, defaultValue = "None"),
      },
      useStarlarkThread = true)
  public Monitor monitor(Object name, Object on, Object stateInit, Object update, Object check, StarlarkThread thread)
      throws EvalException {
    MonitorRunner.refuseIn(thread, "monitor()");
    if (name instanceof StarlarkCallable) {
      throw Starlark.errorf("monitor() takes a name first, then on=, update= and check=, as in "
          + "monitor(\"no_5xx\", on = match.event(service = \"api\"), check = lambda e, s: e.status < 500)");
    }
    if (!(name instanceof String n) || n.isEmpty()) {
      throw Starlark.errorf("monitor() name must be a non-empty string, got %s", Starlark.repr(name));
    }
    String label = "monitor(" + Starlark.repr(n) + ")";
    if (on == Starlark.NONE) {
      throw Starlark.errorf("%s needs on=, the events it watches, such as match.event(service = \"api\"); "
          + "to watch every event, write on = match.all()", label);
    }
    EventTest.of(on, label + " on="); // checked now, used per activation
    StarlarkCallable u = function(update, label + " update", "lambda event, state: state");
    StarlarkCallable c = function(check, label + " check", "lambda event, state: event.status < 500");
    if (u == null && c == null) {
      throw Starlark.errorf("%s needs check= (and may have update=): a monitor with neither checks nothing", label);
    }
    SpecSession s = SpecSession.of(thread);
    Monitor m = new Monitor(n, on, stateInit, u, c, s.location(thread.getCallerLocation()));
    TestScope scope = s.scope();
    if (scope == null) {
      s.addSpecMonitor(m); // spec-wide unless a monitors= list claims it
    } else {
      scope.monitors().add(m, s.events().size());
    }
    return m;
  }

  private static StarlarkCallable function(Object v, String what, String example) throws EvalException {
    if (v == Starlark.NONE) {
      return null;
    }
    if (!(v instanceof StarlarkCallable fn)) {
      throw Starlark.errorf("%s must be a function of the event and the state, such as %s, got %s", what, example,
          Starlark.type(v));
    }
    return fn;
  }

  @StarlarkMethod(
      name = "await_event",
      doc = "Returns the first event that matches, recorded already or waited for; fails after timeout.",
      parameters = {
        @Param(name = "match"),
        @Param(name = "timeout", named = true, positional = false, defaultValue = "None"),
      },
      useStarlarkThread = true)
  public Object awaitEvent(Object match, Object timeout, StarlarkThread thread) throws EvalException, InterruptedException {
    MonitorRunner.refuseIn(thread, "await_event()");
    EventTest test = EventTest.of(match, "await_event()");
    long limit = limit(timeout, "await_event() timeout");
    EventLog log = SpecSession.of(thread).events();
    Scan scan = new Scan();
    boolean found = log.await(() -> scan.find(log, test, thread), limit, RECHECK_NANOS);
    scan.rethrow();
    if (!found) {
      throw Starlark.errorf("await_event: no event matched %s within %s (%d events recorded)", test.describe(),
          Durations.format(Duration.ofNanos(limit)), log.size());
    }
    return new EventValue(scan.hit);
  }

  @StarlarkMethod(
      name = "await_stable",
      doc = "Waits until no event (but those ignore= selects) has been recorded for quiescence; fails after timeout.",
      parameters = {
        @Param(name = "quiescence", named = true, defaultValue = "'1s'"),
        @Param(name = "ignore", named = true, positional = false, defaultValue = "None"),
        @Param(name = "timeout", named = true, positional = false, defaultValue = "None"),
      },
      useStarlarkThread = true)
  public Object awaitStable(Object quiescence, Object ignore, Object timeout, StarlarkThread thread)
      throws EvalException, InterruptedException {
    MonitorRunner.refuseIn(thread, "await_stable()");
    long quiet = Durations.parse(quiescence, "await_stable() quiescence").toNanos();
    EventTest ignored = ignore == Starlark.NONE ? null : EventTest.of(ignore, "await_stable() ignore=");
    long limit = limit(timeout, "await_stable() timeout");
    EventLog log = SpecSession.of(thread).events();
    Scan scan = new Scan();
    long[] lastChange = {System.nanoTime()};
    boolean stable = log.await(() -> {
      if (scan.anyNew(log, ignored, thread)) {
        lastChange[0] = System.nanoTime();
      }
      // An error or an interrupt ends the wait at once; rethrow() reports it.
      return scan.error != null || scan.interrupted != null || System.nanoTime() - lastChange[0] >= quiet;
    }, limit, Math.min(RECHECK_NANOS, Math.max(quiet / 4, TimeUnit.MILLISECONDS.toNanos(2))));
    scan.rethrow();
    if (!stable) {
      throw Starlark.errorf("await_stable: events kept arriving for %s, never %s apart (%d events recorded)",
          Durations.format(Duration.ofNanos(limit)), Durations.format(Duration.ofNanos(quiet)), log.size());
    }
    return Starlark.NONE;
  }

  private static long limit(Object timeout, String what) throws EvalException {
    if (timeout == Starlark.NONE) {
      return UNBOUNDED;
    }
    Duration d = Durations.parse(timeout, what);
    if (d.isNegative() || d.isZero()) {
      throw Starlark.errorf("%s must be longer than zero", what);
    }
    return d.toNanos();
  }

  /** Walks the log once, event by event, across re-checks of a wait. */
  private static final class Scan {
    long next;
    Event hit;
    EvalException error;
    InterruptedException interrupted;

    /** Whether an event from the last position on matches; stops at it. */
    boolean find(EventLog log, EventTest test, StarlarkThread thread) {
      long size = log.size();
      try {
        while (next < size) {
          Event e = log.get(next++);
          if (test.test(e, thread)) {
            hit = e;
            return true;
          }
        }
      } catch (EvalException e) {
        error = e;
        return true;
      } catch (InterruptedException e) {
        interrupted = e;
        return true;
      }
      return false;
    }

    /** Whether an event not ignored was recorded since the last call. */
    boolean anyNew(EventLog log, EventTest ignored, StarlarkThread thread) {
      long size = log.size();
      boolean any = false;
      try {
        while (next < size) {
          Event e = log.get(next++);
          any |= ignored == null || !ignored.test(e, thread);
        }
      } catch (EvalException e) {
        error = e;
      } catch (InterruptedException e) {
        interrupted = e;
      }
      return any;
    }

    void rethrow() throws EvalException, InterruptedException {
      if (error != null) {
        throw error;
      }
      if (interrupted != null || Thread.currentThread().isInterrupted()) {
        throw interrupted != null ? interrupted : new InterruptedException();
      }
    }
  }

  @StarlarkMethod(
      name = "assert_before",
      doc = "Fails unless an event first= selects was recorded, and before the first event then= selects.",
      parameters = {
        @Param(name = "first", named = true),
        @Param(name = "then", named = true),
        @Param(name = "msg", named = true, defaultValue = "None"),
      },
      useStarlarkThread = true)
  public Object assertBefore(Object first, Object then, Object msg, StarlarkThread thread)
      throws EvalException, InterruptedException {
    EventTest a = EventTest.of(first, "assert_before() first=");
    EventTest b = EventTest.of(then, "assert_before() then=");
    TestScope.asserted(thread);
    EventLog log = SpecSession.of(thread).events();
    Event fa = null;
    Event fb = null;
    long size = log.size();
    for (long i = 0; i < size && (fa == null || fb == null); i++) {
      Event e = log.get(i);
      if (fa == null && a.test(e, thread)) {
        fa = e;
      }
      if (fb == null && b.test(e, thread)) {
        fb = e;
      }
    }
    String suffix = msg == Starlark.NONE ? "" : ": " + (msg instanceof String s ? s : Starlark.str(msg));
    if (fa == null) {
      throw Starlark.errorf("assert_before failed: no event matched first = %s%s", a.describe(), suffix);
    }
    if (fb == null) {
      throw Starlark.errorf("assert_before failed: no event matched then = %s%s", b.describe(), suffix);
    }
    if (fb == fa) {
      throw Starlark.errorf("assert_before failed: first = %s and then = %s both match %s first; make them select "
          + "different events%s", a.describe(), b.describe(), Starlark.repr(new EventValue(fa)), suffix);
    }
    if (fb.seq() < fa.seq()) {
      throw Starlark.errorf("assert_before failed: then = %s matched %s before first = %s matched %s%s",
          b.describe(), Starlark.repr(new EventValue(fb)), a.describe(), Starlark.repr(new EventValue(fa)), suffix);
    }
    return Starlark.NONE;
  }
}
