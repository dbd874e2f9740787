package dev.faultbox.kernel.event;

import dev.faultbox.spi.SourceLocation;
import net.starlark.java.annot.StarlarkBuiltin;
import net.starlark.java.eval.Printer;
import net.starlark.java.eval.StarlarkCallable;
import net.starlark.java.eval.StarlarkValue;

/**
 * A {@code monitor(name, on=, state_init=, update=, check=)}: an invariant checked on every
 * event {@code on} selects while it is active. Only the declaration; each activation keeps its
 * own state.
 *
 * @param on a matcher, a function of an event, or a dict of attribute filters
 * @param stateInit the state an activation starts from (copied, so update may change it)
 * @param update {@code update(event, state)} returns the next state; null to keep the state
 * @param check {@code check(event, state)} is false when the invariant breaks; null for none
 * @param at where monitor() was called, for the failure's location
 */
@StarlarkBuiltin(name = "monitor")
public record Monitor(String name, Object on, Object stateInit, StarlarkCallable update, StarlarkCallable check,
    SourceLocation at) implements StarlarkValue {

  @Override
  public boolean isImmutable() {
    return true;
  }

  // Identity, not the components': two monitors declared alike are still two monitors.
  @Override
  public boolean equals(Object o) {
    return this == o;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }

  @Override
  public void repr(Printer p) {
    p.append("monitor(").repr(name).append(")");
  }
}
