package dev.faultbox.kernel.fault;

import dev.faultbox.kernel.event.Monitor;
import java.util.List;
import net.starlark.java.annot.StarlarkBuiltin;
import net.starlark.java.annot.StarlarkMethod;
import net.starlark.java.eval.Printer;
import net.starlark.java.eval.StarlarkValue;

/**
 * A named set of rules laid on interfaces, as {@code fault_assumption(...)} builds it; children
 * given with {@code faults=} are merged in.
 */
@StarlarkBuiltin(name = "fault_assumption")
public final class FaultAssumption implements StarlarkValue {

  /** Rules laid on one interface of one service. */
  public record Binding(String service, String iface, String protocol, List<FaultRule> rules) {}

  private final String name;
  private final String description;
  private final List<Binding> bindings;
  private final List<Monitor> monitors;

  public FaultAssumption(String name, String description, List<Binding> bindings) {
    this(name, description, bindings, List.of());
  }

  /** @param monitors watch the events recorded while the assumption is laid */
  public FaultAssumption(String name, String description, List<Binding> bindings, List<Monitor> monitors) {
    this.name = name;
    this.description = description;
    this.bindings = List.copyOf(bindings);
    this.monitors = List.copyOf(monitors);
  }

  @StarlarkMethod(name = "name", structField = true, doc = "The assumption's name.")
  public String name() {
    return name;
  }

  @StarlarkMethod(name = "description", structField = true, doc = "What the assumption means.")
  public String description() {
    return description;
  }

  public List<Binding> bindings() {
    return bindings;
  }

  /** The monitors active while it is laid, its children's included. */
  public List<Monitor> monitors() {
    return monitors;
  }

  @Override
  public boolean isImmutable() {
    return true;
  }

  @Override
  public void repr(Printer p) {
    p.append("fault_assumption(").repr(name).append(")");
  }
}
