package dev.faultbox.kernel.spec;

import dev.faultbox.kernel.event.Event;
import dev.faultbox.kernel.event.EventLog;
import dev.faultbox.kernel.event.Glob;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import net.starlark.java.annot.Param;
import net.starlark.java.annot.StarlarkBuiltin;
import net.starlark.java.annot.StarlarkMethod;
import net.starlark.java.eval.Dict;
import net.starlark.java.eval.EvalException;
import net.starlark.java.eval.Printer;
import net.starlark.java.eval.Starlark;
import net.starlark.java.eval.StarlarkCallable;
import net.starlark.java.eval.StarlarkFloat;
import net.starlark.java.eval.StarlarkIndexable;
import net.starlark.java.eval.StarlarkInt;
import net.starlark.java.eval.StarlarkIterable;
import net.starlark.java.eval.StarlarkSemantics;
import net.starlark.java.eval.StarlarkThread;

/**
 * {@code events()}: a live, filtered view of the event log. Every read looks at the log afresh,
 * so {@code q = events().where(service = "statsd")} may be read again after more traffic.
 */
@StarlarkBuiltin(name = "events")
public final class EventQuery implements StarlarkIterable<EventValue>, StarlarkIndexable {

  /** One {@code .where(...)} clause: matches on attributes plus an optional predicate. */
  record Filter(List<Match> matches, StarlarkCallable predicate) {
    /** Whether the event matches every attribute filter (the predicate aside). */
    boolean globsMatch(Event e) {
      for (Match m : matches) {
        if (!m.test(e)) {
          return false;
        }
      }
      return true;
    }
  }

  /**
   * {@code name = value}: a string is a glob on the value's text; a number or a bool must equal
   * the value (numbers compare as numbers, and a text field as the number's text).
   */
  private record Match(String name, Glob glob, Object value) {
    boolean test(Event e) {
      Object v = e.attribute(name);
      if (v == null) {
        return false;
      }
      if (glob != null) {
        return glob.matches(Event.text(v));
      }
      if (v instanceof Number n && value instanceof Number want) {
        return isIntegral(n) && isIntegral(want) ? n.longValue() == want.longValue()
            : n.doubleValue() == want.doubleValue();
      }
      return v.equals(value) || (v instanceof String s && s.equals(Event.text(value)));
    }

    private static boolean isIntegral(Number n) {
      return n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte;
    }
  }

  private final EventLog log;
  private final List<Filter> filters;
  private final StarlarkThread thread; // evaluates where= predicates; the caller's thread

  EventQuery(EventLog log, StarlarkThread thread) {
    this(log, List.of(), thread);
  }

  private EventQuery(EventLog log, List<Filter> filters, StarlarkThread thread) {
    this.log = log;
    this.filters = filters;
    this.thread = thread;
  }

  @StarlarkMethod(
      name = "where",
      doc = "Keeps events whose attributes match every glob given, and for which where(e) is true.",
      parameters = {
        @Param(name = "where", named = true, positional = false, defaultValue = "None",
            allowedTypes = {@net.starlark.java.annot.ParamType(type = StarlarkCallable.class),
                @net.starlark.java.annot.ParamType(type = net.starlark.java.eval.NoneType.class)})
      },
      extraKeywords = @Param(name = "attributes"),
      useStarlarkThread = true)
  public EventQuery where(Object where, Dict<String, Object> attributes, StarlarkThread thread)
      throws EvalException {
    return new EventQuery(log, with(filters, filter(where, attributes)), thread);
  }

  static Filter filter(Object where, Dict<String, Object> attributes) throws EvalException {
    List<Match> matches = new ArrayList<>();
    for (Map.Entry<String, Object> e : attributes.entrySet()) {
      String name = e.getKey();
      Object v = e.getValue();
      if (v instanceof String s) {
        matches.add(new Match(name, Glob.compile(s), null));
      } else if (Event.isTextAttribute(name)) {
        // An int can never equal text: say so rather than match nothing, which passes vacuously.
        throw Starlark.errorf("where(%s = %s): %s is text; give a string such as \"%s\"",
            name, Starlark.repr(v), name, Starlark.str(v));
      } else if (v instanceof StarlarkInt || v instanceof StarlarkFloat || v instanceof Boolean) {
        matches.add(new Match(name, null, Values.toJava(v, name)));
      } else {
        throw Starlark.errorf("where(%s = ...): a filter is a string (a glob), a number or a bool, not a %s",
            name, Starlark.type(v));
      }
    }
    return new Filter(matches, where == Starlark.NONE ? null : (StarlarkCallable) where);
  }

  private static List<Filter> with(List<Filter> base, Filter f) {
    List<Filter> out = new ArrayList<>(base);
    out.add(f);
    return List.copyOf(out);
  }

  static EventQuery create(EventLog log, Object where, Dict<String, Object> attributes, StarlarkThread thread)
      throws EvalException {
    List<Filter> fs = attributes.isEmpty() && where == Starlark.NONE ? List.of() : List.of(filter(where, attributes));
    return new EventQuery(log, fs, thread);
  }

  @StarlarkMethod(name = "count", doc = "The number of matching events.", useStarlarkThread = true)
  public StarlarkInt count(StarlarkThread thread) throws EvalException, InterruptedException {
    if (filters.stream().allMatch(f -> f.predicate() == null)) {
      // The common case, re-evaluated by waiting assertions: walk the log, build nothing.
      return StarlarkInt.of(log.count(this::globsMatch));
    }
    return StarlarkInt.of(select(thread).size());
  }

  @StarlarkMethod(name = "first", doc = "The first matching event, or None.",
      useStarlarkThread = true)
  public Object first(StarlarkThread thread) throws EvalException, InterruptedException {
    List<EventValue> all = select(thread);
    return all.isEmpty() ? Starlark.NONE : all.get(0);
  }

  @StarlarkMethod(name = "last", doc = "The last matching event, or None.",
      useStarlarkThread = true)
  public Object last(StarlarkThread thread) throws EvalException, InterruptedException {
    List<EventValue> all = select(thread);
    return all.isEmpty() ? Starlark.NONE : all.get(all.size() - 1);
  }

  /** The matching events now, in order. */
  List<EventValue> select(StarlarkThread caller) throws EvalException, InterruptedException {
    List<EventValue> out = new ArrayList<>();
    for (Event e : log.snapshot()) {
      if (matches(e, caller)) {
        out.add(new EventValue(e));
      }
    }
    return out;
  }

  private boolean globsMatch(Event e) {
    for (Filter f : filters) {
      if (!f.globsMatch(e)) {
        return false;
      }
    }
    return true;
  }

  private boolean matches(Event e, StarlarkThread caller) throws EvalException, InterruptedException {
    if (!globsMatch(e)) {
      return false;
    }
    for (Filter f : filters) {
      if (f.predicate() != null
          && !Starlark.truth(Starlark.call(caller, f.predicate(), List.of(new EventValue(e)), Map.of()))) {
        return false;
      }
    }
    return true;
  }

  private List<EventValue> selectUnchecked() {
    try {
      return select(thread);
    } catch (EvalException e) {
      throw new PredicateFailure(e); // iteration cannot throw checked; the runner unwraps it
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
  }

  @Override
  public Iterator<EventValue> iterator() {
    return selectUnchecked().iterator();
  }

  @Override
  public Object getIndex(StarlarkSemantics semantics, Object key) throws EvalException {
    List<EventValue> all;
    try {
      all = select(thread);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Starlark.errorf("interrupted");
    }
    int i = Starlark.toInt(key, "events index");
    int at = i < 0 ? all.size() + i : i;
    if (at < 0 || at >= all.size()) {
      throw Starlark.errorf("events index %d out of range (%d matching events)", i, all.size());
    }
    return all.get(at);
  }

  @Override
  public boolean containsKey(StarlarkSemantics semantics, Object key) {
    return key instanceof EventValue v && selectUnchecked().contains(v);
  }

  @Override
  public boolean isImmutable() {
    return true;
  }

  @Override
  public void repr(Printer p) {
    List<EventValue> all = selectUnchecked();
    p.append("events(").append(Integer.toString(all.size())).append(" matching)");
  }

  /** A {@code where=} predicate failed while the log was iterated or indexed. */
  public static final class PredicateFailure extends RuntimeException {
    public PredicateFailure(EvalException cause) {
      super(cause.getMessage(), cause, false, false);
    }

    @Override
    public synchronized EvalException getCause() {
      return (EvalException) super.getCause();
    }
  }
}
