package dev.faultbox.plugin.redis;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Commands beyond the first set: HELLO (RESP2 only), TIME, RANDOMKEY, RENAME(NX), EXPIREAT,
 * PEXPIREAT, EXPIRETIME, PEXPIRETIME, MSETNX, GETRANGE, SETRANGE, GETEX, LPUSHX, RPUSHX, LSET,
 * LREM, LTRIM, HSTRLEN, HINCRBYFLOAT, and the basic set commands. Same rules as {@link Commands}.
 */
final class More {
  private More() {}

  static final String NO_SUCH_KEY = "ERR no such key";
  static final int MAX_STRING = 512 * 1024 * 1024;

  static void define() {
    Commands.define("hello", -1, 0, More::hello);
    Commands.define("time", 1, 0, (c, s, a) -> {
      long micros = Math.multiplyExact(c.keyspace.now(), 1000L);
      return Reply.bulks(List.of(Long.toString(micros / 1_000_000), Long.toString(micros % 1_000_000)));
    });
    Commands.define("randomkey", 1, 0, (c, s, a) -> Reply.bulk(c.keyspace.randomKey(s.db)));
    Commands.define("rename", 3, 1, (c, s, a) -> rename(c, s, a, false));
    Commands.define("renamenx", 3, 1, (c, s, a) -> rename(c, s, a, true));
    Commands.define("expireat", -3, 1, (c, s, a) -> expireAt(c, s, a, 1000));
    Commands.define("pexpireat", -3, 1, (c, s, a) -> expireAt(c, s, a, 1));
    Commands.define("expiretime", 2, 1, (c, s, a) -> expireTime(c, s, a, true));
    Commands.define("pexpiretime", 2, 1, (c, s, a) -> expireTime(c, s, a, false));
    Commands.define("msetnx", -3, 1, More::msetnx);
    Commands.define("getrange", 4, 1, More::getrange);
    Commands.define("substr", 4, 1, More::getrange);
    Commands.define("setrange", 4, 1, More::setrange);
    Commands.define("getex", -2, 1, More::getex);
    Commands.define("lpushx", -3, 1, (c, s, a) -> pushx(c, s, a, true));
    Commands.define("rpushx", -3, 1, (c, s, a) -> pushx(c, s, a, false));
    Commands.define("lset", 4, 1, More::lset);
    Commands.define("lrem", 4, 1, More::lrem);
    Commands.define("ltrim", 4, 1, More::ltrim);
    Commands.define("hstrlen", 3, 1, (c, s, a) -> Commands.guard(() -> {
      Map<String, String> h = c.hash(s, a.get(1), false);
      String v = h == null ? null : h.get(a.get(2));
      return new Reply.Int(v == null ? 0 : v.length());
    }));
    Commands.define("hincrbyfloat", 4, 1, More::hincrbyfloat);
    Commands.define("scan", -2, 0, More::scan);
    Commands.define("hscan", -3, 1, (c, s, a) -> scanValue(c, s, a, "hash"));
    Commands.define("sscan", -3, 1, (c, s, a) -> scanValue(c, s, a, "set"));
    Commands.define("sadd", -3, 1, More::sadd);
    Commands.define("srem", -3, 1, More::srem);
    Commands.define("smembers", 2, 1, (c, s, a) -> Commands.guard(() -> {
      Set<String> set = set(c, s, a.get(1), false);
      return new Reply.Members(Reply.bulkList(set == null ? List.of() : members(set)));
    }));
    Commands.define("sismember", 3, 1, (c, s, a) -> Commands.guard(() -> {
      Set<String> set = set(c, s, a.get(1), false);
      return set != null && set.contains(a.get(2)) ? Reply.ONE : Reply.ZERO;
    }));
    Commands.define("smismember", -3, 1, (c, s, a) -> Commands.guard(() -> {
      Set<String> set = set(c, s, a.get(1), false);
      List<Reply> out = new ArrayList<>();
      for (int i = 2; i < a.size(); i++) {
        out.add(set != null && set.contains(a.get(i)) ? Reply.ONE : Reply.ZERO);
      }
      return new Reply.Array(out);
    }));
    Commands.define("scard", 2, 1, (c, s, a) -> Commands.guard(() -> {
      Set<String> set = set(c, s, a.get(1), false);
      return new Reply.Int(set == null ? 0 : set.size());
    }));
  }

  /** HELLO [protover [AUTH user pass] [SETNAME name]]: switches the connection to RESP2 or RESP3. */
  private static Reply hello(Commands c, Session s, List<String> a) {
    long proto = s.resp3 ? 3 : 2;
    if (a.size() >= 2) {
      Long v = Commands.parseLong(a.get(1));
      if (v == null) {
        return Reply.error("ERR Protocol version is not an integer or out of range");
      }
      if (v != 2 && v != 3) {
        return Reply.error("NOPROTO unsupported protocol version");
      }
      proto = v;
    }
    String name = null;
    boolean authed = false;
    for (int i = 2; i < a.size(); i++) {
      if (Commands.eq(a.get(i), "auth") && a.size() - i - 1 >= 2) {
        String user = a.get(i + 1);
        String pass = a.get(i + 2);
        if (c.password == null ? !user.equals("default") : !(user.equals("default") && pass.equals(c.password))) {
          return Reply.error(Commands.WRONGPASS);
        }
        authed = true;
        i += 2;
      } else if (Commands.eq(a.get(i), "setname") && a.size() - i - 1 >= 1) {
        name = a.get(i + 1);
        i += 1;
      } else {
        return Reply.error("ERR Syntax error in HELLO option '" + a.get(i) + "'");
      }
    }
    if (!s.authenticated && !authed) {
      return Reply.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the"
          + " HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select"
          + " the RESP protocol version at the same time");
    }
    if (authed) {
      s.authenticated = true;
    }
    if (name != null) {
      s.name = name;
    }
    s.resp3 = proto == 3;
    return new Reply.Pairs(List.of(
        Reply.bulk("server"), Reply.bulk("redis"),
        Reply.bulk("version"), Reply.bulk(Server.VERSION),
        Reply.bulk("proto"), new Reply.Int(proto),
        Reply.bulk("id"), new Reply.Int(s.id),
        Reply.bulk("mode"), Reply.bulk("standalone"),
        Reply.bulk("role"), Reply.bulk("master"),
        Reply.bulk("modules"), new Reply.Array(List.of())));
  }

  private static Reply rename(Commands c, Session s, List<String> a, boolean nx) {
    Keyspace.Entry e = c.keyspace.lookup(s.db, a.get(1));
    if (e == null) {
      return Reply.error(NO_SUCH_KEY);
    }
    if (a.get(1).equals(a.get(2))) {
      return nx ? Reply.ZERO : Reply.OK;
    }
    if (nx && c.keyspace.lookup(s.db, a.get(2)) != null) {
      return Reply.ZERO;
    }
    c.keyspace.remove(s.db, a.get(1));
    c.keyspace.put(s.db, a.get(2), e.value, e.expireAtMs);
    return nx ? Reply.ONE : Reply.OK;
  }

  /** EXPIREAT and PEXPIREAT: EXPIRE's options and checks with an absolute time. */
  private static Reply expireAt(Commands c, Session s, List<String> a, long unitMs) {
    return c.expireGeneric(s, a, unitMs, 0, unitMs == 1 ? "pexpireat" : "expireat");
  }

  private static Reply expireTime(Commands c, Session s, List<String> a, boolean seconds) {
    Keyspace.Entry e = c.keyspace.lookup(s.db, a.get(1));
    if (e == null) {
      return new Reply.Int(-2);
    }
    if (e.expireAtMs == 0) {
      return new Reply.Int(-1);
    }
    return new Reply.Int(seconds ? (e.expireAtMs + 500) / 1000 : e.expireAtMs);
  }

  private static Reply msetnx(Commands c, Session s, List<String> a) {
    if (a.size() % 2 == 0) {
      return Reply.error(Commands.arityError("msetnx"));
    }
    for (int i = 1; i < a.size(); i += 2) {
      if (c.keyspace.lookup(s.db, a.get(i)) != null) {
        return Reply.ZERO;
      }
    }
    for (int i = 1; i < a.size(); i += 2) {
      c.keyspace.put(s.db, a.get(i), a.get(i + 1), 0);
    }
    return Reply.ONE;
  }

  private static Reply getrange(Commands c, Session s, List<String> a) {
    Long start = Commands.parseLong(a.get(2));
    Long end = Commands.parseLong(a.get(3));
    if (start == null || end == null) {
      return Reply.error(Commands.NOT_INTEGER);
    }
    return Commands.guard(() -> {
      String v = c.string(s, a.get(1));
      if (v == null) {
        return Reply.bulk("");
      }
      long len = v.length();
      if (start < 0 && end < 0 && start > end) {
        return Reply.bulk("");
      }
      // redis-server clamps both ends to 0 after counting from the end: GETRANGE k -100 -50 is the first byte
      long from = Math.max(0, start < 0 ? len + start : start);
      long to = Math.max(0, end < 0 ? len + end : end);
      if (from > to || len == 0) {
        return Reply.bulk("");
      }
      to = Math.min(to, len - 1);
      return from > to ? Reply.bulk("") : Reply.bulk(v.substring((int) from, (int) to + 1));
    });
  }

  private static Reply setrange(Commands c, Session s, List<String> a) {
    Long offset = Commands.parseLong(a.get(2));
    if (offset == null) {
      return Reply.error(Commands.NOT_INTEGER);
    }
    if (offset < 0) {
      return Reply.error("ERR offset is out of range");
    }
    String piece = a.get(3);
    return Commands.guard(() -> {
      Keyspace.Entry e = c.keyspace.lookup(s.db, a.get(1));
      String v = "";
      if (e != null) {
        if (!(e.value instanceof String old)) {
          throw new Commands.WrongType();
        }
        v = old;
      }
      if (piece.isEmpty()) {
        return new Reply.Int(v.length());
      }
      if (offset + piece.length() > MAX_STRING) {
        return Reply.error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
      }
      StringBuilder b = new StringBuilder(v);
      while (b.length() < offset) {
        b.append('\0');
      }
      b.replace(offset.intValue(), Math.min(b.length(), offset.intValue() + piece.length()), piece);
      if (e == null) {
        c.keyspace.put(s.db, a.get(1), b.toString(), 0);
      } else {
        e.value = b.toString();
      }
      return new Reply.Int(b.length());
    });
  }

  private static Reply getex(Commands c, Session s, List<String> a) {
    String unit = null;
    String amountText = null;
    boolean persist = false;
    for (int i = 2; i < a.size(); i++) {
      String opt = a.get(i).toLowerCase(Locale.ROOT);
      if (opt.equals("persist") && unit == null) {
        persist = true;
      } else if ((opt.equals("ex") || opt.equals("px") || opt.equals("exat") || opt.equals("pxat"))
          && (unit == null || unit.equals(opt)) && !persist && i + 1 < a.size()) {
        unit = opt; // the same option again is allowed: the last amount counts, as in redis-server
        amountText = a.get(++i);
      } else {
        return Reply.error(Commands.SYNTAX);
      }
    }
    boolean dropTtl = persist;
    String u = unit;
    String text = amountText;
    return Commands.guard(() -> {
      String v = c.string(s, a.get(1));
      if (v == null) {
        return Reply.NULL;
      }
      // As redis-server: the amount is checked after the key and its type.
      long expireAt = 0;
      if (u != null) {
        Long amount = Commands.parseLong(text);
        if (amount == null) {
          return Reply.error(Commands.NOT_INTEGER);
        }
        if (amount <= 0) {
          return Reply.error("ERR invalid expire time in 'getex' command");
        }
        try {
          expireAt = switch (u) {
            case "ex" -> Math.addExact(Math.multiplyExact(amount, 1000L), c.keyspace.now());
            case "px" -> Math.addExact(amount, c.keyspace.now());
            case "exat" -> Math.multiplyExact(amount, 1000L);
            default -> amount;
          };
        } catch (ArithmeticException e) {
          return Reply.error("ERR invalid expire time in 'getex' command");
        }
      }
      Keyspace.Entry e = c.keyspace.lookup(s.db, a.get(1));
      if (u != null) {
        if (expireAt <= c.keyspace.now()) {
          c.keyspace.remove(s.db, a.get(1));
        } else {
          c.keyspace.expireAt(s.db, a.get(1), e, expireAt);
        }
      } else if (dropTtl) {
        c.keyspace.expireAt(s.db, a.get(1), e, 0);
      }
      return Reply.bulk(v);
    });
  }

  private static Reply pushx(Commands c, Session s, List<String> a, boolean left) {
    return Commands.guard(() -> {
      RedisList l = c.list(s, a.get(1));
      if (l == null) {
        return Reply.ZERO;
      }
      for (int i = 2; i < a.size(); i++) {
        if (left) {
          l.addFirst(a.get(i));
        } else {
          l.addLast(a.get(i));
        }
      }
      return new Reply.Int(l.size());
    });
  }

  /** The key and its type are checked before the index, as redis-server does. */
  private static Reply lset(Commands c, Session s, List<String> a) {
    return Commands.guard(() -> {
      RedisList l = c.list(s, a.get(1));
      if (l == null) {
        return Reply.error(NO_SUCH_KEY);
      }
      Long index = Commands.parseLong(a.get(2));
      if (index == null) {
        return Reply.error(Commands.NOT_INTEGER);
      }
      long i = index < 0 ? l.size() + index : index;
      if (i < 0 || i >= l.size()) {
        return Reply.error("ERR index out of range");
      }
      List<String> all = l.range(0, l.size() - 1);
      all.set((int) i, a.get(3));
      replace(l, all);
      return Reply.OK;
    });
  }

  private static Reply lrem(Commands c, Session s, List<String> a) {
    Long count = Commands.parseLong(a.get(2));
    if (count == null) {
      return Reply.error(Commands.NOT_INTEGER);
    }
    return Commands.guard(() -> {
      RedisList l = c.list(s, a.get(1));
      if (l == null) {
        return Reply.ZERO;
      }
      List<String> all = l.range(0, l.size() - 1);
      String target = a.get(3);
      long limit = count == 0 ? Long.MAX_VALUE : Math.abs(count);
      long removed = 0;
      if (count >= 0) {
        for (int i = 0; i < all.size() && removed < limit; ) {
          if (all.get(i).equals(target)) {
            all.remove(i);
            removed++;
          } else {
            i++;
          }
        }
      } else {
        for (int i = all.size() - 1; i >= 0 && removed < limit; i--) {
          if (all.get(i).equals(target)) {
            all.remove(i);
            removed++;
          }
        }
      }
      replace(l, all);
      c.keyspace.dropIfEmpty(s.db, a.get(1), c.keyspace.lookup(s.db, a.get(1)));
      return new Reply.Int(removed);
    });
  }

  private static Reply ltrim(Commands c, Session s, List<String> a) {
    Long start = Commands.parseLong(a.get(2));
    Long stop = Commands.parseLong(a.get(3));
    if (start == null || stop == null) {
      return Reply.error(Commands.NOT_INTEGER);
    }
    return Commands.guard(() -> {
      RedisList l = c.list(s, a.get(1));
      if (l == null) {
        return Reply.OK;
      }
      long size = l.size();
      long from = start < 0 ? Math.max(0, size + start) : start;
      long to = stop < 0 ? size + stop : Math.min(stop, size - 1);
      List<String> kept = from > to || from >= size ? List.of() : l.range((int) from, (int) to);
      replace(l, kept);
      c.keyspace.dropIfEmpty(s.db, a.get(1), c.keyspace.lookup(s.db, a.get(1)));
      return Reply.OK;
    });
  }

  private static void replace(RedisList l, List<String> items) {
    while (l.size() > 0) {
      l.removeLast();
    }
    for (String item : items) {
      l.addLast(item);
    }
  }

  /** In long double, as redis-server: the increment is checked first, then the hash's type and field. */
  private static Reply hincrbyfloat(Commands c, Session s, List<String> a) {
    BigDecimal by = LongDouble.parse(a.get(3));
    if (by == null) {
      return Reply.error(Commands.NOT_FLOAT);
    }
    if (by == LongDouble.INFINITE) {
      return Reply.error("ERR value is NaN or Infinity");
    }
    return Commands.guard(() -> {
      Map<String, String> existing = c.hash(s, a.get(1), false);
      BigDecimal current = BigDecimal.ZERO;
      String old = existing == null ? null : existing.get(a.get(2));
      if (old != null) {
        current = LongDouble.parse(old);
        if (current == null) {
          return Reply.error("ERR hash value is not a float");
        }
      }
      BigDecimal next = LongDouble.add(current, by);
      if (next == LongDouble.INFINITE) {
        return Reply.error("ERR increment would produce NaN or Infinity");
      }
      String text = LongDouble.format(next);
      c.hash(s, a.get(1), true).put(a.get(2), text);
      return Reply.bulk(text);
    });
  }

  @SuppressWarnings("unchecked")
  static Set<String> set(Commands c, Session s, String key, boolean create) {
    Keyspace.Entry e = c.keyspace.lookup(s.db, key);
    if (e == null) {
      if (!create) {
        return null;
      }
      Set<String> set = new LinkedHashSet<>();
      c.keyspace.put(s.db, key, set, 0);
      return set;
    }
    if (!(e.value instanceof Set)) {
      throw new Commands.WrongType();
    }
    return (Set<String>) e.value;
  }

  /**
   * A set's members in the order redis-server gives them where that order is fixed: a set of at
   * most 512 integers is an intset there, sorted by value. (A set that once held a non-integer
   * stays a hash table in redis-server, in no fixed order; any order is as good for that.)
   */
  static List<String> members(Set<String> set) {
    List<String> out = new ArrayList<>(set);
    if (out.size() > 512 || out.size() < 2) {
      return out;
    }
    long[] values = new long[out.size()];
    for (int i = 0; i < values.length; i++) {
      Long v = Commands.parseLong(out.get(i));
      if (v == null) {
        return out;
      }
      values[i] = v;
    }
    java.util.Arrays.sort(values);
    for (int i = 0; i < values.length; i++) {
      out.set(i, Long.toString(values[i]));
    }
    return out;
  }

  private static Reply sadd(Commands c, Session s, List<String> a) {
    return Commands.guard(() -> {
      Set<String> set = set(c, s, a.get(1), true);
      long added = 0;
      for (int i = 2; i < a.size(); i++) {
        if (set.add(a.get(i))) {
          added++;
        }
      }
      return new Reply.Int(added);
    });
  }

  private static Reply srem(Commands c, Session s, List<String> a) {
    return Commands.guard(() -> {
      Set<String> set = set(c, s, a.get(1), false);
      if (set == null) {
        return Reply.ZERO;
      }
      long removed = 0;
      for (int i = 2; i < a.size(); i++) {
        if (set.remove(a.get(i))) {
          removed++;
        }
      }
      c.keyspace.dropIfEmpty(s.db, a.get(1), c.keyspace.lookup(s.db, a.get(1)));
      return new Reply.Int(removed);
    });
  }

  /** SCAN's options after the cursor: MATCH, COUNT, TYPE (TYPE only for SCAN). */
  private record ScanArgs(String match, long count, String type) {}

  /** The options, or an error reply (an Error) for bad ones. */
  private static Object scanArgs(List<String> a, int from, boolean typeAllowed) {
    String match = null;
    long count = 10;
    String type = null;
    for (int i = from; i < a.size(); i++) {
      boolean hasNext = i + 1 < a.size();
      if (Commands.eq(a.get(i), "match") && hasNext) {
        match = a.get(++i);
      } else if (Commands.eq(a.get(i), "count") && hasNext) {
        Long n = Commands.parseLong(a.get(++i));
        if (n == null) {
          return Reply.error(Commands.NOT_INTEGER);
        }
        if (n < 1) {
          return Reply.error(Commands.SYNTAX);
        }
        count = n;
      } else if (typeAllowed && Commands.eq(a.get(i), "type") && hasNext) {
        type = a.get(++i).toLowerCase(Locale.ROOT);
      } else {
        return Reply.error(Commands.SYNTAX);
      }
    }
    return new ScanArgs(match, count, type);
  }

  /**
   * redis-server's strtoul: digits with an optional sign, below 2^64 ("-1" is 2^64-1); null when
   * not. A cursor past the end is returned as Long.MAX_VALUE: nothing more to scan.
   */
  private static Long cursor(String text) {
    String digits = text.startsWith("-") || text.startsWith("+") ? text.substring(1) : text;
    if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return null;
    }
    java.math.BigInteger v = new java.math.BigInteger(digits);
    if (v.bitLength() > 64) {
      return null;
    }
    if (text.startsWith("-") && v.signum() != 0) {
      v = java.math.BigInteger.ONE.shiftLeft(64).subtract(v);
    }
    return v.bitLength() > 63 ? Long.MAX_VALUE : v.longValue();
  }

  /**
   * SCAN: the cursor is an offset into the database's keys in sorted order, so a key present for
   * the whole iteration is returned at least once, as redis-server promises.
   */
  private static Reply scan(Commands c, Session s, List<String> a) {
    Long cursor = cursor(a.get(1));
    if (cursor == null) {
      return Reply.error("ERR invalid cursor");
    }
    Object parsed = scanArgs(a, 2, true);
    if (parsed instanceof Reply r) {
      return r;
    }
    ScanArgs args = (ScanArgs) parsed;
    List<String> keys = c.keyspace.keys(s.db, "*");
    java.util.Collections.sort(keys);
    List<String> out = new ArrayList<>();
    long i = cursor;
    long end = cursor >= keys.size() ? keys.size() : Math.min(keys.size(), cursor + args.count());
    for (; i < end; i++) {
      String k = keys.get((int) i);
      if (args.match() != null && !Glob.matches(args.match(), k)) {
        continue;
      }
      if (args.type() != null) {
        Keyspace.Entry e = c.keyspace.lookup(s.db, k);
        if (e == null || !e.typeName().equals(args.type())) {
          continue;
        }
      }
      out.add(k);
    }
    long next = end >= keys.size() ? 0 : end;
    return new Reply.Array(List.of(Reply.bulk(Long.toString(next)), Reply.bulks(out)));
  }

  /** HSCAN and SSCAN: everything in one call (cursor 0 next), as redis-server does for small values. */
  /** HSCAN, SSCAN, ZSCAN: everything in one call (cursor 0 back); ZSCAN's scores are bulk strings in RESP3 too, as redis-server's. */
  static Reply scanValue(Commands c, Session s, List<String> a, String type) {
    Long cursor = cursor(a.get(2));
    if (cursor == null) {
      return Reply.error("ERR invalid cursor");
    }
    return Commands.guard(() -> {
      // As redis-server: the cursor, then the key (absent: an empty scan) and its type, then the options.
      Object value = switch (type) {
        case "hash" -> c.hash(s, a.get(1), false);
        case "zset" -> SortedSets.zset(c, s, a.get(1), false);
        default -> set(c, s, a.get(1), false);
      };
      if (value == null) {
        return new Reply.Array(List.of(Reply.bulk("0"), new Reply.Array(List.of())));
      }
      Object parsed = scanArgs(a, 3, false);
      if (parsed instanceof Reply r) {
        return r;
      }
      ScanArgs args = (ScanArgs) parsed;
      List<String> out = new ArrayList<>();
      if (value instanceof Map<?, ?> h) {
        h.forEach((f, v) -> {
          if (args.match() == null || Glob.matches(args.match(), (String) f)) {
            out.add((String) f);
            out.add((String) v);
          }
        });
      } else if (value instanceof ZSet z) {
        for (ZSet.Item i : z.ordered(false)) {
          if (args.match() == null || Glob.matches(args.match(), i.member())) {
            out.add(i.member());
            out.add(Reply.Real.format(i.score()));
          }
        }
      } else {
        @SuppressWarnings("unchecked")
        Set<String> set = (Set<String>) value;
        for (String m : members(set)) {
          if (args.match() == null || Glob.matches(args.match(), m)) {
            out.add(m);
          }
        }
      }
      return new Reply.Array(List.of(Reply.bulk("0"), Reply.bulks(out)));
    });
  }
}
