package dev.faultbox.kernel.spec;

import com.google.common.collect.ImmutableCollection;
import com.google.common.collect.ImmutableList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.starlark.java.annot.StarlarkBuiltin;
import net.starlark.java.eval.Printer;
import net.starlark.java.eval.Structure;
import net.starlark.java.spelling.SpellChecker;

/**
 * A declared service, as the spec sees it: {@code .name}, one field per interface, and, when it
 * has a single interface, that interface's steps as a shorthand ({@code legacy.send(...)}).
 */
@StarlarkBuiltin(name = "service")
public final class ServiceValue implements Structure {
  private final String name;
  private final Map<String, InterfaceRef> interfaces = new LinkedHashMap<>();

  ServiceValue(String name, List<InterfaceRef> refs) {
    this.name = name;
    refs.forEach(r -> interfaces.put(r.spec().name(), r));
  }

  public String name() {
    return name;
  }

  @Override
  public Object getValue(String field) {
    if (field.equals("name")) {
      return name;
    }
    InterfaceRef ref = interfaces.get(field);
    if (ref != null) {
      return ref;
    }
    return interfaces.size() == 1 ? interfaces.values().iterator().next().steps().get(field) : null;
  }

  @Override
  public ImmutableCollection<String> getFieldNames() {
    ImmutableList.Builder<String> b = ImmutableList.<String>builder().add("name").addAll(interfaces.keySet());
    if (interfaces.size() == 1) {
      b.addAll(interfaces.values().iterator().next().steps().keySet());
    }
    return b.build();
  }

  @Override
  public String getErrorMessageForUnknownField(String field) {
    String hint = interfaces.size() > 1
        ? "; it has several interfaces, so name one: " + name + "." + interfaces.keySet().iterator().next() + "." + field
        : "; it has " + String.join(", ", getFieldNames());
    return "service " + name + " has no field '" + field + "'"
        + SpellChecker.didYouMean(field, getFieldNames()) + hint;
  }

  @Override
  public boolean isImmutable() {
    return true;
  }

  @Override
  public void repr(Printer p) {
    p.append("<service ").append(name).append(">");
  }
}
