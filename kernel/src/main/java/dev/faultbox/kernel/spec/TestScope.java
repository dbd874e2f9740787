package dev.faultbox.kernel.spec;

import dev.faultbox.kernel.event.EventLog;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import net.starlark.java.eval.StarlarkThread;

/**
 * What one running test did that its verdict needs beyond pass or fail: how many assertions it
 * evaluated, which interfaces its steps reached and whether one succeeded, and its monitors.
 * Shared by the test's threads (parallel branches, monitors), so it is thread-safe.
 */
public final class TestScope {
  private final AtomicInteger assertions = new AtomicInteger();
  private final Map<String, Boolean> steps = new ConcurrentHashMap<>();
  private final MonitorRunner monitors;

  TestScope(SpecSession session, EventLog log) {
    this.monitors = new MonitorRunner(session, log, this);
  }

  /** The scope of the test a builtin runs in; null while the spec loads. */
  static TestScope of(StarlarkThread thread) {
    SpecSession s = thread.getThreadLocal(SpecSession.class);
    return s == null ? null : s.scope();
  }

  /** Counts one evaluated assertion of the test running on {@code thread}, if any. */
  static void asserted(StarlarkThread thread) {
    TestScope scope = of(thread);
    if (scope != null) {
      scope.asserted();
    }
  }

  void asserted() {
    assertions.incrementAndGet();
  }

  /** Notes a step on {@code target} ({@code service.interface}) and whether it succeeded. */
  void stepped(String target, boolean ok) {
    steps.merge(target, ok, Boolean::logicalOr);
  }

  /** Assertions evaluated so far: assert_*, expect_*, expect= functions, monitor checks. */
  public int assertions() {
    return assertions.get();
  }

  /** Each interface a step reached, and whether any step on it succeeded. */
  public Map<String, Boolean> steps() {
    return new TreeMap<>(steps);
  }

  public MonitorRunner monitors() {
    return monitors;
  }
}
