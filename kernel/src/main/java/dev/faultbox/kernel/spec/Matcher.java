package dev.faultbox.kernel.spec;

import dev.faultbox.kernel.event.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import net.starlark.java.annot.Param;
import net.starlark.java.annot.StarlarkBuiltin;
import net.starlark.java.annot.StarlarkMethod;
import net.starlark.java.eval.Dict;
import net.starlark.java.eval.EvalException;
import net.starlark.java.eval.Printer;
import net.starlark.java.eval.Starlark;
import net.starlark.java.eval.StarlarkCallable;
import net.starlark.java.eval.StarlarkThread;
import net.starlark.java.eval.StarlarkValue;
import net.starlark.java.eval.Tuple;

/**
 * A predicate on events built by {@code match.event/any/all/never}. It is evaluated in Java, so
 * it is cheap on every event; it is also callable, {@code m(e)}, wherever a function of an event
 * is taken ({@code events().where(where = m)}).
 */
@StarlarkBuiltin(name = "matcher")
final class Matcher implements StarlarkCallable {
  private final String text;
  private final Predicate<Event> test;

  private Matcher(String text, Predicate<Event> test) {
    this.text = text;
    this.test = test;
  }

  boolean test(Event e) {
    return test.test(e);
  }

  /** Attribute filters as events().where() reads them: globs on text, numbers and bools by value. */
  static Matcher fields(Dict<String, Object> attributes) throws EvalException {
    EventQuery.Filter f = EventQuery.filter(Starlark.NONE, attributes);
    List<String> parts = new ArrayList<>();
    attributes.forEach((k, v) -> parts.add(k + " = " + Starlark.repr(v)));
    return new Matcher("match.event(" + String.join(", ", parts) + ")", f::globsMatch);
  }

  @Override
  public String getName() {
    return "matcher";
  }

  @Override
  public Object fastcall(StarlarkThread thread, Object[] positional, Object[] named) throws EvalException {
    if (positional.length != 1 || named.length != 0 || !(positional[0] instanceof EventValue e)) {
      throw Starlark.errorf("%s takes one event, as in m(e)", text);
    }
    return test(e.event());
  }

  @Override
  public boolean isImmutable() {
    return true;
  }

  @Override
  public void repr(Printer p) {
    p.append(text);
  }

  /** The {@code match} namespace. */
  @StarlarkBuiltin(name = "match", doc = "Matchers of events: match.event, match.any, match.all, match.never.")
  static final class Namespace implements StarlarkValue {
    static final Namespace INSTANCE = new Namespace();

    private Namespace() {}

    @StarlarkMethod(
        name = "event",
        doc = "Events whose attributes (type, service, interface, kind, op) and fields match: strings are globs.",
        extraKeywords = @Param(name = "fields"))
    public Matcher event(Dict<String, Object> fields) throws EvalException {
      return fields(fields);
    }

    @StarlarkMethod(name = "any", doc = "Events any of the matchers selects.", extraPositionals = @Param(name = "matchers"))
    public Matcher any(Tuple matchers) throws EvalException {
      List<Matcher> ms = matchers(matchers, "match.any()");
      return new Matcher(show("match.any", ms), e -> ms.stream().anyMatch(m -> m.test(e)));
    }

    @StarlarkMethod(name = "all", doc = "Events every matcher selects; with none, every event.",
        extraPositionals = @Param(name = "matchers"))
    public Matcher all(Tuple matchers) throws EvalException {
      List<Matcher> ms = matchers(matchers, "match.all()");
      return new Matcher(show("match.all", ms), e -> ms.stream().allMatch(m -> m.test(e)));
    }

    @StarlarkMethod(name = "never", doc = "No event.")
    public Matcher never() {
      return new Matcher("match.never()", e -> false);
    }

    private static List<Matcher> matchers(Tuple args, String what) throws EvalException {
      List<Matcher> out = new ArrayList<>();
      for (Object a : args) {
        if (a instanceof Matcher m) {
          out.add(m);
        } else if (a instanceof Dict<?, ?> d) {
          out.add(fields(Dict.cast(d, String.class, Object.class, what)));
        } else {
          throw Starlark.errorf("%s takes matchers such as match.event(service = \"api\"), got %s", what, Starlark.type(a));
        }
      }
      return out;
    }

    private static String show(String fn, List<Matcher> ms) {
      List<String> parts = new ArrayList<>();
      ms.forEach(m -> parts.add(m.text));
      return fn + "(" + String.join(", ", parts) + ")";
    }

    @Override
    public boolean isImmutable() {
      return true;
    }

    @Override
    public void repr(Printer p) {
      p.append("<match>");
    }
  }
}
