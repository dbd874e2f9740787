package dev.faultbox.plugin.redis;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The databases of one running mock. Keys and string values are binary strings (ISO-8859-1, one
 * char per byte); a hash is a {@code LinkedHashMap<String, String>}, a list a {@link RedisList}.
 * Expiry is on the wall clock: a key past its time is removed when a command touches it
 * ({@link #lookup}) and by {@link #sweep}, which the server runs periodically. Not thread-safe:
 * every access holds the keyspace's monitor ({@code synchronized (keyspace)}).
 */
final class Keyspace {

  /** A value and its expiry time in epoch milliseconds, 0 for none. */
  static final class Entry {
    Object value;
    long expireAtMs;

    Entry(Object value, long expireAtMs) {
      this.value = value;
      this.expireAtMs = expireAtMs;
    }

    String typeName() {
      if (value instanceof String) {
        return "string";
      } else if (value instanceof Map) {
        return "hash";
      } else if (value instanceof RedisList) {
        return "list";
      } else if (value instanceof Set) {
        return "set";
      } else if (value instanceof ZSet) {
        return "zset";
      } else if (value instanceof RedisStream) {
        return "stream";
      }
      return "none";
    }
  }

  private final List<Map<String, Entry>> dbs;
  /** Per database, the keys that have an expiry, for the sweep. */
  private final List<Set<String>> volatileKeys;
  private final LongSupplier clock;

  Keyspace(int databases, LongSupplier clock) {
    this.dbs = new ArrayList<>(databases);
    this.volatileKeys = new ArrayList<>(databases);
    for (int i = 0; i < databases; i++) {
      dbs.add(new HashMap<>());
      volatileKeys.add(new HashSet<>());
    }
    this.clock = clock;
  }

  int databases() {
    return dbs.size();
  }

  long now() {
    return clock.getAsLong();
  }

  /** The live entry of {@code key}, removing it first if it has expired. */
  Entry lookup(int db, String key) {
    Entry e = dbs.get(db).get(key);
    if (e != null && e.expireAtMs != 0 && e.expireAtMs <= now()) {
      remove(db, key);
      return null;
    }
    return e;
  }

  /** Sets {@code key} to {@code value} with {@code expireAtMs} (0: none), replacing any entry. */
  void put(int db, String key, Object value, long expireAtMs) {
    dbs.get(db).put(key, new Entry(value, expireAtMs));
    if (expireAtMs != 0) {
      volatileKeys.get(db).add(key);
    } else {
      volatileKeys.get(db).remove(key);
    }
  }

  void expireAt(int db, String key, Entry entry, long expireAtMs) {
    entry.expireAtMs = expireAtMs;
    if (expireAtMs != 0) {
      volatileKeys.get(db).add(key);
    } else {
      volatileKeys.get(db).remove(key);
    }
  }

  boolean remove(int db, String key) {
    volatileKeys.get(db).remove(key);
    return dbs.get(db).remove(key) != null;
  }

  /** Removes {@code key} if its collection became empty, as redis-server does. */
  void dropIfEmpty(int db, String key, Entry entry) {
    boolean empty = entry.value instanceof Map<?, ?> m ? m.isEmpty()
        : entry.value instanceof Set<?> set ? set.isEmpty()
        : entry.value instanceof ZSet z ? z.isEmpty()
        : entry.value instanceof RedisList l && l.size() == 0;
    if (empty) {
      remove(db, key);
    }
  }

  /** A live key chosen at random, null when the database is empty. */
  String randomKey(int db) {
    sweep(db);
    Map<String, Entry> map = dbs.get(db);
    if (map.isEmpty()) {
      return null;
    }
    int skip = java.util.concurrent.ThreadLocalRandom.current().nextInt(map.size());
    for (String k : map.keySet()) {
      if (skip-- == 0) {
        return k;
      }
    }
    return null;
  }

  int expiring(int db) {
    sweep(db);
    return volatileKeys.get(db).size();
  }

  int size(int db) {
    sweep(db);
    return dbs.get(db).size();
  }

  /** The live keys of {@code db} matching {@code pattern} (redis-server's glob). */
  List<String> keys(int db, String pattern) {
    sweep(db);
    List<String> out = new ArrayList<>();
    boolean all = pattern.equals("*");
    for (String k : dbs.get(db).keySet()) {
      if (all || Glob.matches(pattern, k)) {
        out.add(k);
      }
    }
    return out;
  }

  void flush(int db) {
    dbs.get(db).clear();
    volatileKeys.get(db).clear();
  }

  void flushAll() {
    for (int i = 0; i < dbs.size(); i++) {
      flush(i);
    }
  }

  /** Removes every expired key of every database. */
  void sweep() {
    for (int i = 0; i < dbs.size(); i++) {
      sweep(i);
    }
  }

  private void sweep(int db) {
    Set<String> keys = volatileKeys.get(db);
    if (keys.isEmpty()) {
      return;
    }
    long now = now();
    Map<String, Entry> map = dbs.get(db);
    for (Iterator<String> it = keys.iterator(); it.hasNext(); ) {
      String k = it.next();
      Entry e = map.get(k);
      if (e == null || e.expireAtMs == 0) {
        it.remove();
      } else if (e.expireAtMs <= now) {
        it.remove();
        map.remove(k);
      }
    }
  }
}
