package dev.faultbox.kernel.runner;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A doubt about a result, with a stable code: the original tool's {@code TEST_NO_ASSERTIONS} (a
 * test that cannot fail) and {@code NO_POSITIVE_CONTROL} (an interface no test shows working),
 * and {@code EVENT_LOG_OVERFLOW} (a test recorded more events than it keeps).
 */
public record Warning(String code, String message) {
  public static final String NO_ASSERTIONS = "TEST_NO_ASSERTIONS";
  public static final String NO_POSITIVE_CONTROL = "NO_POSITIVE_CONTROL";
  public static final String EVENT_LOG_OVERFLOW = "EVENT_LOG_OVERFLOW";

  static Warning overflow(String test, long kept, long dropped) {
    return new Warning(EVENT_LOG_OVERFLOW, String.format(java.util.Locale.ROOT,
        "event log full: %s kept its first %,d events and dropped %,d more (one log.overflow event counts them); "
            + "raise --max-events, or record less", test, kept, dropped));
  }

  static Warning noAssertions(String test) {
    return new Warning(NO_ASSERTIONS, "no assertions: " + test + " passed without evaluating an assert_*, an expect= "
        + "or a monitor check, so it cannot fail; assert on what it did");
  }

  /**
   * One warning for each interface that steps reached but that no passing, asserting test saw a
   * step succeed on: every assertion about it would hold for a client that cannot connect at all.
   */
  public static List<Warning> positiveControl(List<TestResult> results) {
    Map<String, Integer> reached = new TreeMap<>();
    Map<String, Boolean> controlled = new TreeMap<>();
    for (TestResult r : results) {
      r.steps().forEach((target, ok) -> {
        reached.merge(target, 1, Integer::sum);
        if (ok && r.passed() && r.assertions() > 0) {
          controlled.put(target, true);
        }
      });
    }
    List<Warning> out = new ArrayList<>();
    reached.forEach((target, tests) -> {
      if (!controlled.containsKey(target)) {
        out.add(new Warning(NO_POSITIVE_CONTROL, "no positive control for " + target + ": steps reached it in " + tests
            + (tests == 1 ? " test" : " tests") + ", but in no passing test that asserted anything did a step on it "
            + "succeed, so the suite would pass if it were broken; add a test that calls it with no fault and "
            + "asserts on the result (assert_true(r.ok))"));
      }
    });
    return out;
  }
}
