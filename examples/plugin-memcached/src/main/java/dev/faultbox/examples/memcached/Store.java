package dev.faultbox.examples.memcached;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The items of one running mock, with memcached's semantics: flags, expiry, CAS uniques, and
 * 64-bit unsigned counters. Every method is synchronized: one store is shared by the connections
 * of a mock, which may sit on different event loops. Keys are wire keys (see {@link Keys}).
 */
final class Store {

  /** Exptimes up to 30 days are relative seconds; larger ones are Unix times, as in memcached. */
  static final long RELATIVE_LIMIT_SECONDS = 60L * 60 * 24 * 30;

  /**
   * A stored value.
   *
   * @param expiresAt epoch millis after which it is gone; 0 for never
   */
  record Item(byte[] value, long flags, long expiresAt, long cas) {}

  /** How a storage command treats what is there. */
  enum Mode { SET, ADD, REPLACE, APPEND, PREPEND, CAS }

  /** Storage outcomes, named as their replies. */
  enum Stored { STORED, NOT_STORED, EXISTS, NOT_FOUND }

  /** An incr or decr: its new value, or why there is none. */
  record Counted(Long value, boolean found, boolean numeric) {}

  private final Map<String, Item> items = new HashMap<>();
  private final LongSupplier clock;
  private long lastCas;

  /** @param clock epoch millis: exptimes above 30 days are wall-clock times */
  Store(LongSupplier clock) {
    this.clock = clock;
  }

  /** The live item at {@code key}, forgetting it if it expired. */
  synchronized Item get(String key) {
    Item item = items.get(key);
    if (item != null && expired(item)) {
      items.remove(key);
      return null;
    }
    return item;
  }

  synchronized Stored store(Mode mode, String key, long flags, long exptime, byte[] data, long casUnique) {
    Item old = get(key);
    switch (mode) {
      case ADD -> {
        if (old != null) {
          return Stored.NOT_STORED;
        }
      }
      case REPLACE, APPEND, PREPEND -> {
        if (old == null) {
          return Stored.NOT_STORED;
        }
      }
      case CAS -> {
        if (old == null) {
          return Stored.NOT_FOUND;
        }
        if (old.cas() != casUnique) {
          return Stored.EXISTS;
        }
      }
      case SET -> { }
    }
    if (mode == Mode.APPEND || mode == Mode.PREPEND) {
      // memcached keeps the item's flags and expiry and ignores the command's.
      byte[] joined = mode == Mode.APPEND ? concat(old.value(), data) : concat(data, old.value());
      items.put(key, new Item(joined, old.flags(), old.expiresAt(), ++lastCas));
      return Stored.STORED;
    }
    put(key, data, flags, exptime);
    return Stored.STORED;
  }

  /** Seeds or sets a value, as {@code set} does. */
  synchronized void put(String key, byte[] value, long flags, long exptime) {
    long expiresAt = expiresAt(exptime);
    if (expiresAt < 0) {
      items.remove(key); // a negative or past exptime: stored and at once expired
    } else {
      items.put(key, new Item(value.clone(), flags, expiresAt, ++lastCas));
    }
  }

  synchronized boolean delete(String key) {
    return get(key) != null && items.remove(key) != null;
  }

  /** Adds (or, for decr, subtracts) {@code delta}: incr wraps at 2^64, decr stops at 0. */
  synchronized Counted count(String key, long delta, boolean increment) {
    Item old = get(key);
    if (old == null) {
      return new Counted(null, false, false);
    }
    long current;
    try {
      current = Long.parseUnsignedLong(new String(old.value(), StandardCharsets.US_ASCII).strip());
    } catch (NumberFormatException e) {
      return new Counted(null, true, false);
    }
    long next = increment ? current + delta : Long.compareUnsigned(current, delta) < 0 ? 0 : current - delta;
    byte[] text = Long.toUnsignedString(next).getBytes(StandardCharsets.US_ASCII);
    items.put(key, new Item(text, old.flags(), old.expiresAt(), ++lastCas));
    return new Counted(next, true, true);
  }

  synchronized boolean touch(String key, long exptime) {
    Item old = get(key);
    if (old == null) {
      return false;
    }
    long expiresAt = expiresAt(exptime);
    if (expiresAt < 0) {
      items.remove(key);
    } else {
      items.put(key, new Item(old.value(), old.flags(), expiresAt, old.cas()));
    }
    return true;
  }

  /** Invalidates every item now, or once {@code delaySeconds} have passed. */
  synchronized void flushAll(long delaySeconds) {
    if (delaySeconds <= 0) {
      items.clear();
      return;
    }
    long at = clock.getAsLong() + delaySeconds * 1000;
    items.replaceAll((k, item) -> item.expiresAt() != 0 && item.expiresAt() <= at
        ? item : new Item(item.value(), item.flags(), at, item.cas()));
  }

  /** Live items. */
  synchronized int size() {
    for (Iterator<Item> it = items.values().iterator(); it.hasNext(); ) {
      if (expired(it.next())) {
        it.remove();
      }
    }
    return items.size();
  }

  private boolean expired(Item item) {
    return item.expiresAt() != 0 && clock.getAsLong() >= item.expiresAt();
  }

  /** Epoch millis for an exptime: 0 for never, -1 for already expired. */
  private long expiresAt(long exptime) {
    if (exptime == 0) {
      return 0;
    }
    long now = clock.getAsLong();
    long at = exptime < 0 ? now - 1
        : exptime <= RELATIVE_LIMIT_SECONDS ? now + exptime * 1000 : exptime * 1000;
    return at <= now ? -1 : at;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
