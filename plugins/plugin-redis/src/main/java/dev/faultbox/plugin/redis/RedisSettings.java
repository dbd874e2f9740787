package dev.faultbox.plugin.redis;

import dev.faultbox.plugin.support.Config;
import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockDefinition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A redis mock's {@code config=}, checked once by {@code prepare}: {@code state} (the seed),
 * {@code password} (AUTH required when set) and {@code databases} (1..1024, 16 by default).
 *
 * <p>A {@code state} value seeds by its type: a str, int, float or bool a string (as text:
 * {@code True} is {@code "true"}), a dict a hash, a list a list; {@code {"value": v, "ttl": "30s"}}
 * seeds {@code v} with that time to live, counted from each start; {@code {"type": "set", "value": [...]}}
 * a set and {@code {"type": "zset", "value": {"member": score}}} a sorted set.
 */
record RedisSettings(List<Seed> seeds, String password, int databases) {

  static final List<String> KEYS = List.of("databases", "password", "state");
  static final int DEFAULT_DATABASES = 16;

  /** One seeded key: a binary-string value, a hash (field → value) or a list; ttlMs 0 for none. */
  record Seed(String key, Object value, long ttlMs) {}

  static RedisSettings of(MockDefinition definition) throws InvalidMockException {
    if (!definition.routes().isEmpty() || definition.defaultResponse().isPresent()) {
      throw new InvalidMockException(
          "a redis mock takes no routes or default response; seed it with config={\"state\": {...}}");
    }
    Map<String, Object> config = definition.config();
    for (String key : config.keySet()) {
      if (!KEYS.contains(key)) {
        throw Config.unknownKey("redis", key, KEYS);
      }
    }
    int databases = DEFAULT_DATABASES;
    if (config.get("databases") != null) {
      databases = (int) Config.intIn("redis", "databases", config.get("databases"), 1, 1024);
    }
    String password = null;
    Object pw = config.get("password");
    if (pw != null) {
      if (!(pw instanceof String s) || s.isEmpty()) {
        throw new InvalidMockException(
            "redis mock config \"password\" must be a non-empty str or None, got " + Config.starlarkType(pw));
      }
      password = Command.binary(s);
    }
    List<Seed> seeds = new ArrayList<>();
    Object state = config.get("state");
    if (state != null) {
      if (!(state instanceof Map<?, ?> map)) {
        throw new InvalidMockException(
            "redis mock config \"state\" must be a dict, got " + Config.starlarkType(state));
      }
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!(e.getKey() instanceof String key)) {
          throw new InvalidMockException(
              "redis mock state keys must be str, got " + Config.starlarkType(e.getKey()));
        }
        seeds.add(seed(key, e.getValue()));
      }
    }
    return new RedisSettings(List.copyOf(seeds), password, databases);
  }

  private static Seed seed(String key, Object value) throws InvalidMockException {
    long ttlMs = 0;
    String type = null;
    if (value instanceof Map<?, ?> m && m.containsKey("value")
        && m.keySet().stream().allMatch(k -> k.equals("value") || k.equals("ttl") || k.equals("type"))) {
      Object ttl = m.get("ttl");
      if (ttl != null) {
        ttlMs = duration(key, ttl);
      }
      Object t = m.get("type");
      if (t != null) {
        if (!(t instanceof String ts) || !List.of("string", "hash", "list", "set", "zset", "stream").contains(ts)) {
          throw new InvalidMockException("redis mock state \"" + key + "\": type must be \"string\", \"hash\","
              + " \"list\", \"set\", \"zset\" or \"stream\", got " + t);
        }
        type = ts;
      }
      value = m.get("value");
    }
    String binaryKey = Command.binary(key);
    if (type != null) {
      String actual = value instanceof Map ? "hash" : value instanceof List ? "list" : "string";
      if (type.equals("stream")) {
        return new Seed(binaryKey, StreamSeed.of(key, value), ttlMs);
      }
      if (type.equals("set")) {
        if (!(value instanceof List<?> l) || l.isEmpty()) {
          throw new InvalidMockException("redis mock state \"" + key + "\": a set seeds from a non-empty list");
        }
        java.util.LinkedHashSet<String> members = new java.util.LinkedHashSet<>();
        for (Object item : l) {
          members.add(scalar(key, item));
        }
        return new Seed(binaryKey, java.util.Collections.unmodifiableSet(members), ttlMs);
      }
      if (type.equals("zset")) {
        return new Seed(binaryKey, zset(key, value), ttlMs);
      }
      if (!type.equals(actual)) {
        throw new InvalidMockException("redis mock state \"" + key + "\": type \"" + type + "\" does not fit a "
            + Config.starlarkType(value) + " value");
      }
    }
    if (value instanceof Map<?, ?> m) {
      Map<String, String> hash = new LinkedHashMap<>();
      for (Map.Entry<?, ?> f : m.entrySet()) {
        hash.put(Command.binary(String.valueOf(f.getKey())), scalar(key, f.getValue()));
      }
      if (hash.isEmpty()) {
        throw new InvalidMockException("redis mock state \"" + key + "\": an empty dict seeds no hash");
      }
      return new Seed(binaryKey, java.util.Collections.unmodifiableMap(hash), ttlMs);
    }
    if (value instanceof List<?> l) {
      List<String> items = new ArrayList<>();
      for (Object item : l) {
        items.add(scalar(key, item));
      }
      if (items.isEmpty()) {
        throw new InvalidMockException("redis mock state \"" + key + "\": an empty list seeds no list");
      }
      return new Seed(binaryKey, List.copyOf(items), ttlMs);
    }
    return new Seed(binaryKey, scalar(key, value), ttlMs);
  }

  /** A zset seed: a non-empty dict of member → score (int or float, not NaN). */
  private static ZSet zset(String key, Object value) throws InvalidMockException {
    if (!(value instanceof Map<?, ?> m) || m.isEmpty()) {
      throw new InvalidMockException("redis mock state \"" + key + "\": a zset seeds from a non-empty dict of"
          + " member to score, such as {\"alice\": 1.5}, got " + Config.starlarkType(value));
    }
    ZSet z = new ZSet();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      Object score = e.getValue();
      if (!(score instanceof Long || score instanceof Integer || score instanceof Double)
          || (score instanceof Double d && d.isNaN())) {
        throw new InvalidMockException("redis mock state \"" + key + "\": zset member \"" + e.getKey()
            + "\" needs an int or float score, got " + (score instanceof Double ? "nan" : Config.starlarkType(score)));
      }
      z.put(scalar(key, e.getKey()), ((Number) score).doubleValue());
    }
    return z;
  }

  private static String scalar(String key, Object value) throws InvalidMockException {
    if (value instanceof String s) {
      return Command.binary(s);
    } else if (value instanceof Boolean b) {
      return b ? "true" : "false";
    } else if (value instanceof Long || value instanceof Integer) {
      return value.toString();
    } else if (value instanceof Double d) {
      return Commands.formatDouble(d);
    } else if (value instanceof byte[] bytes) {
      return new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
    throw new InvalidMockException("redis mock state \"" + key + "\": cannot seed a "
        + Config.starlarkType(value) + " (use str, int, float, bool, dict, list or {\"value\": ..., \"ttl\": \"30s\"})");
  }

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  /** A TTL: an int of seconds, or a duration text such as {@code "500ms"}, {@code "30s"}, {@code "1h"}. */
  private static long duration(String key, Object ttl) throws InvalidMockException {
    if ((ttl instanceof Long || ttl instanceof Integer) && ((Number) ttl).longValue() > 0) {
      return ((Number) ttl).longValue() * 1000;
    }
    if (ttl instanceof String s) {
      Matcher m = DURATION.matcher(s);
      if (m.matches() && Long.parseLong(m.group(1)) > 0) {
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
          case "ms" -> n;
          case "s" -> n * 1000;
          case "m" -> n * 60_000;
          default -> n * 3_600_000;
        };
      }
    }
    throw new InvalidMockException("redis mock state \"" + key + "\": ttl must be a positive duration such as"
        + " \"30s\" or \"500ms\", got " + ttl);
  }

  /**
   * A seeded stream: {@code {"type": "stream", "value": [{"id": "1-1", "fields": {"f": "v"}}, ...]}};
   * {@code id} may be left out, for the id just after the previous item's ({@code 0-1} first).
   */
  record StreamSeed(List<RedisStream.Id> ids, List<List<String>> fields) {
    static StreamSeed of(String key, Object value) throws InvalidMockException {
      String where = "redis mock state \"" + key + "\": ";
      if (!(value instanceof List<?> items) || items.isEmpty()) {
        throw new InvalidMockException(where + "a stream seeds from a non-empty list of"
            + " {\"id\": \"1-1\", \"fields\": {...}} items");
      }
      List<RedisStream.Id> ids = new ArrayList<>();
      List<List<String>> fields = new ArrayList<>();
      RedisStream.Id last = RedisStream.Id.MIN;
      for (Object item : items) {
        if (!(item instanceof Map<?, ?> m) || !(m.get("fields") instanceof Map<?, ?> f) || f.isEmpty()
            || !m.keySet().stream().allMatch(k -> k.equals("id") || k.equals("fields"))) {
          throw new InvalidMockException(where + "each stream item must be {\"id\": \"1-1\", \"fields\": {...}}"
              + " with a non-empty dict of fields (id optional), got " + item);
        }
        RedisStream.Id id = m.get("id") == null ? last.next() : Streams.parseId(String.valueOf(m.get("id")), 0, true);
        if (id == null || id.compareTo(last) <= 0) {
          throw new InvalidMockException(where + "stream ids must be ms-seq and increasing, above 0-0; got "
              + m.get("id") + " after " + last);
        }
        List<String> pairs = new ArrayList<>();
        for (Map.Entry<?, ?> e : f.entrySet()) {
          pairs.add(Command.binary(String.valueOf(e.getKey())));
          pairs.add(scalar(key, e.getValue()));
        }
        ids.add(id);
        fields.add(List.copyOf(pairs));
        last = id;
      }
      return new StreamSeed(List.copyOf(ids), List.copyOf(fields));
    }

    RedisStream build() {
      RedisStream stream = new RedisStream();
      for (int i = 0; i < ids.size(); i++) {
        stream.add(ids.get(i), fields.get(i));
      }
      return stream;
    }
  }

  /** A fresh keyspace holding the seed, its TTLs counted from now. */
  Keyspace seededKeyspace() {
    Keyspace keyspace = new Keyspace(databases, System::currentTimeMillis);
    long now = keyspace.now();
    for (Seed seed : seeds) {
      Object value = seed.value();
      if (value instanceof ZSet z) {
        value = z.copy(); // each start gets its own
      } else if (value instanceof StreamSeed stream) {
        value = stream.build();
      } else if (value instanceof Map<?, ?> m) {
        @SuppressWarnings("unchecked")
        Map<String, String> hash = new LinkedHashMap<>((Map<String, String>) m);
        value = hash;
      } else if (value instanceof java.util.Set<?> set) {
        @SuppressWarnings("unchecked")
        java.util.Set<String> members = new java.util.LinkedHashSet<>((java.util.Set<String>) set);
        value = members;
      } else if (value instanceof List<?> l) {
        RedisList list = new RedisList();
        for (Object item : l) {
          list.addLast((String) item);
        }
        value = list;
      }
      keyspace.put(0, seed.key(), value, seed.ttlMs() == 0 ? 0 : now + seed.ttlMs());
    }
    return keyspace;
  }
}
