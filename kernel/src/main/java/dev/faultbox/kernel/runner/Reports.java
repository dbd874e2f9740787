package dev.faultbox.kernel.runner;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.faultbox.kernel.event.Event;
import dev.faultbox.kernel.spec.Values;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Renders results: the console lines and the {@code --format json} document. */
public final class Reports {
  private Reports() {}

  /** {@code --- PASS: test_x (12ms) ---}, and for a failure its reason, place and what the mocks saw. */
  public static String console(TestResult r, String specName) {
    StringBuilder b = new StringBuilder();
    b.append("--- ").append(r.passed() ? "PASS" : "FAIL").append(": ").append(r.name())
        .append(" (").append(r.durationMs()).append("ms) ---\n");
    r.warnings().forEach(w -> b.append("  warning: ").append(w.message()).append('\n'));
    if (!r.passed()) {
      failureLines(r, specName).forEach(line -> b.append("  ").append(line).append('\n'));
    }
    return b.toString();
  }

  /**
   * What explains a failure, one line each: reason, place, events, mock errors, program output,
   * and the command that replays it.
   *
   * @param specName the spec as the replay command names it, with the run's options
   */
  static List<String> failureLines(TestResult r, String specName) {
    List<String> lines = new java.util.ArrayList<>();
    lines.add("reason: " + r.reason());
    if (!r.location().isEmpty()) {
      lines.add("at: " + r.location());
    }
    lines.add("events: " + summary(r.events()));
    List<String> errors = mockErrors(r.events());
    if (!errors.isEmpty()) {
      lines.add("mock errors:");
      errors.forEach(line -> lines.add("  " + line));
    }
    if (!r.output().isEmpty()) {
      lines.add("output (last lines):");
      r.output().forEach(line -> lines.add("  " + line));
    }
    lines.add("replay: faultbox test " + specName + " --test " + r.name());
    return lines;
  }

  /** At most this many distinct mock errors are shown under a failure. */
  private static final int MOCK_ERRORS = 5;

  /**
   * What went wrong inside the mocks (a dynamic handler that failed, a refused request): a test
   * that sees only {@code got 500} learns why, with the handler's own location.
   */
  static List<String> mockErrors(List<Event> events) {
    java.util.Set<String> seen = new java.util.LinkedHashSet<>();
    for (Event e : events) {
      Object error = e.fields().get("error");
      if (e.kind().equals("mock") && error != null && seen.size() < MOCK_ERRORS) {
        seen.add(e.service() + (e.iface().isEmpty() ? "" : "." + e.iface()) + " " + e.op() + ": " + Event.text(error));
      }
    }
    return List.copyOf(seen);
  }

  /** The closing line: {@code N passed, M failed}. */
  public static String totals(List<TestResult> results) {
    long passed = results.stream().filter(TestResult::passed).count();
    return passed + " passed, " + (results.size() - passed) + " failed";
  }

  /** Counts of events by service, interface and type: {@code statsd.main mock.recv: 2}. */
  static String summary(List<Event> events) {
    if (events.isEmpty()) {
      return "none";
    }
    Map<String, Integer> counts = new TreeMap<>();
    for (Event e : events) {
      String key = e.service() + (e.iface().isEmpty() ? "" : "." + e.iface()) + " " + e.type();
      counts.merge(key, 1, Integer::sum);
    }
    StringBuilder b = new StringBuilder();
    counts.forEach((k, n) -> b.append(b.length() == 0 ? "" : ", ").append(k).append(": ").append(n));
    return b.toString();
  }

  /** A run's warnings, each on its own line, to print before the totals. */
  public static String warnings(List<Warning> suite) {
    StringBuilder b = new StringBuilder();
    suite.forEach(w -> b.append("warning: ").append(w.message()).append('\n'));
    return b.toString();
  }

  /** The JSON report of a run, with the run's own warnings (the tests carry theirs). */
  public static String json(String specName, long durationMs, List<TestResult> results, List<Warning> suite) {
    return render(document(specName, durationMs, results, suite));
  }

  /** The JSON report of a run as a tree, to print alone or among the reports of other specs. */
  public static Map<String, Object> document(String specName, long durationMs, List<TestResult> results, List<Warning> suite) {
    Map<String, Object> doc = new LinkedHashMap<>();
    long passed = results.stream().filter(TestResult::passed).count();
    doc.put("version", 1);
    doc.put("spec", specName);
    doc.put("duration_ms", durationMs);
    doc.put("passed", passed);
    doc.put("failed", results.size() - passed);
    doc.put("warnings", suite.stream().map(Reports::warning).toList());
    doc.put("tests", results.stream().map(Reports::test).toList());
    return doc;
  }

  /** A JSON tree as indented text. */
  public static String render(Object doc) {
    try {
      return Values.json().copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, Object> test(TestResult r) {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("name", r.name());
    t.put("result", r.passed() ? "pass" : "fail");
    t.put("duration_ms", r.durationMs());
    t.put("assertions", r.assertions());
    t.put("warnings", r.warnings().stream().map(Reports::warning).toList());
    if (!r.passed()) {
      t.put("reason", r.reason());
      t.put("location", r.location());
      if (!r.traceback().isEmpty()) {
        t.put("traceback", r.traceback());
      }
      if (!r.output().isEmpty()) {
        t.put("output", r.output());
      }
    }
    t.put("events", r.events().stream().map(Reports::event).toList());
    return t;
  }

  private static Map<String, Object> warning(Warning w) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("code", w.code());
    m.put("message", w.message());
    return m;
  }

  /** An event in the page's schema, with its sequence number and time. */
  public static Map<String, Object> event(Event e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("seq", e.seq());
    m.put("timestamp_ms", e.timestampMillis());
    m.put("service", e.service());
    m.put("interface", e.iface());
    m.put("kind", e.kind());
    m.put("type", e.type());
    m.put("op", e.op());
    m.put("fields", new TreeMap<>(e.fields()));
    return m;
  }
}
