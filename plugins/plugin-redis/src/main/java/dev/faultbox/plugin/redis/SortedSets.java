package dev.faultbox.plugin.redis;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The sorted-set commands, with redis-server 7.0's argument order, reply types and error texts.
 * Scores reply as {@link Reply.Real} (a bulk string in RESP2, a double in RESP3); WITHSCORES
 * replies are flat in RESP2 and arrays of [member, score] pairs in RESP3, as redis-server's.
 */
final class SortedSets {
  private SortedSets() {}

  static final String RANGE_NOT_FLOAT = "ERR min or max is not a float";
  static final String BAD_LEX = "ERR min or max not valid string range item";
  static final String NAN_RESULT = "ERR resulting score is not a number (NaN)";

  static void define() {
    Commands.define("zadd", -4, 1, SortedSets::zadd);
    Commands.define("zincrby", 4, 1, (c, s, a) -> {
      Double by = parseScore(a.get(2));
      return by == null ? Reply.error(Commands.NOT_FLOAT)
          : Commands.guard(() -> add(c, s, a.get(1), List.of(a.get(3)), new double[] {by}, 0, true, false));
    });
    Commands.define("zrem", -3, 1, (c, s, a) -> Commands.guard(() -> {
      ZSet z = zset(c, s, a.get(1), false);
      long n = 0;
      for (int i = 2; z != null && i < a.size(); i++) {
        n += z.remove(a.get(i)) ? 1 : 0;
      }
      dropIfEmpty(c, s, a.get(1), z);
      return new Reply.Int(n);
    }));
    Commands.define("zscore", 3, 1, (c, s, a) -> Commands.guard(() -> {
      ZSet z = zset(c, s, a.get(1), false);
      Double score = z == null ? null : z.score(a.get(2));
      return score == null ? Reply.NULL : new Reply.Real(score);
    }));
    Commands.define("zmscore", -3, 1, (c, s, a) -> Commands.guard(() -> {
      ZSet z = zset(c, s, a.get(1), false);
      List<Reply> out = new ArrayList<>();
      for (int i = 2; i < a.size(); i++) {
        Double score = z == null ? null : z.score(a.get(i));
        out.add(score == null ? Reply.NULL : new Reply.Real(score));
      }
      return new Reply.Array(out);
    }));
    Commands.define("zcard", 2, 1, (c, s, a) -> Commands.guard(() -> {
      ZSet z = zset(c, s, a.get(1), false);
      return new Reply.Int(z == null ? 0 : z.size());
    }));
    Commands.define("zcount", 4, 1, (c, s, a) -> count(c, s, a, Kind.SCORE));
    Commands.define("zlexcount", 4, 1, (c, s, a) -> count(c, s, a, Kind.LEX));
    Commands.define("zrank", 3, 1, (c, s, a) -> rank(c, s, a, false));
    Commands.define("zrevrank", 3, 1, (c, s, a) -> rank(c, s, a, true));
    Commands.define("zrange", -4, 1, (c, s, a) -> range(c, s, a, 1, null, false, false));
    Commands.define("zrangestore", -5, 1, (c, s, a) -> range(c, s, a, 2, null, false, true));
    Commands.define("zrangebyscore", -4, 1, (c, s, a) -> range(c, s, a, 1, Kind.SCORE, false, false));
    Commands.define("zrevrangebyscore", -4, 1, (c, s, a) -> range(c, s, a, 1, Kind.SCORE, true, false));
    Commands.define("zrangebylex", -4, 1, (c, s, a) -> range(c, s, a, 1, Kind.LEX, false, false));
    Commands.define("zrevrangebylex", -4, 1, (c, s, a) -> range(c, s, a, 1, Kind.LEX, true, false));
    Commands.define("zrevrange", -4, 1, (c, s, a) -> range(c, s, a, 1, Kind.RANK, true, false));
    Commands.define("zremrangebyscore", 4, 1, (c, s, a) -> removeRange(c, s, a, Kind.SCORE));
    Commands.define("zremrangebyrank", 4, 1, (c, s, a) -> removeRange(c, s, a, Kind.RANK));
    Commands.define("zremrangebylex", 4, 1, (c, s, a) -> removeRange(c, s, a, Kind.LEX));
    Commands.define("zpopmin", -2, 1, (c, s, a) -> pop(c, s, a, false));
    Commands.define("zpopmax", -2, 1, (c, s, a) -> pop(c, s, a, true));
    Commands.define("zrandmember", -2, 1, SortedSets::zrandmember);
    Commands.define("zscan", -3, 1, (c, s, a) -> More.scanValue(c, s, a, "zset"));
    Commands.define("zunionstore", -4, 1, (c, s, a) -> combine(c, s, a, Op.UNION, true, false));
    Commands.define("zinterstore", -4, 1, (c, s, a) -> combine(c, s, a, Op.INTER, true, false));
    Commands.define("zdiffstore", -4, 1, (c, s, a) -> combine(c, s, a, Op.DIFF, true, false));
    Commands.define("zunion", -3, 0, (c, s, a) -> combine(c, s, a, Op.UNION, false, false));
    Commands.define("zinter", -3, 0, (c, s, a) -> combine(c, s, a, Op.INTER, false, false));
    Commands.define("zdiff", -3, 0, (c, s, a) -> combine(c, s, a, Op.DIFF, false, false));
    Commands.define("zintercard", -3, 0, (c, s, a) -> combine(c, s, a, Op.INTER, false, true));
  }

  // --- access

  /** The zset at {@code key}: null when absent (created when asked); WrongType for another type. */
  static ZSet zset(Commands c, Session s, String key, boolean create) {
    Keyspace.Entry e = c.keyspace.lookup(s.db, key);
    if (e == null) {
      if (!create) {
        return null;
      }
      ZSet z = new ZSet();
      c.keyspace.put(s.db, key, z, 0);
      return z;
    }
    if (!(e.value instanceof ZSet z)) {
      throw new Commands.WrongType();
    }
    return z;
  }

  private static void dropIfEmpty(Commands c, Session s, String key, ZSet z) {
    if (z != null && z.isEmpty()) {
      c.keyspace.remove(s.db, key);
    }
  }

  // --- parsing

  private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  private static final Pattern HEX = Pattern.compile("[+-]?0[xX]([0-9a-fA-F]+\\.?[0-9a-fA-F]*|\\.[0-9a-fA-F]+)([pP][+-]?\\d+)?");
  private static final Pattern INF = Pattern.compile("[+-]?(?i:inf|infinity)");

  /**
   * What C's strtod reads of the whole text, or null: decimal, hex, inf and infinity; not nan,
   * not an overflow or an underflow to zero (redis-server refuses those as not a valid float).
   */
  static Double strtod(String text) {
    if (INF.matcher(text).matches()) {
      return text.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    double d;
    if (DECIMAL.matcher(text).matches()) {
      d = Double.parseDouble(text);
    } else if (HEX.matcher(text).matches()) {
      d = Double.parseDouble(text.matches(".*[pP].*") ? text : text + "p0");
    } else {
      return null;
    }
    if (Double.isInfinite(d)) {
      return null;
    }
    if (d == 0 && text.replaceAll("(?i)^[+-]?(0x)?|[eEpP].*$", "").matches(".*[1-9a-fA-F].*")) {
      return null; // underflow
    }
    return d;
  }

  /** A score or increment, as ZADD and ZINCRBY read it. */
  static Double parseScore(String text) {
    return strtod(text);
  }

  /** A range bound as ZRANGEBYSCORE reads it: leading blanks, empty (0) and overflow (±inf) are fine. */
  private static Double bound(String text) {
    String t = text.stripLeading();
    if (t.isEmpty()) {
      return 0.0;
    }
    if (DECIMAL.matcher(t).matches() && Double.isInfinite(Double.parseDouble(t))) {
      return Double.parseDouble(t);
    }
    if (DECIMAL.matcher(t).matches()) {
      return Double.parseDouble(t);
    }
    return strtod(t);
  }

  enum Kind { RANK, SCORE, LEX }

  /**
   * A score range (min, max, each inclusive or exclusive), or a lex range: lexMin/lexMax a member,
   * or null with minSign/maxSign -1 for "-" and +1 for "+".
   */
  record Range(double min, boolean minEx, double max, boolean maxEx,
               String lexMin, int minSign, String lexMax, int maxSign) {
    boolean aboveMin(ZSet.Item i, Kind kind) {
      if (kind == Kind.SCORE) {
        return minEx ? i.score() > min : i.score() >= min;
      }
      if (lexMin == null) {
        return minSign < 0;
      }
      int cmp = i.member().compareTo(lexMin);
      return minEx ? cmp > 0 : cmp >= 0;
    }

    boolean belowMax(ZSet.Item i, Kind kind) {
      if (kind == Kind.SCORE) {
        return maxEx ? i.score() < max : i.score() <= max;
      }
      if (lexMax == null) {
        return maxSign > 0;
      }
      int cmp = i.member().compareTo(lexMax);
      return maxEx ? cmp < 0 : cmp <= 0;
    }
  }

  private static Range scoreRange(String min, String max) {
    boolean minEx = min.startsWith("(");
    boolean maxEx = max.startsWith("(");
    Double lo = bound(minEx ? min.substring(1) : min);
    Double hi = bound(maxEx ? max.substring(1) : max);
    return lo == null || hi == null ? null : new Range(lo, minEx, hi, maxEx, null, 0, null, 0);
  }

  /** A lex range: "-" and "+" the ends, "(member" exclusive, "[member" inclusive; null when malformed. */
  private static Range lexRange(String min, String max) {
    int minSign = sign(min);
    int maxSign = sign(max);
    if ((minSign == 0 && !member(min)) || (maxSign == 0 && !member(max))) {
      return null;
    }
    return new Range(0, min.startsWith("("), 0, max.startsWith("("),
        minSign == 0 ? min.substring(1) : null, minSign, maxSign == 0 ? max.substring(1) : null, maxSign);
  }

  private static int sign(String t) {
    return t.equals("-") ? -1 : t.equals("+") ? 1 : 0;
  }

  private static boolean member(String t) {
    return t.startsWith("(") || t.startsWith("[");
  }

  // --- ZADD, ZINCRBY

  private static Reply zadd(Commands c, Session s, List<String> a) {
    boolean nx = false, xx = false, gt = false, lt = false, ch = false, incr = false;
    int i = 2;
    for (; i < a.size(); i++) {
      String opt = a.get(i).toLowerCase(Locale.ROOT);
      switch (opt) {
        case "nx" -> nx = true;
        case "xx" -> xx = true;
        case "gt" -> gt = true;
        case "lt" -> lt = true;
        case "ch" -> ch = true;
        case "incr" -> incr = true;
        default -> opt = null;
      }
      if (opt == null) {
        break;
      }
    }
    int elements = a.size() - i;
    if (elements == 0 || elements % 2 != 0) {
      return Reply.error(Commands.SYNTAX);
    }
    if (nx && xx) {
      return Reply.error("ERR XX and NX options at the same time are not compatible");
    }
    if ((gt && nx) || (lt && nx) || (gt && lt)) {
      return Reply.error("ERR GT, LT, and/or NX options at the same time are not compatible");
    }
    if (incr && elements > 2) {
      return Reply.error("ERR INCR option supports a single increment-element pair");
    }
    int pairs = elements / 2;
    double[] scores = new double[pairs];
    List<String> members = new ArrayList<>(pairs);
    for (int p = 0; p < pairs; p++) {
      Double score = parseScore(a.get(i + 2 * p));
      if (score == null) {
        return Reply.error(Commands.NOT_FLOAT);
      }
      scores[p] = score;
      members.add(a.get(i + 2 * p + 1));
    }
    int flags = (nx ? NX : 0) | (xx ? XX : 0) | (gt ? GT : 0) | (lt ? LT : 0);
    boolean changed = ch;
    boolean increment = incr;
    return Commands.guard(() -> add(c, s, a.get(1), members, scores, flags, increment, changed));
  }

  private static final int NX = 1, XX = 2, GT = 4, LT = 8;

  private static Reply add(Commands c, Session s, String key, List<String> members, double[] scores,
                           int flags, boolean incr, boolean ch) {
    ZSet z = zset(c, s, key, false);
    if (z == null && (flags & XX) != 0) {
      return incr ? Reply.NULL : Reply.ZERO;
    }
    if (z == null) {
      z = zset(c, s, key, true);
    }
    long added = 0;
    long updated = 0;
    Double last = null; // INCR's result; null when nothing was done
    for (int p = 0; p < members.size(); p++) {
      String m = members.get(p);
      double score = scores[p];
      Double cur = z.score(m);
      if (cur == null) {
        if ((flags & XX) != 0) {
          continue;
        }
        z.put(m, score);
        added++;
        last = score;
        continue;
      }
      if ((flags & NX) != 0) {
        continue;
      }
      double next = incr ? cur + score : score;
      if (Double.isNaN(next)) {
        dropIfEmpty(c, s, key, z);
        return Reply.error(NAN_RESULT);
      }
      if (((flags & GT) != 0 && next <= cur) || ((flags & LT) != 0 && next >= cur)) {
        continue;
      }
      last = next;
      if (next != cur) {
        z.put(m, next);
        updated++;
      }
    }
    dropIfEmpty(c, s, key, z);
    if (incr) {
      return last == null ? Reply.NULL : new Reply.Real(last + 0.0);
    }
    return new Reply.Int(ch ? added + updated : added);
  }

  // --- counting and ranks

  private static Reply count(Commands c, Session s, List<String> a, Kind kind) {
    Range r = kind == Kind.SCORE ? scoreRange(a.get(2), a.get(3)) : lexRange(a.get(2), a.get(3));
    if (r == null) {
      return Reply.error(kind == Kind.SCORE ? RANGE_NOT_FLOAT : BAD_LEX);
    }
    return Commands.guard(() -> {
      ZSet z = zset(c, s, a.get(1), false);
      return new Reply.Int(z == null ? 0 : select(z, kind, r, false, 0, -1).size());
    });
  }

  private static Reply rank(Commands c, Session s, List<String> a, boolean reverse) {
    return Commands.guard(() -> {
      ZSet z = zset(c, s, a.get(1), false);
      long rank = z == null ? -1 : z.rank(a.get(2), reverse);
      return rank < 0 ? Reply.NULL : new Reply.Int(rank);
    });
  }

  /** The members of a score or lex range in order (or reverse order), after offset, at most limit (<0: all). */
  static List<ZSet.Item> select(ZSet z, Kind kind, Range r, boolean reverse, long offset, long limit) {
    List<ZSet.Item> out = new ArrayList<>();
    if (offset < 0) {
      return out;
    }
    boolean started = false;
    for (ZSet.Item i : z.ordered(reverse)) {
      if (!started) {
        if (!(reverse ? r.belowMax(i, kind) : r.aboveMin(i, kind))) {
          continue;
        }
        started = true;
      }
      if (!(reverse ? r.aboveMin(i, kind) : r.belowMax(i, kind))) {
        break;
      }
      if (offset > 0) {
        offset--;
        continue;
      }
      if (limit >= 0 && out.size() >= limit) {
        break;
      }
      out.add(i);
    }
    return out;
  }

  /** Ranks start..end as ZRANGE reads them (negative from the end), in order or reverse order. */
  static List<ZSet.Item> byRank(ZSet z, long start, long end, boolean reverse) {
    long size = z.size();
    if (start < 0) {
      start += size;
    }
    if (end < 0) {
      end += size;
    }
    if (start < 0) {
      start = 0;
    }
    List<ZSet.Item> out = new ArrayList<>();
    if (start > end || start >= size) {
      return out;
    }
    if (end >= size) {
      end = size - 1;
    }
    long rank = 0;
    for (ZSet.Item i : z.ordered(reverse)) {
      if (rank > end) {
        break;
      }
      if (rank++ >= start) {
        out.add(i);
      }
    }
    return out;
  }

  /** The items as a reply: members, or with scores (flat in RESP2, [member, score] pairs in RESP3 when nested). */
  static Reply items(Session s, List<ZSet.Item> items, boolean withScores, boolean nested) {
    List<Reply> out = new ArrayList<>();
    for (ZSet.Item i : items) {
      if (!withScores) {
        out.add(Reply.bulk(i.member()));
      } else if (s.resp3 && nested) {
        out.add(new Reply.Array(List.of(Reply.bulk(i.member()), new Reply.Real(i.score()))));
      } else {
        out.add(Reply.bulk(i.member()));
        out.add(new Reply.Real(i.score()));
      }
    }
    return new Reply.Array(out);
  }

  /**
   * ZRANGE and its older forms (kind fixed, then BYSCORE/BYLEX/REV are syntax errors), and
   * ZRANGESTORE: the key at {@code keyAt}, min and max after it, then the options.
   */
  private static Reply range(Commands c, Session s, List<String> a, int keyAt, Kind fixed, boolean fixedRev,
                             boolean store) {
    Kind kind = fixed;
    Boolean reverse = fixed == null ? null : fixedRev;
    boolean withScores = false;
    boolean limited = false;
    long offset = 0;
    long limit = -1;
    for (int j = keyAt + 3; j < a.size(); j++) {
      String opt = a.get(j).toLowerCase(Locale.ROOT);
      int left = a.size() - j - 1;
      if (!store && opt.equals("withscores")) {
        withScores = true;
      } else if (opt.equals("limit") && left >= 2) {
        Long o = Commands.parseLong(a.get(j + 1));
        Long l = Commands.parseLong(a.get(j + 2));
        if (o == null || l == null) {
          return Reply.error(Commands.NOT_INTEGER);
        }
        offset = o;
        limit = l;
        limited = true;
        j += 2;
      } else if (reverse == null && opt.equals("rev")) {
        reverse = true;
      } else if (kind == null && opt.equals("byscore")) {
        kind = Kind.SCORE;
      } else if (kind == null && opt.equals("bylex")) {
        kind = Kind.LEX;
      } else {
        return Reply.error(Commands.SYNTAX);
      }
    }
    boolean rev = reverse != null && reverse;
    Kind k = kind == null ? Kind.RANK : kind;
    if (limited && k == Kind.RANK) {
      return Reply.error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
    }
    if (withScores && k == Kind.LEX) {
      return Reply.error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    }
    String min = a.get(keyAt + 1);
    String max = a.get(keyAt + 2);
    if (rev && k != Kind.RANK) { // BYSCORE/BYLEX REV take max first
      String t = min;
      min = max;
      max = t;
    }
    Range r = null;
    Long start = null;
    Long end = null;
    if (k == Kind.RANK) {
      start = Commands.parseLong(min);
      end = Commands.parseLong(max);
      if (start == null || end == null) {
        return Reply.error(Commands.NOT_INTEGER);
      }
    } else {
      r = k == Kind.SCORE ? scoreRange(min, max) : lexRange(min, max);
      if (r == null) {
        return Reply.error(k == Kind.SCORE ? RANGE_NOT_FLOAT : BAD_LEX);
      }
    }
    Range range = r;
    long from = start == null ? 0 : start;
    long to = end == null ? 0 : end;
    long off = offset;
    long lim = limit;
    boolean scores = withScores;
    return Commands.guard(() -> {
      ZSet z = zset(c, s, a.get(keyAt), false);
      List<ZSet.Item> found = z == null ? List.of()
          : k == Kind.RANK ? byRank(z, from, to, rev) : select(z, k, range, rev, off, lim);
      if (!store) {
        return items(s, found, scores, true);
      }
      return storeItems(c, s, a.get(1), found);
    });
  }

  /** Replaces {@code key} with a zset of {@code items} (deletes it when there are none); replies the count. */
  private static Reply storeItems(Commands c, Session s, String key, List<ZSet.Item> items) {
    c.keyspace.remove(s.db, key);
    if (items.isEmpty()) {
      return Reply.ZERO;
    }
    ZSet z = new ZSet();
    for (ZSet.Item i : items) {
      z.put(i.member(), i.score());
    }
    c.keyspace.put(s.db, key, z, 0);
    return new Reply.Int(z.size());
  }

  private static Reply removeRange(Commands c, Session s, List<String> a, Kind kind) {
    Range r = null;
    Long start = null;
    Long end = null;
    if (kind == Kind.RANK) {
      start = Commands.parseLong(a.get(2));
      end = Commands.parseLong(a.get(3));
      if (start == null || end == null) {
        return Reply.error(Commands.NOT_INTEGER);
      }
    } else {
      r = kind == Kind.SCORE ? scoreRange(a.get(2), a.get(3)) : lexRange(a.get(2), a.get(3));
      if (r == null) {
        return Reply.error(kind == Kind.SCORE ? RANGE_NOT_FLOAT : BAD_LEX);
      }
    }
    Range range = r;
    long from = start == null ? 0 : start;
    long to = end == null ? 0 : end;
    return Commands.guard(() -> {
      ZSet z = zset(c, s, a.get(1), false);
      if (z == null) {
        return Reply.ZERO;
      }
      List<ZSet.Item> gone = kind == Kind.RANK ? byRank(z, from, to, false) : select(z, kind, range, false, 0, -1);
      for (ZSet.Item i : gone) {
        z.remove(i.member());
      }
      dropIfEmpty(c, s, a.get(1), z);
      return new Reply.Int(gone.size());
    });
  }

  // --- ZPOPMIN, ZPOPMAX, ZRANDMEMBER, ZSCAN

  private static Reply pop(Commands c, Session s, List<String> a, boolean max) {
    if (a.size() > 3) {
      return Reply.error(Commands.SYNTAX);
    }
    long count = 1;
    if (a.size() == 3) {
      Long n = Commands.parseLong(a.get(2));
      if (n == null || n < 0) {
        return Reply.error(Commands.POSITIVE);
      }
      count = n;
    }
    long wanted = count;
    return Commands.guard(() -> {
      ZSet z = zset(c, s, a.get(1), false);
      if (z == null || wanted == 0) {
        return new Reply.Array(List.of());
      }
      List<ZSet.Item> out = new ArrayList<>();
      while (out.size() < wanted && !z.isEmpty()) {
        ZSet.Item i = z.first(max);
        z.remove(i.member());
        out.add(i);
      }
      dropIfEmpty(c, s, a.get(1), z);
      return items(s, out, true, a.size() == 3);
    });
  }

  static final String RANGE_COUNT = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";

  /**
   * ZRANDMEMBER key [count [WITHSCORES]]: a positive count gives distinct members (at most all),
   * a negative one that many with repeats.
   */
  private static Reply zrandmember(Commands c, Session s, List<String> a) {
    if (a.size() == 2) {
      return Commands.guard(() -> {
        ZSet z = zset(c, s, a.get(1), false);
        if (z == null) {
          return Reply.NULL;
        }
        List<ZSet.Item> all = z.list();
        return Reply.bulk(all.get(ThreadLocalRandom.current().nextInt(all.size())).member());
      });
    }
    Object count = randomCount(a);
    if (count instanceof Reply r) {
      return r;
    }
    long n = (Long) count;
    boolean withScores = a.size() == 4;
    return Commands.guard(() -> {
      ZSet z = zset(c, s, a.get(1), false);
      if (z == null || n == 0) {
        return new Reply.Array(List.of());
      }
      return items(s, pick(z.list(), n), withScores, true);
    });
  }

  /** The count of ZRANDMEMBER/HRANDFIELD (with its WITHSCORES/WITHVALUES), or the error reply. */
  static Object randomCount(List<String> a) {
    Long n = Commands.parseLong(a.get(2));
    if (n == null) {
      return Reply.error(Commands.NOT_INTEGER);
    }
    if (n == Long.MIN_VALUE) {
      return Reply.error(RANGE_COUNT);
    }
    boolean with = a.size() == 4;
    String word = a.get(0).toLowerCase(Locale.ROOT).equals("hrandfield") ? "withvalues" : "withscores";
    if (a.size() > 4 || (with && !Commands.eq(a.get(3), word))) {
      return Reply.error(Commands.SYNTAX);
    }
    if (with && (n < -Long.MAX_VALUE / 2 || n > Long.MAX_VALUE / 2)) {
      return Reply.error("ERR value is out of range");
    }
    return n;
  }

  /** n distinct items of {@code all} in random order (at most all of them), or -n with repeats. */
  static <T> List<T> pick(List<T> all, long n) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    List<T> out = new ArrayList<>();
    if (n < 0) {
      for (long i = 0; i < -n; i++) {
        out.add(all.get(random.nextInt(all.size())));
      }
      return out;
    }
    List<T> copy = new ArrayList<>(all);
    java.util.Collections.shuffle(copy, random);
    return n >= copy.size() ? copy : copy.subList(0, (int) n);
  }

  // --- ZUNION, ZINTER, ZDIFF (and STORE), ZINTERCARD

  enum Op { UNION, INTER, DIFF }

  private static Reply combine(Commands c, Session s, List<String> a, Op op, boolean store, boolean cardOnly) {
    int numAt = store ? 2 : 1;
    Long numkeys = Commands.parseLong(a.get(numAt));
    if (numkeys == null) {
      return Reply.error(Commands.NOT_INTEGER);
    }
    if (numkeys < 1) {
      return Reply.error("ERR at least 1 input key is needed for '" + a.get(0).toLowerCase(Locale.ROOT) + "' command");
    }
    if (numkeys > a.size() - numAt - 1) {
      return Reply.error(Commands.SYNTAX);
    }
    int n = numkeys.intValue();
    return Commands.guard(() -> {
      List<Map<String, Double>> inputs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        inputs.add(scoresOf(c, s, a.get(numAt + 1 + i)));
      }
      double[] weights = new double[n];
      java.util.Arrays.fill(weights, 1);
      String aggregate = "sum";
      boolean withScores = false;
      long limit = 0;
      int j = numAt + 1 + n;
      while (j < a.size()) {
        int left = a.size() - j;
        String opt = a.get(j).toLowerCase(Locale.ROOT);
        if (op != Op.DIFF && !cardOnly && left >= n + 1 && opt.equals("weights")) {
          for (int i = 0; i < n; i++) {
            Double w = parseScore(a.get(j + 1 + i));
            if (w == null) {
              return Reply.error("ERR weight value is not a float");
            }
            weights[i] = w;
          }
          j += n + 1;
        } else if (op != Op.DIFF && !cardOnly && left >= 2 && opt.equals("aggregate")) {
          aggregate = a.get(j + 1).toLowerCase(Locale.ROOT);
          if (!List.of("sum", "min", "max").contains(aggregate)) {
            return Reply.error(Commands.SYNTAX);
          }
          j += 2;
        } else if (!store && !cardOnly && opt.equals("withscores")) {
          withScores = true;
          j++;
        } else if (cardOnly && left >= 2 && opt.equals("limit")) {
          Long l = Commands.parseLong(a.get(j + 1));
          if (l == null || l < 0) {
            return Reply.error("ERR LIMIT can't be negative");
          }
          limit = l;
          j += 2;
        } else {
          return Reply.error(Commands.SYNTAX);
        }
      }
      Map<String, Double> result = compute(op, inputs, weights, aggregate);
      if (cardOnly) {
        return new Reply.Int(limit > 0 ? Math.min(limit, result.size()) : result.size());
      }
      ZSet z = new ZSet();
      result.forEach(z::put);
      if (store) {
        return storeItems(c, s, a.get(1), z.list());
      }
      return items(s, z.list(), withScores, true);
    });
  }

  /** A zset's member → score, or a set's members with score 1 (both are inputs); null when absent. */
  private static Map<String, Double> scoresOf(Commands c, Session s, String key) {
    Keyspace.Entry e = c.keyspace.lookup(s.db, key);
    if (e == null) {
      return null;
    }
    if (e.value instanceof ZSet z) {
      return z.scores();
    }
    if (e.value instanceof java.util.Set<?> set) {
      Map<String, Double> m = new LinkedHashMap<>();
      for (Object member : set) {
        m.put((String) member, 1.0);
      }
      return m;
    }
    throw new Commands.WrongType();
  }

  private static Map<String, Double> compute(Op op, List<Map<String, Double>> inputs, double[] weights, String aggregate) {
    Map<String, Double> out = new HashMap<>();
    Map<String, Double> first = inputs.get(0);
    if (op == Op.DIFF) {
      if (first != null) {
        first.forEach((m, score) -> {
          for (int i = 1; i < inputs.size(); i++) {
            if (inputs.get(i) != null && inputs.get(i).containsKey(m)) {
              return;
            }
          }
          out.put(m, score);
        });
      }
      return out;
    }
    if (op == Op.INTER) {
      if (inputs.contains(null)) {
        return out;
      }
      first.forEach((m, score) -> {
        double acc = weighted(score, weights[0]);
        for (int i = 1; i < inputs.size(); i++) {
          Double other = inputs.get(i).get(m);
          if (other == null) {
            return;
          }
          acc = aggregate(acc, weighted(other, weights[i]), aggregate);
        }
        out.put(m, acc);
      });
      return out;
    }
    for (int i = 0; i < inputs.size(); i++) {
      if (inputs.get(i) == null) {
        continue;
      }
      double w = weights[i];
      inputs.get(i).forEach((m, score) -> {
        double v = weighted(score, w);
        out.merge(m, v, (x, y) -> aggregate(x, y, aggregate));
      });
    }
    return out;
  }

  private static double weighted(double score, double weight) {
    double v = score * weight;
    return Double.isNaN(v) ? 0 : v; // inf * 0: redis-server counts 0
  }

  private static double aggregate(double x, double y, String how) {
    return switch (how) {
      case "min" -> Math.min(x, y);
      case "max" -> Math.max(x, y);
      default -> {
        double sum = x + y;
        yield Double.isNaN(sum) ? 0 : sum; // inf + -inf
      }
    };
  }
}
