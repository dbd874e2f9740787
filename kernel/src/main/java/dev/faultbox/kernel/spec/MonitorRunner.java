package dev.faultbox.kernel.spec;

import dev.faultbox.kernel.SpecException;
import dev.faultbox.kernel.event.Event;
import dev.faultbox.kernel.event.EventLog;
import dev.faultbox.kernel.event.Monitor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import net.starlark.java.eval.Dict;
import net.starlark.java.eval.EvalException;
import net.starlark.java.eval.Mutability;
import net.starlark.java.eval.Starlark;
import net.starlark.java.eval.StarlarkList;
import net.starlark.java.eval.StarlarkThread;
import net.starlark.java.eval.Tuple;

/**
 * Runs one test's monitors on a thread of their own, never on a mock's event loop: it follows
 * the event log and, for each event a monitor's {@code on=} selects, calls
 * {@code update(event, state)} and then {@code check(event, state)}. The first check that fails
 * (returns false or raises) is the test's failure; the test's thread is interrupted at once, so a
 * test blocked in a wait fails then rather than at its timeout.
 */
public final class MonitorRunner {
  /** A monitor that failed: the test's reason and the place to show. */
  public record Violation(String reason, String location) {}

  /** One activation of a monitor: its own state and how far through the log it is. */
  final class Active {
    final Monitor monitor;
    final EventTest on;
    long next;
    volatile long until = Long.MAX_VALUE; // set when its scope (a fault window) ends
    Object state;

    Active(Monitor monitor, EventTest on, long from) {
      this.monitor = monitor;
      this.on = on;
      this.next = from;
      // Copied here, on the caller's thread, before the monitor thread can see it.
      this.state = thaw(monitor.stateInit(), Mutability.create("monitor " + monitor.name()));
    }
  }

  private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final SpecSession session;
  private final EventLog log;
  private final TestScope scope;
  private final List<Active> active = new CopyOnWriteArrayList<>();
  private volatile Violation violation;
  private volatile boolean interruptedTest;
  private volatile boolean finishing;
  private volatile Thread test; // interrupted on a violation
  private Thread thread; // guarded by this; started with the first monitor

  MonitorRunner(SpecSession session, EventLog log, TestScope scope) {
    this.session = session;
    this.log = log;
    this.scope = scope;
  }

  /** The thread running the test, to interrupt when a monitor fails. */
  public void watch(Thread testThread) {
    this.test = testThread;
  }

  /** Activates a monitor from event {@code from} on; returns the activation, to end it later. */
  Active add(Monitor m, long from) throws EvalException {
    Active a = new Active(m, EventTest.of(m.on(), "monitor(" + Starlark.repr(m.name()) + ") on="), from);
    active.add(a);
    synchronized (this) {
      if (thread == null) {
        thread = new Thread(this::run, "faultbox-monitors");
        thread.setDaemon(true);
        thread.start();
      }
    }
    LockSupport.unpark(thread);
    return a;
  }

  /** Activates monitors from the next event on. */
  List<Active> addAll(List<Monitor> ms) throws EvalException {
    List<Active> out = new ArrayList<>();
    for (Monitor m : ms) {
      out.add(add(m, log.size()));
    }
    return out;
  }

  /** Ends activations: each still checks the events recorded until now, then stops. */
  void end(List<Active> as) {
    long now = log.size();
    as.forEach(a -> a.until = now);
  }

  /** Whether a violation interrupted the test (so its own failure is a consequence). */
  public boolean interruptedTest() {
    return interruptedTest;
  }

  /**
   * Checks every event recorded so far and stops the monitors.
   *
   * @return the first violation, or null when every monitor held
   */
  public Violation finish() throws InterruptedException {
    finishing = true;
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t != null) {
      LockSupport.unpark(t);
      t.join(TimeUnit.SECONDS.toMillis(10));
      if (t.isAlive() && violation == null) {
        t.interrupt();
        violation = new Violation("monitors were still checking events 10s after the test ended (a check that loops?)", "");
      }
    }
    return violation;
  }

  private void run() {
    try (Mutability mu = Mutability.create("monitors")) {
      StarlarkThread thread = session.newThread(mu);
      thread.setThreadLocal(MonitorRunner.class, this);
      while (violation == null) {
        boolean last = finishing;
        process(thread);
        if (last) {
          return;
        }
        log.await(() -> finishing || violation != null || behind(), Long.MAX_VALUE / 4, RECHECK_NANOS);
        if (Thread.currentThread().isInterrupted()) {
          return;
        }
      }
    }
  }

  private boolean behind() {
    long size = log.size();
    for (Active a : active) {
      if (a.next < Math.min(size, a.until)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Checks the events recorded so far in order, each with every monitor watching it, so the
   * first event that breaks any monitor is the one reported, however far the test got meanwhile.
   */
  private void process(StarlarkThread thread) {
    long size = log.size();
    while (violation == null) {
      long seq = Long.MAX_VALUE; // the earliest event some monitor has yet to check
      for (Active a : active) {
        if (a.next < Math.min(size, a.until)) {
          seq = Math.min(seq, a.next);
        }
      }
      if (seq == Long.MAX_VALUE) {
        break;
      }
      Event e = log.get(seq);
      for (Active a : active) {
        if (a.next != seq || seq >= Math.min(size, a.until) || violation != null) {
          continue;
        }
        a.next++;
        try {
          apply(a, e, thread);
        } catch (EvalException ex) {
          SpecException d = session.describe(ex);
          fail(a, e, "failed: " + d.reason(), d.location() == null ? a.monitor.at().toString() : d.location());
        } catch (Starlark.UncheckedEvalException ex) {
          SpecException d = session.describe(ex);
          fail(a, e, "failed: " + d.reason(), d.location() == null ? a.monitor.at().toString() : d.location());
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
          return;
        } catch (RuntimeException ex) { // a monitor that cannot run must not pass the test by vanishing
          fail(a, e, "failed: internal error: " + ex, a.monitor.at().toString());
        }
      }
    }
    active.removeIf(a -> a.next >= a.until);
  }

  private void apply(Active a, Event e, StarlarkThread thread) throws EvalException, InterruptedException {
    budget(thread);
    if (!a.on.test(e, thread)) {
      return;
    }
    EventValue ev = new EventValue(e);
    if (a.monitor.update() != null) {
      budget(thread);
      a.state = Starlark.call(thread, a.monitor.update(), List.of(ev, a.state), Map.of());
    }
    if (a.monitor.check() != null) {
      budget(thread);
      scope.asserted();
      Object verdict = Starlark.call(thread, a.monitor.check(), List.of(ev, a.state), Map.of());
      if (!Starlark.truth(verdict)) {
        fail(a, e, "check returned " + Starlark.repr(verdict) + " (state: " + Starlark.repr(a.state) + ")",
            a.monitor.at().toString());
      }
    }
  }

  private void fail(Active a, Event e, String what, String location) {
    violation = new Violation("monitor " + Starlark.repr(a.monitor.name()) + " violated at "
        + Starlark.repr(new EventValue(e)) + ": " + what, location);
    Thread t = test;
    if (t != null && !finishing) {
      interruptedTest = true;
      t.interrupt();
    }
  }

  /** Each call gets the handler budget afresh: the thread's step count only ever grows. */
  private void budget(StarlarkThread thread) {
    thread.setMaxExecutionSteps(thread.getExecutedSteps() + session.handlerStepBudget());
  }

  /** A mutable copy of a (frozen) initial state, so update may change it in place. */
  private static Object thaw(Object v, Mutability mu) {
    if (v instanceof Dict<?, ?> d) {
      Dict<Object, Object> out = Dict.of(mu);
      for (Map.Entry<?, ?> e : d.entrySet()) {
        try {
          out.putEntry(e.getKey(), thaw(e.getValue(), mu));
        } catch (EvalException impossible) {
          throw new IllegalStateException(impossible); // a fresh dict is mutable
        }
      }
      return out;
    }
    if (v instanceof StarlarkList<?> l) {
      List<Object> items = new ArrayList<>();
      l.forEach(x -> items.add(thaw(x, mu)));
      return StarlarkList.copyOf(mu, items);
    }
    if (v instanceof Tuple t) {
      List<Object> items = new ArrayList<>();
      t.forEach(x -> items.add(thaw(x, mu)));
      return Tuple.copyOf(items);
    }
    return v;
  }

  /** Refuses a builtin that acts (a step, a fault, a wait) inside a monitor's functions. */
  static void refuseIn(StarlarkThread thread, String what) throws EvalException {
    if (thread.getThreadLocal(MonitorRunner.class) != null) {
      throw Starlark.errorf("%s cannot be called in a monitor's on=, update= or check=: they only read the event "
          + "and the state", what);
    }
  }
}
