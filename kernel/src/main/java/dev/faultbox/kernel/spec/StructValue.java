package dev.faultbox.kernel.spec;

import com.google.common.collect.ImmutableCollection;
import com.google.common.collect.ImmutableMap;
import java.util.Map;
import net.starlark.java.annot.StarlarkBuiltin;
import net.starlark.java.eval.Printer;
import net.starlark.java.eval.Starlark;
import net.starlark.java.eval.Structure;
import net.starlark.java.spelling.SpellChecker;

/** The value of {@code struct(**fields)}: an immutable namespace, as every stdlib module exports. */
@StarlarkBuiltin(name = "struct")
public final class StructValue implements Structure {
  private final ImmutableMap<String, Object> fields;

  public StructValue(Map<String, Object> fields) {
    this.fields = ImmutableMap.copyOf(fields);
  }

  @Override
  public Object getValue(String name) {
    return fields.get(name);
  }

  @Override
  public ImmutableCollection<String> getFieldNames() {
    return fields.keySet();
  }

  @Override
  public String getErrorMessageForUnknownField(String field) {
    return "struct has no field '" + field + "'" + SpellChecker.didYouMean(field, fields.keySet());
  }

  @Override
  public boolean isImmutable() {
    return fields.values().stream().allMatch(Starlark::isImmutable);
  }

  @Override
  public void repr(Printer p) {
    p.append("struct(");
    String sep = "";
    for (Map.Entry<String, Object> e : fields.entrySet()) {
      p.append(sep).append(e.getKey()).append(" = ").repr(e.getValue());
      sep = ", ";
    }
    p.append(")");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StructValue s && s.fields.equals(fields);
  }

  @Override
  public int hashCode() {
    return fields.hashCode();
  }
}
