package dev.faultbox.junit;

import dev.faultbox.kernel.event.Event;
import dev.faultbox.kernel.event.EventLog;
import dev.faultbox.kernel.event.Glob;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The event log as a query, as specs write it: {@code events().where("service", "auth")
 * .where("op", "GET /jwks").count()}. Immutable; each read looks at the log afresh.
 */
public final class Events {
  private final Supplier<EventLog> log;
  private final List<Predicate<Event>> filters;
  private final List<String> described;

  Events(Supplier<EventLog> log) {
    this(log, List.of(), List.of());
  }

  private Events(Supplier<EventLog> log, List<Predicate<Event>> filters, List<String> described) {
    this.log = log;
    this.filters = filters;
    this.described = described;
  }

  /**
   * Keeps events whose attribute ({@code service interface kind type op}) or field matches: a
   * string is a glob on its text ({@code "5*"}), a number or a boolean must equal it.
   */
  public Events where(String attribute, Object value) {
    Predicate<Event> test;
    if (value instanceof String s) {
      Glob glob = Glob.compile(s);
      test = e -> {
        Object v = e.attribute(attribute);
        return v != null && glob.matches(Event.text(v));
      };
    } else if (value instanceof Number n) {
      test = e -> e.attribute(attribute) instanceof Number v && (isWhole(v) && isWhole(n)
          ? v.longValue() == n.longValue() : v.doubleValue() == n.doubleValue());
    } else if (value instanceof Boolean b) {
      test = e -> b.equals(e.attribute(attribute));
    } else {
      throw new IllegalArgumentException("where(\"" + attribute + "\", ...) takes a string (a glob), a number or a "
          + "boolean, not " + (value == null ? "null" : value.getClass().getSimpleName()));
    }
    return with(test, attribute + "=" + value);
  }

  /** Keeps events the predicate accepts. */
  public Events where(Predicate<Event> predicate) {
    return with(predicate, "where(...)");
  }

  private Events with(Predicate<Event> f, String text) {
    List<Predicate<Event>> fs = new ArrayList<>(filters);
    fs.add(f);
    List<String> ds = new ArrayList<>(described);
    ds.add(text);
    return new Events(log, List.copyOf(fs), List.copyOf(ds));
  }

  private static boolean isWhole(Number n) {
    return n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte;
  }

  boolean matches(Event e) {
    for (Predicate<Event> f : filters) {
      if (!f.test(e)) {
        return false;
      }
    }
    return true;
  }

  /** The matching events now, in order. */
  public List<Event> list() {
    List<Event> out = new ArrayList<>();
    for (Event e : log.get().snapshot()) {
      if (matches(e)) {
        out.add(e);
      }
    }
    return out;
  }

  public int count() {
    return log.get().count(this::matches);
  }

  public Optional<Event> first() {
    List<Event> all = list();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
  }

  public Optional<Event> last() {
    List<Event> all = list();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  EventLog log() {
    return log.get();
  }

  @Override
  public String toString() {
    return described.isEmpty() ? "every event" : String.join(", ", described);
  }
}
