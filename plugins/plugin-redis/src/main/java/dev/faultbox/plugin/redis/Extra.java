package dev.faultbox.plugin.redis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The rest of the set, list, key and hash commands: SPOP SRANDMEMBER SMOVE SINTER SUNION SDIFF
 * (and STORE) SINTERCARD; LINSERT LPOS; COPY OBJECT TOUCH DUMP RESTORE; HRANDFIELD. Same rules as
 * {@link Commands}: redis-server 7.0's arity, argument checks in its order, and its error texts.
 */
final class Extra {
  private Extra() {}

  static void define() {
    Commands.define("spop", -2, 1, Extra::spop);
    Commands.define("srandmember", -2, 1, Extra::srandmember);
    Commands.define("smove", 4, 1, Extra::smove);
    Commands.define("sinter", -2, 1, (c, s, a) -> setOp(c, s, a, 1, 'i'));
    Commands.define("sunion", -2, 1, (c, s, a) -> setOp(c, s, a, 1, 'u'));
    Commands.define("sdiff", -2, 1, (c, s, a) -> setOp(c, s, a, 1, 'd'));
    Commands.define("sinterstore", -3, 1, (c, s, a) -> setOp(c, s, a, 2, 'i'));
    Commands.define("sunionstore", -3, 1, (c, s, a) -> setOp(c, s, a, 2, 'u'));
    Commands.define("sdiffstore", -3, 1, (c, s, a) -> setOp(c, s, a, 2, 'd'));
    Commands.define("sintercard", -3, 0, Extra::sintercard);
    Commands.define("linsert", 5, 1, Extra::linsert);
    Commands.define("lpos", -3, 1, Extra::lpos);
    Commands.define("copy", -3, 1, Extra::copy);
    Commands.define("object", -2, 0, Extra::object);
    Commands.define("touch", -2, 1, (c, s, a) -> {
      long n = 0;
      for (int i = 1; i < a.size(); i++) {
        n += c.keyspace.lookup(s.db, a.get(i)) != null ? 1 : 0;
      }
      return new Reply.Int(n);
    });
    // The mock keeps no RDB encoding: DUMP of a key and every RESTORE payload are refused plainly.
    Commands.define("dump", 2, 1, (c, s, a) -> c.keyspace.lookup(s.db, a.get(1)) == null ? Reply.NULL
        : Reply.error("ERR the Faultbox Redis mock does not support DUMP"));
    Commands.define("restore", -4, 1, (c, s, a) -> Reply.error("ERR DUMP payload version or checksum are wrong"));
    Commands.define("hrandfield", -2, 1, Extra::hrandfield);
  }

  // --- sets

  private static Reply spop(Commands c, Session s, List<String> a) {
    if (a.size() > 3) {
      return Reply.error(Commands.SYNTAX);
    }
    if (a.size() == 2) {
      return Commands.guard(() -> {
        Set<String> set = More.set(c, s, a.get(1), false);
        if (set == null) {
          return Reply.NULL;
        }
        String m = SortedSets.pick(new ArrayList<>(set), 1).get(0);
        set.remove(m);
        c.keyspace.dropIfEmpty(s.db, a.get(1), c.keyspace.lookup(s.db, a.get(1)));
        return Reply.bulk(m);
      });
    }
    Long n = Commands.parseLong(a.get(2));
    if (n == null || n < 0) {
      return Reply.error(Commands.POSITIVE);
    }
    return Commands.guard(() -> {
      Set<String> set = More.set(c, s, a.get(1), false);
      if (set == null || n == 0) {
        return new Reply.Members(List.of());
      }
      List<String> out = SortedSets.pick(new ArrayList<>(set), n);
      set.removeAll(out);
      c.keyspace.dropIfEmpty(s.db, a.get(1), c.keyspace.lookup(s.db, a.get(1)));
      return new Reply.Members(Reply.bulkList(out));
    });
  }

  private static Reply srandmember(Commands c, Session s, List<String> a) {
    if (a.size() > 3) {
      return Reply.error(Commands.SYNTAX);
    }
    if (a.size() == 2) {
      return Commands.guard(() -> {
        Set<String> set = More.set(c, s, a.get(1), false);
        return set == null ? Reply.NULL : Reply.bulk(SortedSets.pick(new ArrayList<>(set), 1).get(0));
      });
    }
    Long n = Commands.parseLong(a.get(2));
    if (n == null) {
      return Reply.error(Commands.NOT_INTEGER);
    }
    if (n == Long.MIN_VALUE) {
      return Reply.error(SortedSets.RANGE_COUNT);
    }
    return Commands.guard(() -> {
      Set<String> set = More.set(c, s, a.get(1), false);
      if (set == null || n == 0) {
        return new Reply.Array(List.of());
      }
      return Reply.bulks(SortedSets.pick(new ArrayList<>(set), n)); // an array: repeats are possible
    });
  }

  private static Reply smove(Commands c, Session s, List<String> a) {
    return Commands.guard(() -> {
      Set<String> from = More.set(c, s, a.get(1), false);
      Set<String> to = More.set(c, s, a.get(2), false); // WRONGTYPE for either, as redis-server
      if (from == null) {
        return Reply.ZERO;
      }
      String m = a.get(3);
      if (from == to) {
        return from.contains(m) ? Reply.ONE : Reply.ZERO;
      }
      if (!from.remove(m)) {
        return Reply.ZERO;
      }
      c.keyspace.dropIfEmpty(s.db, a.get(1), c.keyspace.lookup(s.db, a.get(1)));
      More.set(c, s, a.get(2), true).add(m);
      return Reply.ONE;
    });
  }

  /** The sets named from {@code from} on, every one type-checked first; null for an absent key. */
  private static List<Set<String>> sets(Commands c, Session s, List<String> keys) {
    List<Set<String>> out = new ArrayList<>();
    for (String k : keys) {
      out.add(More.set(c, s, k, false));
    }
    return out;
  }

  private static Set<String> compute(List<Set<String>> sets, char op) {
    Set<String> out = new LinkedHashSet<>();
    if (op == 'i') {
      if (sets.contains(null)) {
        return out;
      }
      out.addAll(sets.get(0));
      for (int i = 1; i < sets.size(); i++) {
        out.retainAll(sets.get(i));
      }
    } else if (op == 'u') {
      for (Set<String> set : sets) {
        if (set != null) {
          out.addAll(set);
        }
      }
    } else if (sets.get(0) != null) {
      out.addAll(sets.get(0));
      for (int i = 1; i < sets.size(); i++) {
        if (sets.get(i) != null) {
          out.removeAll(sets.get(i));
        }
      }
    }
    return out;
  }

  /** SINTER SUNION SDIFF (keys from 1) and their STORE forms (destination 1, keys from 2). */
  private static Reply setOp(Commands c, Session s, List<String> a, int from, char op) {
    return Commands.guard(() -> {
      Set<String> result = compute(sets(c, s, a.subList(from, a.size())), op);
      if (from == 1) {
        return new Reply.Members(Reply.bulkList(new ArrayList<>(result)));
      }
      c.keyspace.remove(s.db, a.get(1));
      if (!result.isEmpty()) {
        c.keyspace.put(s.db, a.get(1), result, 0);
      }
      return new Reply.Int(result.size());
    });
  }

  private static Reply sintercard(Commands c, Session s, List<String> a) {
    Long n = Commands.parseLong(a.get(1));
    if (n == null || n < 1) {
      return Reply.error("ERR numkeys should be greater than 0");
    }
    if (n > a.size() - 2) {
      return Reply.error("ERR Number of keys can't be greater than number of args");
    }
    int keys = n.intValue();
    long limit = 0;
    for (int j = 2 + keys; j < a.size(); j++) {
      if (Commands.eq(a.get(j), "limit") && j + 1 < a.size()) {
        Long l = Commands.parseLong(a.get(++j));
        if (l == null || l < 0) {
          return Reply.error("ERR LIMIT can't be negative");
        }
        limit = l;
      } else {
        return Reply.error(Commands.SYNTAX);
      }
    }
    long max = limit;
    return Commands.guard(() -> {
      int size = compute(sets(c, s, a.subList(2, 2 + keys)), 'i').size();
      return new Reply.Int(max > 0 ? Math.min(max, size) : size);
    });
  }

  // --- lists

  private static Reply linsert(Commands c, Session s, List<String> a) {
    boolean after;
    if (Commands.eq(a.get(2), "after")) {
      after = true;
    } else if (Commands.eq(a.get(2), "before")) {
      after = false;
    } else {
      return Reply.error(Commands.SYNTAX);
    }
    return Commands.guard(() -> {
      RedisList l = c.list(s, a.get(1));
      if (l == null) {
        return Reply.ZERO;
      }
      List<String> all = l.range(0, l.size() - 1);
      int at = all.indexOf(a.get(3));
      if (at < 0) {
        return new Reply.Int(-1);
      }
      all.add(after ? at + 1 : at, a.get(4));
      while (l.size() > 0) {
        l.removeLast();
      }
      all.forEach(l::addLast);
      return new Reply.Int(l.size());
    });
  }

  /** LPOS key element [RANK r] [COUNT n] [MAXLEN m]. */
  private static Reply lpos(Commands c, Session s, List<String> a) {
    long rank = 1;
    long count = -1;
    long maxlen = 0;
    for (int j = 3; j < a.size(); j++) {
      String opt = a.get(j).toLowerCase(Locale.ROOT);
      boolean more = j + 1 < a.size();
      if (opt.equals("rank") && more) {
        Long r = Commands.parseLong(a.get(++j));
        if (r == null) {
          return Reply.error(Commands.NOT_INTEGER);
        }
        if (r == 0) {
          return Reply.error("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ..."
              + " or use negative to start from the end of the list");
        }
        rank = r;
      } else if (opt.equals("count") && more) {
        Long n = Commands.parseLong(a.get(++j));
        if (n == null || n < 0) {
          return Reply.error("ERR COUNT can't be negative");
        }
        count = n;
      } else if (opt.equals("maxlen") && more) {
        Long n = Commands.parseLong(a.get(++j));
        if (n == null || n < 0) {
          return Reply.error("ERR MAXLEN can't be negative");
        }
        maxlen = n;
      } else {
        return Reply.error(Commands.SYNTAX);
      }
    }
    long r0 = rank;
    long wanted = count;
    long scan = maxlen;
    return Commands.guard(() -> {
      RedisList l = c.list(s, a.get(1));
      if (l == null) {
        return wanted >= 0 ? new Reply.Array(List.of()) : Reply.NULL;
      }
      List<String> all = l.range(0, l.size() - 1);
      List<Reply> found = new ArrayList<>();
      long skip = Math.abs(r0) - 1; // matches to pass over before the first one reported
      int size = all.size();
      for (int seen = 0; seen < size && (scan == 0 || seen < scan); seen++) {
        int i = r0 > 0 ? seen : size - 1 - seen;
        if (!all.get(i).equals(a.get(2))) {
          continue;
        }
        if (skip > 0) {
          skip--;
          continue;
        }
        found.add(new Reply.Int(i));
        if (wanted < 0 || (wanted > 0 && found.size() >= wanted)) {
          break; // without COUNT the first match; COUNT 0 all of them
        }
      }
      if (wanted < 0) {
        return found.isEmpty() ? Reply.NULL : found.get(0);
      }
      return new Reply.Array(found);
    });
  }

  // --- keys

  private static Reply copy(Commands c, Session s, List<String> a) {
    boolean replace = false;
    int db = s.db;
    for (int j = 3; j < a.size(); j++) {
      if (Commands.eq(a.get(j), "replace")) {
        replace = true;
      } else if (Commands.eq(a.get(j), "db") && j + 1 < a.size()) {
        Long d = Commands.parseLong(a.get(++j));
        if (d == null || d < Integer.MIN_VALUE || d > Integer.MAX_VALUE) {
          return Reply.error(Commands.NOT_INTEGER);
        }
        if (d < 0 || d >= c.keyspace.databases()) {
          return Reply.error("ERR DB index is out of range");
        }
        db = d.intValue();
      } else {
        return Reply.error(Commands.SYNTAX);
      }
    }
    if (db == s.db && a.get(1).equals(a.get(2))) {
      return Reply.error("ERR source and destination objects are the same");
    }
    Keyspace.Entry e = c.keyspace.lookup(s.db, a.get(1));
    if (e == null) {
      return Reply.ZERO;
    }
    if (c.keyspace.lookup(db, a.get(2)) != null && !replace) {
      return Reply.ZERO;
    }
    c.keyspace.put(db, a.get(2), copyOf(e.value), e.expireAtMs);
    return Reply.ONE;
  }

  /** A deep copy of a value (strings are immutable). */
  @SuppressWarnings("unchecked")
  static Object copyOf(Object value) {
    if (value instanceof RedisList l) {
      RedisList out = new RedisList();
      l.range(0, l.size() - 1).forEach(out::addLast);
      return out;
    } else if (value instanceof Map<?, ?> m) {
      return new LinkedHashMap<>((Map<String, String>) m);
    } else if (value instanceof Set<?> set) {
      return new LinkedHashSet<>((Set<String>) set);
    } else if (value instanceof ZSet z) {
      return z.copy();
    }
    return value;
  }

  static final String NO_LFU = "ERR An LFU maxmemory policy is not selected, access frequency not tracked."
      + " Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";
  static final String NO_LRU = "ERR An LRU maxmemory policy is not selected, access time not tracked."
      + " Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

  private static final List<String> OBJECT_HELP = List.of(
      "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "ENCODING <key>",
      "    Return the kind of internal representation used in order to store the value",
      "    associated with a <key>.",
      "FREQ <key>",
      "    Return the access frequency index of the <key>. The returned integer is",
      "    proportional to the logarithm of the recent access frequency of the key.",
      "IDLETIME <key>",
      "    Return the idle time of the <key>, that is the approximated number of",
      "    seconds elapsed since the last access to the key.",
      "REFCOUNT <key>",
      "    Return the number of references of the value associated with the specified",
      "    <key>.",
      "HELP",
      "    Prints this help.");

  /** OBJECT ENCODING/FREQ/IDLETIME/REFCOUNT/HELP: answered as redis-server 7.0 would for these values. */
  private static Reply object(Commands c, Session s, List<String> a) {
    String sub = a.get(1).toLowerCase(Locale.ROOT);
    if (sub.equals("help")) {
      return a.size() == 2 ? new Reply.Array(OBJECT_HELP.stream().map(l -> (Reply) new Reply.Simple(l)).toList())
          : Reply.error(Commands.arityError("object|help"));
    }
    if (!List.of("encoding", "freq", "idletime", "refcount").contains(sub)) {
      return Reply.error("ERR unknown subcommand '" + a.get(1) + "'. Try OBJECT HELP.");
    }
    if (a.size() != 3) {
      return Reply.error(Commands.arityError("object|" + sub));
    }
    Keyspace.Entry e = c.keyspace.lookup(s.db, a.get(2));
    if (e == null) {
      return Reply.NULL;
    }
    String policy = c.config.getOrDefault("maxmemory-policy", "noeviction");
    boolean lfu = policy.contains("lfu");
    return switch (sub) {
      case "encoding" -> Reply.bulk(encoding(e.value));
      case "freq" -> lfu ? Reply.ZERO : Reply.error(NO_LFU);
      case "idletime" -> lfu ? Reply.error(NO_LRU) : Reply.ZERO; // the mock does not track access times
      default -> {
        Long n = e.value instanceof String v ? Commands.parseLong(v) : null;
        yield new Reply.Int(n != null && n >= 0 && n < 10000 ? Integer.MAX_VALUE : 1); // shared integers
      }
    };
  }

  /** redis-server 7.0's encoding for a value of this size (small ones compact, as by its default limits). */
  static String encoding(Object value) {
    if (value instanceof String v) {
      if (v.length() <= 20 && Commands.parseLong(v) != null) {
        return "int";
      }
      return v.length() <= 44 ? "embstr" : "raw";
    } else if (value instanceof RedisList) {
      return "quicklist";
    } else if (value instanceof Map<?, ?> m) {
      boolean small = m.size() <= 128 && m.entrySet().stream()
          .allMatch(f -> ((String) f.getKey()).length() <= 64 && ((String) f.getValue()).length() <= 64);
      return small ? "listpack" : "hashtable";
    } else if (value instanceof Set<?> set) {
      boolean ints = set.size() <= 512 && set.stream().allMatch(m -> Commands.parseLong((String) m) != null);
      return ints ? "intset" : "hashtable";
    } else if (value instanceof ZSet z) {
      boolean small = z.size() <= 128 && z.scores().keySet().stream().allMatch(m -> m.length() <= 64);
      return small ? "listpack" : "skiplist";
    }
    return "raw";
  }

  // --- hashes

  /** HRANDFIELD key [count [WITHVALUES]]: as ZRANDMEMBER; RESP3 pairs are [field, value]. */
  private static Reply hrandfield(Commands c, Session s, List<String> a) {
    if (a.size() == 2) {
      return Commands.guard(() -> {
        Map<String, String> h = c.hash(s, a.get(1), false);
        return h == null ? Reply.NULL : Reply.bulk(SortedSets.pick(new ArrayList<>(h.keySet()), 1).get(0));
      });
    }
    Object count = SortedSets.randomCount(a);
    if (count instanceof Reply r) {
      return r;
    }
    long n = (Long) count;
    boolean withValues = a.size() == 4;
    return Commands.guard(() -> {
      Map<String, String> h = c.hash(s, a.get(1), false);
      if (h == null || n == 0) {
        return new Reply.Array(List.of());
      }
      List<Reply> out = new ArrayList<>();
      for (String f : SortedSets.pick(new ArrayList<>(h.keySet()), n)) {
        if (!withValues) {
          out.add(Reply.bulk(f));
        } else if (s.resp3) {
          out.add(new Reply.Array(List.of(Reply.bulk(f), Reply.bulk(h.get(f)))));
        } else {
          out.add(Reply.bulk(f));
          out.add(Reply.bulk(h.get(f)));
        }
      }
      return new Reply.Array(out);
    });
  }
}
