package dev.faultbox.kernel.spec;

import net.starlark.java.eval.Printer;
import net.starlark.java.eval.StarlarkCallable;

/** A test a builtin registers (test(), fault_scenario, a fault_matrix cell): named, immutable, shown as {@code <kind name>}. */
abstract class RegisteredTest implements StarlarkCallable {
  private final String name;
  private final String kind;

  RegisteredTest(String name, String kind) {
    this.name = name;
    this.kind = kind;
  }

  @Override
  public final String getName() {
    return name;
  }

  @Override
  public final boolean isImmutable() {
    return true;
  }

  @Override
  public final void repr(Printer p) {
    p.append("<").append(kind).append(" ").append(name).append(">");
  }
}
