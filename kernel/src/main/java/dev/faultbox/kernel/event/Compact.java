package dev.faultbox.kernel.event;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What keeps an event small on the heap, where a test may hold a million: field names stored
 * once per shape (the set of names a protocol's events share), the values in one array, and
 * the strings and numbers that repeat from request to request (methods, paths, routes, statuses,
 * sizes) shared rather than kept once per event. One per event log, so a test starts with empty
 * caches; they are bounded, so a stream of distinct values costs what it would unshared, no more.
 */
final class Compact {
  private static final int MAX_CACHED = 16_384;
  private static final int MAX_CACHED_LENGTH = 128;
  private static final int SMALL = 4096;
  private static final Integer[] INTS = new Integer[SMALL];
  private static final Long[] LONGS = new Long[SMALL];

  static {
    for (int i = 0; i < SMALL; i++) {
      INTS[i] = i;
      LONGS[i] = (long) i;
    }
  }

  private final ConcurrentHashMap<String, String> strings = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Shape, String[]> shapes = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, String> mockTypes = new ConcurrentHashMap<>();

  /** The one copy of a short string seen before, else the string itself (kept while room remains). */
  String string(String s) {
    if (s == null || s.length() > MAX_CACHED_LENGTH) {
      return s;
    }
    String seen = strings.get(s);
    if (seen != null) {
      return seen;
    }
    if (strings.size() < MAX_CACHED) {
      seen = strings.putIfAbsent(s, s);
      return seen == null ? s : seen;
    }
    return s;
  }

  /** {@code mock.<op>} for a mock event, made once per op while the cache has room. */
  String mockType(String op) {
    String t = mockTypes.get(op);
    if (t == null) {
      t = "mock." + op;
      if (mockTypes.size() < MAX_CACHED && op.length() <= MAX_CACHED_LENGTH) {
        String prior = mockTypes.putIfAbsent(op, t);
        t = prior == null ? t : prior;
      }
    }
    return t;
  }

  /** A field value, shared where an equal one is. */
  Object value(Object v) {
    if (v instanceof String s) {
      return string(s);
    }
    if (v instanceof Integer i && i >= 0 && i < SMALL) {
      return INTS[i];
    }
    if (v instanceof Long l && l >= 0 && l < SMALL) {
      return LONGS[l.intValue()];
    }
    return v; // structures (a header map, a list) stay as the plugin made them
  }

  /** Fields as an immutable map of two arrays, the names shared by every event of the shape. */
  Map<String, Object> fields(Map<String, ?> fields) {
    int n = fields.size();
    if (n == 0) {
      return Map.of();
    }
    String[] names = new String[n];
    Object[] values = new Object[n];
    int i = 0;
    for (Map.Entry<String, ?> e : fields.entrySet()) {
      if (i == n) {
        break; // the map grew while it was read: keep what was counted
      }
      names[i] = java.util.Objects.requireNonNull(e.getKey(), "event field name");
      values[i] = value(e.getValue());
      i++;
    }
    if (i < n) { // it shrank: trim
      names = Arrays.copyOf(names, i);
      values = Arrays.copyOf(values, i);
    }
    Shape shape = new Shape(names);
    String[] shared = shapes.get(shape);
    if (shared == null && shapes.size() < MAX_CACHED) {
      for (int k = 0; k < names.length; k++) {
        names[k] = string(names[k]);
      }
      String[] prior = shapes.putIfAbsent(shape, names);
      shared = prior == null ? names : prior;
    }
    return new Fields(shared == null ? names : shared, values);
  }

  /** A key array as a cache key. */
  private record Shape(String[] names) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Shape s && Arrays.equals(names, s.names);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(names);
    }
  }

  /** Immutable; lookups scan the few names an event has. */
  static final class Fields extends AbstractMap<String, Object> {
    private final String[] names;
    private final Object[] values;

    Fields(String[] names, Object[] values) {
      this.names = names;
      this.values = values;
    }

    @Override
    public Object get(Object key) {
      for (int i = 0; i < names.length; i++) {
        if (names[i].equals(key)) {
          return values[i];
        }
      }
      return null;
    }

    @Override
    public boolean containsKey(Object key) {
      for (String name : names) {
        if (name.equals(key)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public int size() {
      return names.length;
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
      return new AbstractSet<>() {
        @Override
        public Iterator<Entry<String, Object>> iterator() {
          return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
              return next < names.length;
            }

            @Override
            public Entry<String, Object> next() {
              if (next >= names.length) {
                throw new NoSuchElementException();
              }
              int i = next++;
              return new SimpleImmutableEntry<>(names[i], values[i]);
            }
          };
        }

        @Override
        public int size() {
          return names.length;
        }
      };
    }
  }
}
