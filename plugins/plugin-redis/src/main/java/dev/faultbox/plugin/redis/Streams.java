package dev.faultbox.plugin.redis;

import dev.faultbox.plugin.redis.RedisStream.Group;
import dev.faultbox.plugin.redis.RedisStream.Id;
import dev.faultbox.plugin.redis.RedisStream.Pending;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.regex.Pattern;

/**
 * The stream commands, with redis-server 7.0's argument order, checks and error texts: XADD
 * (NOMKSTREAM, MAXLEN/MINID with {@code =}/{@code ~}, LIMIT), XLEN, XRANGE, XREVRANGE, XDEL,
 * XTRIM, XREAD (COUNT, BLOCK), XGROUP, XREADGROUP, XACK, XPENDING, XINFO. Blocking reads wait in
 * {@link Blocking}. An approximate trim ({@code ~}) removes whole blocks of 100 entries only, as
 * redis-server removes whole nodes of (by default) 100 entries.
 */
final class Streams {
  private Streams() {}

  static final String INVALID_ID = "ERR Invalid stream ID specified as stream command argument";
  static final String TOO_SMALL = "ERR The ID specified in XADD is equal or smaller than the target stream top item";
  static final int NODE = 100;

  static void define() {
    Commands.define("xadd", -5, 1, Streams::xadd);
    Commands.define("xlen", 2, 1, (c, s, a) -> Commands.guard(() -> {
      RedisStream st = stream(c, s, a.get(1));
      return new Reply.Int(st == null ? 0 : st.length());
    }));
    Commands.define("xrange", -4, 1, (c, s, a) -> range(c, s, a, false));
    Commands.define("xrevrange", -4, 1, (c, s, a) -> range(c, s, a, true));
    Commands.define("xdel", -3, 1, Streams::xdel);
    Commands.define("xtrim", -4, 1, Streams::xtrim);
    Commands.define("xread", -4, 0, (c, s, a) -> read(c, s, a, false));
    Commands.define("xreadgroup", -7, 0, (c, s, a) -> read(c, s, a, true));
    Commands.define("xgroup", -2, 2, Streams::xgroup);
    Commands.define("xack", -4, 1, Streams::xack);
    Commands.define("xpending", -3, 1, Streams::xpending);
    Commands.define("xinfo", -2, 2, Streams::xinfo);
  }

  static RedisStream stream(Commands c, Session s, String key) {
    Keyspace.Entry e = c.keyspace.lookup(s.db, key);
    if (e == null) {
      return null;
    }
    if (!(e.value instanceof RedisStream st)) {
      throw new Commands.WrongType();
    }
    return st;
  }

  // --- ids

  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,20}");

  private static Long unsigned(String text) {
    if (!DIGITS.matcher(text).matches()) {
      return null;
    }
    try {
      return Long.parseUnsignedLong(text);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** {@code ms[-seq]} ({@code -}/{@code +} too unless strict); null when invalid. */
  static Id parseId(String text, long missingSeq, boolean strict) {
    if (text.length() > 127) {
      return null;
    }
    if (!strict && text.equals("-")) {
      return Id.MIN;
    }
    if (!strict && text.equals("+")) {
      return Id.MAX;
    }
    int dash = text.indexOf('-');
    Long ms = unsigned(dash < 0 ? text : text.substring(0, dash));
    Long seq = dash < 0 ? Long.valueOf(missingSeq) : unsigned(text.substring(dash + 1));
    return ms == null || seq == null ? null : new Id(ms, seq);
  }

  static Reply entry(Id id, List<String> fields) {
    return new Reply.Array(List.of(Reply.bulk(id.toString()),
        fields == null ? Reply.NULL_ARRAY : Reply.bulks(fields)));
  }

  // --- XADD and XTRIM

  /** What XADD and XTRIM parsed: a trim (maxlen or minid), and for XADD the id's position. */
  private static final class Trim {
    String strategy; // "maxlen", "minid" or null
    long maxlen;
    Id minid;
    boolean approx;
    long limit;
    boolean noMkStream;
    int idAt;
    Id id;
    boolean autoSeq;
    boolean seqGiven;
    Reply error;
  }

  private static Trim parseTrim(List<String> a, boolean xadd) {
    Trim t = new Trim();
    boolean limitGiven = false;
    int i = 2;
    for (; i < a.size(); i++) {
      String opt = a.get(i);
      int more = a.size() - 1 - i;
      if (xadd && opt.equals("*")) {
        break;
      } else if ((Commands.eq(opt, "maxlen") || Commands.eq(opt, "minid")) && more > 0) {
        boolean maxlen = Commands.eq(opt, "maxlen");
        if (t.strategy != null) {
          t.error = Reply.error("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
          return t;
        }
        t.approx = false;
        String next = a.get(i + 1);
        if (more >= 2 && (next.equals("~") || next.equals("="))) {
          t.approx = next.equals("~");
          i++;
        }
        String arg = a.get(i + 1);
        if (maxlen) {
          Long n = Commands.parseLong(arg);
          if (n == null) {
            t.error = Reply.error(Commands.NOT_INTEGER);
            return t;
          }
          if (n < 0) {
            t.error = Reply.error("ERR The MAXLEN argument must be >= 0.");
            return t;
          }
          t.maxlen = n;
        } else {
          t.minid = parseId(arg, 0, true);
          if (t.minid == null) {
            t.error = Reply.error(INVALID_ID);
            return t;
          }
        }
        i++;
        t.strategy = maxlen ? "maxlen" : "minid";
      } else if (Commands.eq(opt, "limit") && more > 0) {
        Long n = Commands.parseLong(a.get(i + 1));
        if (n == null) {
          t.error = Reply.error(Commands.NOT_INTEGER);
          return t;
        }
        if (n < 0) {
          t.error = Reply.error("ERR The LIMIT argument must be >= 0.");
          return t;
        }
        t.limit = n;
        limitGiven = true;
        i++;
      } else if (xadd && Commands.eq(opt, "nomkstream")) {
        t.noMkStream = true;
      } else if (xadd) {
        int dash = opt.indexOf('-');
        if (dash > 0 && opt.substring(dash + 1).equals("*")) {
          Long ms = unsigned(opt.substring(0, dash));
          if (ms == null) {
            t.error = Reply.error(INVALID_ID);
            return t;
          }
          t.id = new Id(ms, 0);
          t.autoSeq = true;
        } else {
          t.id = parseId(opt, 0, true);
          if (t.id == null) {
            t.error = Reply.error(INVALID_ID);
            return t;
          }
          t.seqGiven = true;
        }
        break;
      } else {
        t.error = Reply.error(Commands.SYNTAX);
        return t;
      }
    }
    t.idAt = i;
    if (limitGiven && t.strategy == null) {
      t.error = Reply.error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
    } else if (!xadd && t.strategy == null) {
      t.error = Reply.error("ERR syntax error, XTRIM must be called with a trimming strategy");
    } else if (limitGiven && !t.approx) {
      t.error = Reply.error("ERR syntax error, LIMIT cannot be used without the special ~ option");
    } else if (!limitGiven) {
      t.limit = t.approx ? 100L * NODE : 0;
    }
    return t;
  }

  private static Reply xadd(Commands c, Session s, List<String> a) {
    Trim t = parseTrim(a, true);
    if (t.error != null) {
      return t.error;
    }
    int fieldsAt = t.idAt + 1;
    int n = a.size() - fieldsAt;
    if (n < 2 || n % 2 == 1) {
      return Reply.error(Commands.arityError("xadd"));
    }
    if (t.seqGiven && t.id.equals(Id.MIN)) {
      return Reply.error("ERR The ID specified in XADD must be greater than 0-0");
    }
    return Commands.guard(() -> {
      RedisStream st = stream(c, s, a.get(1));
      if (st == null) {
        if (t.noMkStream) {
          return Reply.NULL;
        }
        st = new RedisStream();
        c.keyspace.put(s.db, a.get(1), st, 0);
      }
      if (st.lastId.equals(Id.MAX)) {
        return Reply.error("ERR The stream has exhausted the last possible ID, unable to add more items");
      }
      Id id;
      if (t.id == null) {
        id = st.autoId(c.keyspace.now());
      } else if (t.autoSeq) {
        int cmp = Long.compareUnsigned(t.id.ms(), st.lastId.ms());
        id = cmp > 0 ? new Id(t.id.ms(), 0) : cmp == 0 && st.lastId.seq() != -1 ? st.lastId.next() : null;
      } else {
        id = t.id.compareTo(st.lastId) > 0 ? t.id : null;
      }
      if (id == null) {
        return Reply.error(TOO_SMALL);
      }
      st.add(id, a.subList(fieldsAt, a.size()));
      trim(st, t);
      return Reply.bulk(id.toString());
    });
  }

  /** Trims as {@code t} says; the count of entries removed. */
  private static long trim(RedisStream st, Trim t) {
    if (t.strategy == null) {
      return 0;
    }
    long removable = 0;
    if (t.strategy.equals("maxlen")) {
      removable = Math.max(0, st.length() - t.maxlen);
    } else {
      removable = st.entries.headMap(t.minid, false).size();
    }
    if (t.approx) {
      removable -= removable % NODE; // whole nodes only
      if (t.limit > 0) {
        removable = Math.min(removable, t.limit - t.limit % NODE);
      }
    }
    for (long i = 0; i < removable; i++) {
      st.entries.pollFirstEntry();
    }
    if (removable > 0) {
      st.changed();
    }
    return removable;
  }

  private static Reply xtrim(Commands c, Session s, List<String> a) {
    return Commands.guard(() -> {
      RedisStream st = stream(c, s, a.get(1));
      if (st == null) {
        return Reply.ZERO;
      }
      Trim t = parseTrim(a, false);
      if (t.error != null) {
        return t.error;
      }
      return new Reply.Int(trim(st, t));
    });
  }

  private static Reply xdel(Commands c, Session s, List<String> a) {
    return Commands.guard(() -> {
      RedisStream st = stream(c, s, a.get(1));
      if (st == null) {
        return Reply.ZERO;
      }
      List<Id> ids = new ArrayList<>();
      for (int i = 2; i < a.size(); i++) {
        Id id = parseId(a.get(i), 0, true);
        if (id == null) {
          return Reply.error(INVALID_ID);
        }
        ids.add(id);
      }
      long deleted = 0;
      for (Id id : ids) {
        if (st.delete(id)) {
          deleted++;
        }
      }
      return new Reply.Int(deleted);
    });
  }

  // --- XRANGE, XREVRANGE

  /** An interval bound: {@code -}, {@code +}, an id or {@code (id}; null after an error reply in {@code error}. */
  private static Id bound(String text, long missingSeq, boolean start, Reply[] error) {
    boolean exclusive = text.startsWith("(");
    Id id = exclusive ? parseId(text.substring(1), missingSeq, true) : parseId(text, missingSeq, false);
    if (id == null) {
      error[0] = Reply.error(INVALID_ID);
      return null;
    }
    if (exclusive) {
      id = start ? id.next() : id.previous();
      if (id == null) {
        error[0] = Reply.error(start ? "ERR invalid start ID for the interval" : "ERR invalid end ID for the interval");
      }
    }
    return id;
  }

  private static Reply range(Commands c, Session s, List<String> a, boolean reverse) {
    Reply[] error = new Reply[1];
    Id start = bound(a.get(reverse ? 3 : 2), 0, true, error);
    if (start == null) {
      return error[0];
    }
    Id end = bound(a.get(reverse ? 2 : 3), -1, false, error);
    if (end == null) {
      return error[0];
    }
    long count = -1;
    for (int j = 4; j < a.size(); j++) {
      if (Commands.eq(a.get(j), "count") && j + 1 < a.size()) {
        Long n = Commands.parseLong(a.get(j + 1));
        if (n == null) {
          return Reply.error(Commands.NOT_INTEGER);
        }
        count = Math.max(0, n);
        j++;
      } else {
        return Reply.error(Commands.SYNTAX);
      }
    }
    if (count == 0) {
      return Reply.NULL_ARRAY;
    }
    long limit = count;
    return Commands.guard(() -> {
      RedisStream st = stream(c, s, a.get(1));
      List<Reply> out = new ArrayList<>();
      if (st == null || start.compareTo(end) > 0) {
        return new Reply.Array(out);
      }
      NavigableMap<Id, List<String>> view = st.entries.subMap(start, true, end, true);
      for (Map.Entry<Id, List<String>> e : (reverse ? view.descendingMap() : view).entrySet()) {
        if (limit > 0 && out.size() >= limit) {
          break;
        }
        out.add(entry(e.getKey(), e.getValue()));
      }
      return new Reply.Array(out);
    });
  }

  // --- XREAD, XREADGROUP

  private static Reply read(Commands c, Session s, List<String> a, boolean grouped) {
    long timeout = -1;
    long count = 0;
    int streamsAt = 0;
    int streams = 0;
    String group = null;
    String consumer = null;
    boolean noAck = false;
    for (int i = 1; i < a.size(); i++) {
      int more = a.size() - i - 1;
      String o = a.get(i);
      if (Commands.eq(o, "block") && more > 0) {
        i++;
        Long t = Commands.parseLong(a.get(i));
        if (t == null) {
          return Reply.error("ERR timeout is not an integer or out of range");
        }
        if (t < 0) {
          return Reply.error(Blocking.NEGATIVE);
        }
        timeout = t;
      } else if (Commands.eq(o, "count") && more > 0) {
        i++;
        Long n = Commands.parseLong(a.get(i));
        if (n == null) {
          return Reply.error(Commands.NOT_INTEGER);
        }
        count = Math.max(0, n);
      } else if (Commands.eq(o, "streams") && more > 0) {
        streamsAt = i + 1;
        streams = a.size() - streamsAt;
        if (streams % 2 != 0) {
          // redis-server 7.0 says XREAD and '$' for XREADGROUP too
          return Reply.error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
        }
        streams /= 2;
        break;
      } else if (Commands.eq(o, "group") && more >= 2) {
        if (!grouped) {
          return Reply.error("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
        }
        group = a.get(i + 1);
        consumer = a.get(i + 2);
        i += 2;
      } else if (Commands.eq(o, "noack")) {
        if (!grouped) {
          return Reply.error("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
        }
        noAck = true;
      } else {
        return Reply.error(Commands.SYNTAX);
      }
    }
    if (streamsAt == 0) {
      return Reply.error(Commands.SYNTAX);
    }
    if (grouped && group == null) {
      return Reply.error("ERR Missing GROUP option for XREADGROUP");
    }
    List<String> keys = a.subList(streamsAt, streamsAt + streams);
    Id[] ids = new Id[streams];
    for (int i = 0; i < streams; i++) {
      String key = keys.get(i);
      String text = a.get(streamsAt + streams + i);
      RedisStream st;
      try {
        st = stream(c, s, key);
      } catch (Commands.WrongType e) {
        return Reply.error(Commands.WRONGTYPE);
      }
      if (grouped && (st == null || !st.groups.containsKey(group))) {
        return Reply.error("NOGROUP No such key '" + key + "' or consumer group '" + group
            + "' in XREADGROUP with GROUP option");
      }
      if (text.equals("$")) {
        if (grouped) {
          return Reply.error("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history"
              + " of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just"
              + " return an empty result set.");
        }
        ids[i] = st == null ? Id.MIN : st.lastId;
      } else if (text.equals(">")) {
        if (!grouped) {
          return Reply.error("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group>"
              + " <consumer> option.");
        }
        ids[i] = null; // new messages
      } else {
        ids[i] = parseId(text, 0, true);
        if (ids[i] == null) {
          return Reply.error(INVALID_ID);
        }
      }
    }
    Reader reader = new Reader(c, s, group, consumer, noAck, count);
    List<Reply> served = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      reader.serve(keys.get(i), ids[i], served);
    }
    if (!served.isEmpty()) {
      return reader.answer(served);
    }
    if (timeout < 0) {
      return Reply.NULL_ARRAY;
    }
    List<String> waited = List.copyOf(keys);
    return c.blocking.block(s, waited, timeout, Reply.NULL_ARRAY, key -> {
      List<Reply> now = new ArrayList<>();
      Keyspace.Entry e = c.keyspace.lookup(s.db, key);
      if (e == null || !(e.value instanceof RedisStream)) {
        return null;
      }
      reader.serve(key, ids[waited.indexOf(key)], now);
      return now.isEmpty() ? null : reader.answer(now);
    });
  }

  /** Serves one XREAD or XREADGROUP, stream by stream. */
  private record Reader(Commands c, Session s, String group, String consumer, boolean noAck, long count) {

    /** Adds {@code key} and its entries to {@code out} when there is something to serve ({@code after} null: {@code >}). */
    void serve(String key, Id after, List<Reply> out) {
      RedisStream st = stream(c, s, key);
      if (st == null) {
        return;
      }
      long now = c.keyspace.now();
      List<Reply> items = new ArrayList<>();
      if (group == null) {
        if (st.entries.isEmpty() || st.entries.lastKey().compareTo(after) <= 0) {
          return;
        }
        for (Map.Entry<Id, List<String>> e : st.entries.tailMap(after, false).entrySet()) {
          if (count > 0 && items.size() >= count) {
            break;
          }
          items.add(entry(e.getKey(), e.getValue()));
        }
      } else {
        Group g = st.groups.get(group);
        if (g == null) {
          return;
        }
        if (after != null) { // the consumer's history: its pending entries after that id
          RedisStream.Consumer me = g.consumer(consumer, now);
          me.seenAtMs = now;
          for (Map.Entry<Id, Pending> p : me.pending.tailMap(after, false).entrySet()) {
            if (count > 0 && items.size() >= count) {
              break;
            }
            List<String> fields = st.entries.get(p.getKey());
            if (fields != null) {
              p.getValue().deliveries++;
              p.getValue().deliveredAtMs = now;
            }
            items.add(entry(p.getKey(), fields));
          }
        } else {
          if (st.entries.isEmpty() || st.entries.lastKey().compareTo(g.lastDelivered) <= 0) {
            return;
          }
          RedisStream.Consumer me = g.consumer(consumer, now);
          me.seenAtMs = now;
          for (Map.Entry<Id, List<String>> e : new ArrayList<>(st.entries.tailMap(g.lastDelivered, false).entrySet())) {
            if (count > 0 && items.size() >= count) {
              break;
            }
            Id id = e.getKey();
            g.lastDelivered = id;
            if (g.entriesRead >= 0) {
              g.entriesRead++;
            }
            if (!noAck) {
              Pending p = g.pending.get(id);
              if (p != null) { // delivered before (after XGROUP SETID): it moves to this consumer
                RedisStream.Consumer old = g.consumers.get(p.consumer);
                if (old != null) {
                  old.pending.remove(id);
                }
                p.consumer = consumer;
                p.deliveredAtMs = now;
                p.deliveries = 1;
              } else {
                p = new Pending(consumer, now);
                g.pending.put(id, p);
              }
              me.pending.put(id, p);
            }
            items.add(entry(id, e.getValue()));
          }
        }
        st.changed();
      }
      out.add(Reply.bulk(key));
      out.add(new Reply.Array(items));
    }

    /** RESP2: an array of [key, entries]; RESP3: a map of key → entries, as redis-server 7. */
    Reply answer(List<Reply> flat) {
      if (s.resp3) {
        return new Reply.Pairs(flat);
      }
      List<Reply> pairs = new ArrayList<>();
      for (int i = 0; i < flat.size(); i += 2) {
        pairs.add(new Reply.Array(List.of(flat.get(i), flat.get(i + 1))));
      }
      return new Reply.Array(pairs);
    }
  }

  // --- groups

  private static final Map<String, Integer> XGROUP_ARITY = Map.of(
      "create", -5, "setid", -5, "destroy", 4, "createconsumer", 5, "delconsumer", 5, "help", 2);

  private static Reply xgroup(Commands c, Session s, List<String> a) {
    String sub = a.get(1).toLowerCase(Locale.ROOT);
    Integer arity = XGROUP_ARITY.get(sub);
    if (arity == null) {
      return Reply.error("ERR unknown subcommand '" + a.get(1) + "'. Try XGROUP HELP.");
    }
    if ((arity > 0 && a.size() != arity) || a.size() < -arity) {
      return Reply.error(Commands.arityError("xgroup|" + sub));
    }
    if (sub.equals("help")) {
      return Reply.bulks(List.of("XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
          "CREATE <key> <groupname> <id|$> [option]", "CREATECONSUMER <key> <groupname> <consumer>",
          "DELCONSUMER <key> <groupname> <consumername>", "DESTROY <key> <groupname>",
          "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]", "HELP"));
    }
    boolean create = sub.equals("create");
    boolean mkStream = false;
    long entriesRead = -1;
    for (int i = 5; i < a.size(); i++) {
      if (create && Commands.eq(a.get(i), "mkstream")) {
        mkStream = true;
      } else if ((create || sub.equals("setid")) && Commands.eq(a.get(i), "entriesread") && i + 1 < a.size()) {
        Long n = Commands.parseLong(a.get(++i));
        if (n == null) {
          return Reply.error(Commands.NOT_INTEGER);
        }
        if (n < -1) {
          return Reply.error("ERR value for ENTRIESREAD must be positive or -1");
        }
        entriesRead = n;
      } else {
        return Reply.error("ERR unknown subcommand or wrong number of arguments for '" + a.get(1)
            + "'. Try XGROUP HELP.");
      }
    }
    boolean mk = mkStream;
    long read = entriesRead;
    return Commands.guard(() -> {
      String key = a.get(2);
      String name = a.get(3);
      RedisStream st = stream(c, s, key);
      if (st == null && !(create && mk)) {
        return Reply.error("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want"
            + " to use the MKSTREAM option to create an empty stream automatically.");
      }
      Group g = st == null ? null : st.groups.get(name);
      if (g == null && !create && !sub.equals("destroy")) {
        return Reply.error("NOGROUP No such consumer group '" + name + "' for key name '" + key + "'");
      }
      switch (sub) {
        case "create", "setid" -> {
          Id id = a.get(4).equals("$") ? (st == null ? Id.MIN : st.lastId) : parseId(a.get(4), 0, true);
          if (id == null) {
            return Reply.error(INVALID_ID);
          }
          if (create) {
            if (st == null) {
              st = new RedisStream();
              c.keyspace.put(s.db, key, st, 0);
            }
            if (g != null) {
              return Reply.error("BUSYGROUP Consumer Group name already exists");
            }
            st.groups.put(name, new Group(id, read));
          } else {
            g.lastDelivered = id;
            g.entriesRead = read;
          }
          st.changed();
          return Reply.OK;
        }
        case "destroy" -> {
          if (g == null) {
            return Reply.ZERO;
          }
          st.groups.remove(name);
          st.changed();
          return Reply.ONE;
        }
        case "createconsumer" -> {
          if (g.consumers.containsKey(a.get(4))) {
            return Reply.ZERO;
          }
          g.consumer(a.get(4), c.keyspace.now());
          st.changed();
          return Reply.ONE;
        }
        default -> { // delconsumer: its pending entries go with it
          RedisStream.Consumer gone = g.consumers.remove(a.get(4));
          if (gone == null) {
            return Reply.ZERO;
          }
          for (Id id : gone.pending.keySet()) {
            g.pending.remove(id);
          }
          st.changed();
          return new Reply.Int(gone.pending.size());
        }
      }
    });
  }

  private static Reply xack(Commands c, Session s, List<String> a) {
    return Commands.guard(() -> {
      RedisStream st = stream(c, s, a.get(1));
      Group g = st == null ? null : st.groups.get(a.get(2));
      if (g == null) {
        return Reply.ZERO;
      }
      List<Id> ids = new ArrayList<>();
      for (int i = 3; i < a.size(); i++) {
        Id id = parseId(a.get(i), 0, true);
        if (id == null) {
          return Reply.error(INVALID_ID);
        }
        ids.add(id);
      }
      long acked = 0;
      for (Id id : ids) {
        Pending p = g.pending.remove(id);
        if (p != null) {
          RedisStream.Consumer owner = g.consumers.get(p.consumer);
          if (owner != null) {
            owner.pending.remove(id);
          }
          acked++;
        }
      }
      if (acked > 0) {
        st.changed();
      }
      return new Reply.Int(acked);
    });
  }

  private static Reply xpending(Commands c, Session s, List<String> a) {
    int argc = a.size();
    if (argc != 3 && (argc < 6 || argc > 9)) {
      return Reply.error(Commands.SYNTAX);
    }
    long minIdle = 0;
    long count = 0;
    Id start = null;
    Id end = null;
    String consumer = null;
    if (argc >= 6) {
      int at = 3;
      if (Commands.eq(a.get(3), "idle")) {
        Long n = Commands.parseLong(a.get(4));
        if (n == null) {
          return Reply.error(Commands.NOT_INTEGER);
        }
        if (argc < 8) {
          return Reply.error(Commands.SYNTAX);
        }
        minIdle = n;
        at += 2;
      }
      Long n = Commands.parseLong(a.get(at + 2));
      if (n == null) {
        return Reply.error(Commands.NOT_INTEGER);
      }
      count = Math.max(0, n);
      Reply[] error = new Reply[1];
      start = bound(a.get(at), 0, true, error);
      if (start == null) {
        return error[0];
      }
      end = bound(a.get(at + 1), -1, false, error);
      if (end == null) {
        return error[0];
      }
      if (at + 3 < argc) {
        consumer = a.get(at + 3);
      }
    }
    long idle = minIdle;
    long limit = count;
    Id from = start;
    Id to = end;
    String who = consumer;
    return Commands.guard(() -> {
      RedisStream st = stream(c, s, a.get(1));
      Group g = st == null ? null : st.groups.get(a.get(2));
      if (g == null) {
        return Reply.error("NOGROUP No such key '" + a.get(1) + "' or consumer group '" + a.get(2) + "'");
      }
      if (argc == 3) {
        if (g.pending.isEmpty()) {
          return new Reply.Array(List.of(Reply.ZERO, Reply.NULL, Reply.NULL, Reply.NULL_ARRAY));
        }
        List<Reply> consumers = new ArrayList<>();
        for (RedisStream.Consumer each : g.consumers.values()) {
          if (!each.pending.isEmpty()) {
            consumers.add(Reply.bulks(List.of(each.name, Long.toString(each.pending.size()))));
          }
        }
        return new Reply.Array(List.of(new Reply.Int(g.pending.size()),
            Reply.bulk(g.pending.firstKey().toString()), Reply.bulk(g.pending.lastKey().toString()),
            new Reply.Array(consumers)));
      }
      List<Reply> out = new ArrayList<>();
      NavigableMap<Id, Pending> pel = g.pending;
      if (who != null) {
        RedisStream.Consumer one = g.consumers.get(who);
        if (one == null) {
          return new Reply.Array(out);
        }
        pel = one.pending;
      }
      if (from.compareTo(to) > 0) {
        return new Reply.Array(out);
      }
      long now = c.keyspace.now();
      for (Map.Entry<Id, Pending> e : pel.subMap(from, true, to, true).entrySet()) {
        if (out.size() >= limit) {
          break;
        }
        long idleMs = Math.max(0, now - e.getValue().deliveredAtMs);
        if (idleMs < idle) {
          continue;
        }
        out.add(new Reply.Array(List.of(Reply.bulk(e.getKey().toString()), Reply.bulk(e.getValue().consumer),
            new Reply.Int(idleMs), new Reply.Int(e.getValue().deliveries))));
      }
      return new Reply.Array(out);
    });
  }

  private static Reply xinfo(Commands c, Session s, List<String> a) {
    String sub = a.get(1).toLowerCase(Locale.ROOT);
    int want = switch (sub) {
      case "stream" -> -3;
      case "groups" -> 3;
      case "consumers" -> 4;
      case "help" -> 2;
      default -> 0;
    };
    if (want == 0) {
      return Reply.error("ERR unknown subcommand '" + a.get(1) + "'. Try XINFO HELP.");
    }
    if ((want > 0 && a.size() != want) || a.size() < -want) {
      return Reply.error(Commands.arityError("xinfo|" + sub));
    }
    if (sub.equals("help")) {
      return Reply.bulks(List.of("XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
          "CONSUMERS <key> <groupname>", "GROUPS <key>", "STREAM <key> [FULL [COUNT <count>]]", "HELP"));
    }
    return Commands.guard(() -> {
      RedisStream st = stream(c, s, a.get(2));
      if (st == null) {
        return Reply.error(More.NO_SUCH_KEY);
      }
      long now = c.keyspace.now();
      if (sub.equals("stream")) {
        if (a.size() > 3) {
          return Reply.error("ERR the Faultbox Redis mock does not answer XINFO STREAM FULL");
        }
        long nodes = Math.max(1, (st.length() + NODE - 1) / NODE);
        Map.Entry<Id, List<String>> first = st.entries.firstEntry();
        Map.Entry<Id, List<String>> last = st.entries.lastEntry();
        return new Reply.Pairs(List.of(
            Reply.bulk("length"), new Reply.Int(st.length()),
            Reply.bulk("radix-tree-keys"), new Reply.Int(st.length() == 0 ? 0 : nodes),
            Reply.bulk("radix-tree-nodes"), new Reply.Int(nodes + 1),
            Reply.bulk("last-generated-id"), Reply.bulk(st.lastId.toString()),
            Reply.bulk("max-deleted-entry-id"), Reply.bulk(st.maxDeletedId.toString()),
            Reply.bulk("entries-added"), new Reply.Int(st.entriesAdded),
            Reply.bulk("recorded-first-entry-id"), Reply.bulk(first == null ? "0-0" : first.getKey().toString()),
            Reply.bulk("groups"), new Reply.Int(st.groups.size()),
            Reply.bulk("first-entry"), first == null ? Reply.NULL : entry(first.getKey(), first.getValue()),
            Reply.bulk("last-entry"), last == null ? Reply.NULL : entry(last.getKey(), last.getValue())));
      }
      List<Reply> out = new ArrayList<>();
      if (sub.equals("groups")) {
        for (Map.Entry<String, Group> e : st.groups.entrySet()) {
          Group g = e.getValue();
          out.add(new Reply.Pairs(List.of(
              Reply.bulk("name"), Reply.bulk(e.getKey()),
              Reply.bulk("consumers"), new Reply.Int(g.consumers.size()),
              Reply.bulk("pending"), new Reply.Int(g.pending.size()),
              Reply.bulk("last-delivered-id"), Reply.bulk(g.lastDelivered.toString()),
              Reply.bulk("entries-read"), g.entriesRead < 0 ? Reply.NULL : new Reply.Int(g.entriesRead),
              Reply.bulk("lag"), g.entriesRead < 0 ? Reply.NULL : new Reply.Int(st.entriesAdded - g.entriesRead))));
        }
        return new Reply.Array(out);
      }
      Group g = st.groups.get(a.get(3));
      if (g == null) {
        return Reply.error("NOGROUP No such consumer group '" + a.get(3) + "' for key name '" + a.get(2) + "'");
      }
      for (RedisStream.Consumer each : g.consumers.values()) {
        out.add(new Reply.Pairs(List.of(
            Reply.bulk("name"), Reply.bulk(each.name),
            Reply.bulk("pending"), new Reply.Int(each.pending.size()),
            Reply.bulk("idle"), new Reply.Int(Math.max(0, now - each.seenAtMs)))));
      }
      return new Reply.Array(out);
    });
  }
}
