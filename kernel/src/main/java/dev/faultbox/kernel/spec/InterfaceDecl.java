package dev.faultbox.kernel.spec;

import dev.faultbox.spi.InterfaceSpec;
import net.starlark.java.annot.StarlarkBuiltin;
import net.starlark.java.eval.Printer;
import net.starlark.java.eval.StarlarkValue;

/** The value of {@code interface(name, protocol, port)}, before a service owns it. */
@StarlarkBuiltin(name = "interface")
public record InterfaceDecl(InterfaceSpec spec) implements StarlarkValue {
  @Override
  public boolean isImmutable() {
    return true;
  }

  @Override
  public void repr(Printer p) {
    p.append("interface(").repr(spec.name()).append(", ").repr(spec.protocol()).append(", ")
        .append(Integer.toString(spec.port())).append(")");
  }
}
