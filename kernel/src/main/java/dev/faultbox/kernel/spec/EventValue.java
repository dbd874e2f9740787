package dev.faultbox.kernel.spec;

import com.google.common.collect.ImmutableCollection;
import com.google.common.collect.ImmutableList;
import dev.faultbox.kernel.event.Event;
import java.util.TreeMap;
import net.starlark.java.annot.StarlarkBuiltin;
import net.starlark.java.eval.Printer;
import net.starlark.java.eval.StarlarkInt;
import net.starlark.java.eval.Structure;

/**
 * An event as a spec sees it: {@code .service .interface .kind .type .op .seq .timestamp
 * .fields}, and any field by name ({@code e.status}); a field the event lacks reads as "".
 */
@StarlarkBuiltin(name = "event")
public final class EventValue implements Structure {
  private static final ImmutableList<String> TOP =
      ImmutableList.of("service", "interface", "kind", "type", "op", "seq", "timestamp", "fields");

  private final Event e;

  EventValue(Event e) {
    this.e = e;
  }

  public Event event() {
    return e;
  }

  @Override
  public Object getValue(String name) {
    return switch (name) {
      case "seq" -> StarlarkInt.of(e.seq());
      case "timestamp" -> StarlarkInt.of(e.timestampMillis());
      case "fields" -> Values.toStarlark(new TreeMap<>(e.fields()), null);
      default -> {
        Object v = e.attribute(name);
        yield v == null ? "" : Values.toStarlark(v, null);
      }
    };
  }

  @Override
  public ImmutableCollection<String> getFieldNames() {
    return ImmutableList.<String>builder().addAll(TOP).addAll(new TreeMap<>(e.fields()).keySet()).build();
  }

  @Override
  public String getErrorMessageForUnknownField(String field) {
    return null;
  }

  @Override
  public boolean isImmutable() {
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EventValue v && v.e.equals(e);
  }

  @Override
  public int hashCode() {
    return e.hashCode();
  }

  @Override
  public void repr(Printer p) {
    p.append("event(#").append(Long.toString(e.seq())).append(" ").append(e.service());
    if (!e.iface().isEmpty()) {
      p.append(".").append(e.iface());
    }
    p.append(" ").append(e.type());
    new TreeMap<>(e.fields()).forEach((k, v) -> p.append(" ").append(k).append("=").repr(Values.toStarlark(v, null)));
    p.append(")");
  }
}
