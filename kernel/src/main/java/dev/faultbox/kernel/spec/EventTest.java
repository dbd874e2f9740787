package dev.faultbox.kernel.spec;

import dev.faultbox.kernel.event.Event;
import java.util.List;
import java.util.Map;
import net.starlark.java.eval.Dict;
import net.starlark.java.eval.EvalException;
import net.starlark.java.eval.Starlark;
import net.starlark.java.eval.StarlarkCallable;
import net.starlark.java.eval.StarlarkThread;

/**
 * What selects events wherever a builtin takes one (monitor's {@code on=}, await_event,
 * assert_before): a {@code match.*} matcher, a function of an event, or a dict of attribute
 * filters such as {@code {"service": "db", "op": "INSERT*"}}.
 */
abstract class EventTest {
  /** Whether the event is selected; a function is called on {@code thread}. */
  abstract boolean test(Event e, StarlarkThread thread) throws EvalException, InterruptedException;

  /** How the test reads in a failure message. */
  abstract String describe();

  static EventTest of(Object v, String what) throws EvalException {
    if (v instanceof Matcher m) {
      return new EventTest() {
        @Override
        boolean test(Event e, StarlarkThread thread) {
          return m.test(e);
        }

        @Override
        String describe() {
          return Starlark.repr(m);
        }
      };
    }
    if (v instanceof StarlarkCallable fn) {
      return new EventTest() {
        @Override
        boolean test(Event e, StarlarkThread thread) throws EvalException, InterruptedException {
          return Starlark.truth(Starlark.call(thread, fn, List.of(new EventValue(e)), Map.of()));
        }

        @Override
        String describe() {
          String name = SuiteBuiltins.userName(fn);
          return name == null ? "a lambda" : name;
        }
      };
    }
    if (v instanceof Dict<?, ?> d) {
      Matcher m = Matcher.fields(Dict.cast(d, String.class, Object.class, what));
      return of(m, what);
    }
    throw Starlark.errorf("%s takes a matcher such as match.event(service = \"api\"), a function of an event, "
        + "or a dict of attribute filters, got %s", what, Starlark.type(v));
  }
}
