package dev.faultbox.plugin.redis;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The commands the mock answers, each with redis-server 7's arity (positive: exactly that many
 * arguments, the name included; negative: at least), its first key's position, reply types and
 * error texts. Anything else answers redis-server's unknown-command error. Each call runs with
 * the keyspace's monitor held, so commands are atomic across connections as in redis-server.
 */
final class Commands {

  static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
  static final String NOT_INTEGER = "ERR value is not an integer or out of range";
  static final String NOT_FLOAT = "ERR value is not a valid float";
  static final String SYNTAX = "ERR syntax error";
  static final String OVERFLOW = "ERR increment or decrement would overflow";
  static final String NOAUTH = "NOAUTH Authentication required.";
  static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
  static final String NO_PASSWORD = "ERR AUTH <password> called without any password configured for the"
      + " default user. Are you sure your configuration is correct?";
  static final String POSITIVE = "ERR value is out of range, must be positive";

  @FunctionalInterface
  interface Handler {
    Reply run(Commands c, Session s, List<String> a);
  }

  /** A command: lower-case name, arity, first key's index (0: none). */
  record Spec(String name, int arity, int firstKey, Handler handler) {}

  private static final Map<String, Spec> TABLE = new HashMap<>();

  /** The same specs by upper-case name: clients send either case, and looking up as sent spares a copy. */
  private static final Map<String, Spec> UPPER = new HashMap<>();

  private static void def(String name, int arity, int firstKey, Handler handler) {
    Spec spec = new Spec(name, arity, firstKey, handler);
    TABLE.put(name, spec);
    UPPER.put(name.toUpperCase(Locale.ROOT), spec);
  }

  static Spec spec(String name) {
    Spec spec = UPPER.get(name);
    if (spec == null) {
      spec = TABLE.get(name);
    }
    return spec != null ? spec : TABLE.get(name.toLowerCase(Locale.ROOT));
  }

  static {
    // connection and server
    def("ping", -1, 0, Commands::ping);
    def("echo", 2, 0, (c, s, a) -> Reply.bulk(a.get(1)));
    def("select", 2, 0, Commands::select);
    def("auth", -2, 0, Commands::auth);
    def("quit", -1, 0, (c, s, a) -> new Reply.ThenClose(Reply.OK));
    def("dbsize", 1, 0, (c, s, a) -> new Reply.Int(c.keyspace.size(s.db)));
    def("flushdb", -1, 0, Commands::flushdb);
    def("flushall", -1, 0, Commands::flushall);
    def("client", -2, 0, Commands::client);
    def("multi", 1, 0, Commands::multi);
    def("exec", 1, 0, Commands::exec);
    def("discard", 1, 0, Commands::discard);
    def("watch", -2, 1, Commands::watch);
    def("unwatch", 1, 0, (c, s, a) -> {
      s.watched.clear();
      return Reply.OK;
    });
    // keys
    def("del", -2, 1, Commands::del);
    def("unlink", -2, 1, Commands::del);
    def("exists", -2, 1, Commands::exists);
    def("type", 2, 1, Commands::type);
    def("keys", 2, 0, (c, s, a) -> Reply.bulks(c.keyspace.keys(s.db, a.get(1))));
    def("expire", -3, 1, (c, s, a) -> c.expire(s, a, 1000, "expire"));
    def("pexpire", -3, 1, (c, s, a) -> c.expire(s, a, 1, "pexpire"));
    def("ttl", 2, 1, (c, s, a) -> c.ttl(s, a, true));
    def("pttl", 2, 1, (c, s, a) -> c.ttl(s, a, false));
    def("persist", 2, 1, Commands::persist);
    // strings and counters
    def("get", 2, 1, Commands::get);
    def("set", -3, 1, Commands::set);
    def("setnx", 3, 1, Commands::setnx);
    def("setex", 4, 1, (c, s, a) -> c.setex(s, a, 1000, "setex"));
    def("psetex", 4, 1, (c, s, a) -> c.setex(s, a, 1, "psetex"));
    def("getset", 3, 1, Commands::getset);
    def("getdel", 2, 1, Commands::getdel);
    def("mget", -2, 1, Commands::mget);
    def("mset", -3, 1, Commands::mset);
    def("append", 3, 1, Commands::append);
    def("strlen", 2, 1, Commands::strlen);
    def("incr", 2, 1, (c, s, a) -> c.incrBy(s, a.get(1), 1));
    def("decr", 2, 1, (c, s, a) -> c.incrBy(s, a.get(1), -1));
    def("incrby", 3, 1, Commands::incrby);
    def("decrby", 3, 1, Commands::decrby);
    def("incrbyfloat", 3, 1, Commands::incrbyfloat);
    // hashes
    def("hset", -4, 1, (c, s, a) -> c.hset(s, a, false));
    def("hmset", -4, 1, (c, s, a) -> c.hset(s, a, true));
    def("hsetnx", 4, 1, Commands::hsetnx);
    def("hget", 3, 1, Commands::hget);
    def("hmget", -3, 1, Commands::hmget);
    def("hgetall", 2, 1, Commands::hgetall);
    def("hdel", -3, 1, Commands::hdel);
    def("hexists", 3, 1, Commands::hexists);
    def("hkeys", 2, 1, (c, s, a) -> c.hashView(s, a, 1));
    def("hvals", 2, 1, (c, s, a) -> c.hashView(s, a, 2));
    def("hlen", 2, 1, Commands::hlen);
    def("hincrby", 4, 1, Commands::hincrby);
    // lists
    def("lpush", -3, 1, (c, s, a) -> c.push(s, a, true));
    def("rpush", -3, 1, (c, s, a) -> c.push(s, a, false));
    def("lpop", -2, 1, (c, s, a) -> c.pop(s, a, true));
    def("rpop", -2, 1, (c, s, a) -> c.pop(s, a, false));
    def("lrange", 4, 1, Commands::lrange);
    def("llen", 2, 1, Commands::llen);
    def("lindex", 3, 1, Commands::lindex);
    More.define();
    Server.define();
    SortedSets.define();
    Extra.define();
    Clients.define();
    Blocking.define();
    PubSub.define();
    Streams.define();
  }

  static int count() {
    return TABLE.size();
  }

  /** Registers a command defined outside this class (see {@link More}). */
  static void define(String name, int arity, int firstKey, Handler handler) {
    def(name, arity, firstKey, handler);
  }

  final Keyspace keyspace;
  final String password;
  /** The open connections, for CLIENT LIST and KILL. */
  final Clients clients = new Clients();

  /** What CONFIG GET answers and CONFIG SET stores. */
  final Map<String, String> config;

  /** Blocked clients and the pub/sub hub of this mock. */
  final Blocking blocking = new Blocking(this);
  final PubSub pubsub;
  /** Whether EXEC is running its queue: a blocking command then answers at once. */
  boolean inExec;

  Commands(Keyspace keyspace, String password) {
    this.keyspace = keyspace;
    this.password = password;
    this.pubsub = new PubSub(keyspace);
    this.config = new LinkedHashMap<>(Server.defaultConfig(keyspace.databases()));
  }

  /** Runs {@code argv} (name first, at least one element) in {@code session}. */
  Reply execute(Session session, List<String> argv) {
    String name = argv.get(0);
    Spec spec = spec(name);
    Reply refused = refusal(session, spec, argv);
    if (refused != null) {
      if (spec != null && spec.name().equals("exec")) {
        // redis-server's execCommandAbort: a refused EXEC discards the transaction, in MULTI or not
        session.queued = null;
        session.dirty = false;
        session.watched.clear();
        String text = Reply.errorText(refused);
        return Reply.error("EXECABORT Transaction discarded because of: "
            + (text.startsWith("ERR ") ? text.substring(4) : text));
      }
      if (session.queued != null) {
        session.dirty = true; // EXEC will answer EXECABORT, as redis-server does
      }
      return refused;
    }
    Reply denied = PubSub.denied(session, spec, argv);
    if (denied != null) {
      return denied;
    }
    if (session.queued != null && spec.name().equals("watch")) {
      return Reply.error("ERR WATCH inside MULTI is not allowed");
    }
    if (session.queued != null && !TRANSACTION.contains(spec.name())) {
      session.queued.add(List.copyOf(argv));
      return QUEUED;
    }
    synchronized (keyspace) {
      Reply reply = spec.handler().run(this, session, argv);
      blocking.wake(); // a write may have readied a key clients block on
      return reply;
    }
  }

  private static final Reply QUEUED = new Reply.Simple("QUEUED");
  /** What runs at once inside MULTI instead of being queued. */
  private static final java.util.Set<String> TRANSACTION = java.util.Set.of("exec", "discard", "multi", "quit", "watch", "reset");

  /** The error for an unknown command, a wrong argument count or a missing AUTH; null to run it. */
  private static Reply refusal(Session session, Spec spec, List<String> argv) {
    if (spec == null) {
      return Reply.error(unknownCommand(argv));
    }
    int argc = argv.size();
    if ((spec.arity() > 0 && argc != spec.arity()) || argc < -spec.arity()) {
      return Reply.error(arityError(spec.name()));
    }
    if (!session.authenticated && !spec.name().equals("auth") && !spec.name().equals("quit")
        && !spec.name().equals("hello") && !spec.name().equals("reset")) {
      return Reply.error(NOAUTH);
    }
    return null;
  }

  private static Reply multi(Commands c, Session s, List<String> a) {
    if (s.queued != null) {
      return Reply.error("ERR MULTI calls can not be nested");
    }
    s.queued = new ArrayList<>();
    s.dirty = false;
    return Reply.OK;
  }

  private static Reply exec(Commands c, Session s, List<String> a) {
    if (s.queued == null) {
      return Reply.error("ERR EXEC without MULTI");
    }
    List<List<String>> queued = s.queued;
    boolean dirty = s.dirty;
    s.queued = null;
    s.dirty = false;
    boolean touched = false;
    for (Watched w : s.watched.values()) {
      touched |= w.changed(c.keyspace);
    }
    s.watched.clear();
    if (dirty) {
      return Reply.error("EXECABORT Transaction discarded because of previous errors.");
    }
    if (touched) {
      return Reply.NULL_ARRAY;
    }
    List<Reply> replies = new ArrayList<>(queued.size());
    c.inExec = true;
    try {
      for (List<String> argv : queued) {
        Reply r = spec(argv.get(0)).handler().run(c, s, argv); // the monitor is held: EXEC is atomic
        replies.add(r instanceof Reply.ThenClose then ? then.reply() : r);
      }
    } finally {
      c.inExec = false;
    }
    return new Reply.Array(replies);
  }

  private static Reply discard(Commands c, Session s, List<String> a) {
    if (s.queued == null) {
      return Reply.error("ERR DISCARD without MULTI");
    }
    s.queued = null;
    s.dirty = false;
    s.watched.clear();
    return Reply.OK;
  }

  /**
   * A WATCHed key as it was: its entry, a copy of its value and its expiry. A change is a
   * different entry, value or expiry at EXEC (a value changed and changed back is not seen).
   */
  record Watched(int db, String key, Keyspace.Entry entry, Object copy, long expireAtMs) {
    static Watched of(Keyspace keyspace, int db, String key) {
      Keyspace.Entry e = keyspace.lookup(db, key);
      return new Watched(db, key, e, e == null ? null : copyOf(e.value), e == null ? 0 : e.expireAtMs);
    }

    boolean changed(Keyspace keyspace) {
      Keyspace.Entry now = keyspace.lookup(db, key);
      if (entry == null || now == null) {
        return entry != now;
      }
      return now != entry || now.expireAtMs != expireAtMs || !Objects.equals(copyOf(now.value), copy);
    }

    private static Object copyOf(Object value) {
      if (value instanceof RedisList l) {
        return l.range(0, l.size() - 1);
      } else if (value instanceof Map<?, ?> m) {
        return new HashMap<>(m);
      } else if (value instanceof java.util.Set<?> set) {
        return new java.util.HashSet<>(set);
      } else if (value instanceof ZSet z) {
        return z.copy();
      } else if (value instanceof RedisStream stream) {
        return stream.version();
      }
      return value;
    }
  }

  private static Reply watch(Commands c, Session s, List<String> a) {
    for (int i = 1; i < a.size(); i++) {
      String id = s.db + ":" + a.get(i);
      s.watched.putIfAbsent(id, Watched.of(c.keyspace, s.db, a.get(i)));
    }
    return Reply.OK;
  }

  static String arityError(String name) {
    return "ERR wrong number of arguments for '" + name + "' command";
  }

  /** redis-server's text: the name and up to 128 characters of arguments, each quoted. */
  static String unknownCommand(List<String> argv) {
    StringBuilder args = new StringBuilder();
    for (int i = 1; i < argv.size() && args.length() < 128; i++) {
      String arg = cString(argv.get(i));
      int room = 128 - args.length();
      args.append('\'').append(arg, 0, Math.min(arg.length(), room)).append("' ");
    }
    String name = cString(argv.get(0));
    return "ERR unknown command '" + name.substring(0, Math.min(128, name.length()))
        + "', with args beginning with: " + args;
  }

  /** What C's {@code %s} prints of a binary string: up to its first NUL byte. */
  static String cString(String binary) {
    int nul = binary.indexOf('\0');
    return nul < 0 ? binary : binary.substring(0, nul);
  }

  // --- connection and server

  private static Reply ping(Commands c, Session s, List<String> a) {
    if (a.size() > 2) {
      return Reply.error(arityError("ping"));
    }
    return a.size() == 1 ? new Reply.Simple("PONG") : Reply.bulk(a.get(1));
  }

  private static Reply select(Commands c, Session s, List<String> a) {
    Long db = parseLong(a.get(1));
    if (db == null || db < Integer.MIN_VALUE || db > Integer.MAX_VALUE) {
      return Reply.error(NOT_INTEGER);
    }
    if (db < 0 || db >= c.keyspace.databases()) {
      return Reply.error("ERR DB index is out of range");
    }
    s.db = db.intValue();
    return Reply.OK;
  }

  private static Reply auth(Commands c, Session s, List<String> a) {
    if (a.size() > 3) {
      return Reply.error(SYNTAX);
    }
    if (c.password == null) {
      return a.size() == 2 ? Reply.error(NO_PASSWORD) : Reply.error(WRONGPASS);
    }
    String user = a.size() == 3 ? a.get(1) : "default";
    String pass = a.get(a.size() - 1);
    if (user.equals("default") && pass.equals(c.password)) {
      s.authenticated = true;
      return Reply.OK;
    }
    return Reply.error(WRONGPASS);
  }

  private static Reply flushdb(Commands c, Session s, List<String> a) {
    if (!flushArgs(a)) {
      return Reply.error(SYNTAX);
    }
    c.keyspace.flush(s.db);
    return Reply.OK;
  }

  private static Reply flushall(Commands c, Session s, List<String> a) {
    if (!flushArgs(a)) {
      return Reply.error(SYNTAX);
    }
    c.keyspace.flushAll();
    return Reply.OK;
  }

  private static boolean flushArgs(List<String> a) {
    return a.size() == 1
        || (a.size() == 2 && (eq(a.get(1), "async") || eq(a.get(1), "sync")));
  }

  /** CLIENT SETNAME, GETNAME, ID, SETINFO: what client libraries send on connecting. */
  private static Reply client(Commands c, Session s, List<String> a) {
    String sub = a.get(1).toLowerCase(Locale.ROOT);
    switch (sub) {
      case "setname" -> {
        if (a.size() != 3) {
          return Reply.error(arityError("client|setname"));
        }
        if (a.get(2).chars().anyMatch(ch -> ch <= ' ' || ch > '~')) {
          return Reply.error("ERR Client names cannot contain spaces, newlines or special characters.");
        }
        s.name = a.get(2);
        return Reply.OK;
      }
      case "getname" -> {
        return a.size() != 2 ? Reply.error(arityError("client|getname"))
            : s.name.isEmpty() ? Reply.NULL : Reply.bulk(s.name);
      }
      case "id" -> {
        return a.size() != 2 ? Reply.error(arityError("client|id")) : new Reply.Int(s.id);
      }
      case "setinfo" -> {
        if (a.size() != 4) {
          return Reply.error(arityError("client|setinfo"));
        }
        if (!eq(a.get(2), "lib-name") && !eq(a.get(2), "lib-ver")) {
          return Reply.error("ERR Unrecognized option '" + a.get(2) + "'");
        }
        return Reply.OK;
      }
      default -> {
        return Reply.error("ERR unknown subcommand '" + a.get(1) + "'. Try CLIENT HELP.");
      }
    }
  }

  // --- keys

  private static Reply del(Commands c, Session s, List<String> a) {
    long n = 0;
    for (int i = 1; i < a.size(); i++) {
      if (c.keyspace.lookup(s.db, a.get(i)) != null && c.keyspace.remove(s.db, a.get(i))) {
        n++;
      }
    }
    return new Reply.Int(n);
  }

  private static Reply exists(Commands c, Session s, List<String> a) {
    long n = 0;
    for (int i = 1; i < a.size(); i++) {
      if (c.keyspace.lookup(s.db, a.get(i)) != null) {
        n++;
      }
    }
    return new Reply.Int(n);
  }

  private static Reply type(Commands c, Session s, List<String> a) {
    Keyspace.Entry e = c.keyspace.lookup(s.db, a.get(1));
    return new Reply.Simple(e == null ? "none" : e.typeName());
  }

  private Reply expire(Session s, List<String> a, long unitMs, String name) {
    return expireGeneric(s, a, unitMs, keyspace.now(), name);
  }

  /**
   * redis-server's expireGenericCommand: options first, then the amount; the time is
   * {@code amount * unitMs + basetimeMs} (basetime now for EXPIRE/PEXPIRE, 0 for the AT forms).
   */
  Reply expireGeneric(Session s, List<String> a, long unitMs, long basetimeMs, String name) {
    boolean nx = false;
    boolean xx = false;
    boolean gt = false;
    boolean lt = false;
    for (int i = 3; i < a.size(); i++) {
      String opt = a.get(i);
      if (eq(opt, "nx")) {
        nx = true;
      } else if (eq(opt, "xx")) {
        xx = true;
      } else if (eq(opt, "gt")) {
        gt = true;
      } else if (eq(opt, "lt")) {
        lt = true;
      } else {
        return Reply.error("ERR Unsupported option " + opt);
      }
    }
    if (nx && (xx || gt || lt)) {
      return Reply.error("ERR NX and XX, GT or LT options at the same time are not compatible");
    }
    if (gt && lt) {
      return Reply.error("ERR GT and LT options at the same time are not compatible");
    }
    Long amount = parseLong(a.get(2));
    if (amount == null) {
      return Reply.error(NOT_INTEGER);
    }
    long now = keyspace.now();
    long when;
    try {
      when = Math.addExact(Math.multiplyExact(amount, unitMs), basetimeMs);
    } catch (ArithmeticException e) {
      return Reply.error("ERR invalid expire time in '" + name + "' command");
    }
    String key = a.get(1);
    Keyspace.Entry e = keyspace.lookup(s.db, key);
    if (e == null) {
      return Reply.ZERO;
    }
    long current = e.expireAtMs == 0 ? -1 : e.expireAtMs;
    if ((nx && current != -1) || (xx && current == -1)
        || (gt && (current == -1 || when <= current)) || (lt && current != -1 && when >= current)) {
      return Reply.ZERO;
    }
    if (when <= now) {
      keyspace.remove(s.db, key);
    } else {
      keyspace.expireAt(s.db, key, e, when);
    }
    return Reply.ONE;
  }

  private Reply ttl(Session s, List<String> a, boolean seconds) {
    Keyspace.Entry e = keyspace.lookup(s.db, a.get(1));
    if (e == null) {
      return new Reply.Int(-2);
    }
    if (e.expireAtMs == 0) {
      return new Reply.Int(-1);
    }
    long left = Math.max(0, e.expireAtMs - keyspace.now());
    return new Reply.Int(seconds ? (left + 500) / 1000 : left);
  }

  private static Reply persist(Commands c, Session s, List<String> a) {
    Keyspace.Entry e = c.keyspace.lookup(s.db, a.get(1));
    if (e == null || e.expireAtMs == 0) {
      return Reply.ZERO;
    }
    c.keyspace.expireAt(s.db, a.get(1), e, 0);
    return Reply.ONE;
  }

  // --- strings

  /** The string at {@code key}: null when absent; throws WrongType for another type. */
  String string(Session s, String key) {
    Keyspace.Entry e = keyspace.lookup(s.db, key);
    if (e == null) {
      return null;
    }
    if (!(e.value instanceof String v)) {
      throw new WrongType();
    }
    return v;
  }

  /** Signals WRONGTYPE from deep inside a command; caught by {@link #guard}. */
  static final class WrongType extends RuntimeException {
    WrongType() {
      super(WRONGTYPE, null, false, false);
    }
  }

  private static Reply get(Commands c, Session s, List<String> a) {
    return guard(() -> Reply.bulk(c.string(s, a.get(1))));
  }

  static Reply guard(java.util.function.Supplier<Reply> body) {
    try {
      return body.get();
    } catch (WrongType e) {
      return Reply.error(WRONGTYPE);
    }
  }

  private static Reply set(Commands c, Session s, List<String> a) {
    boolean nx = false;
    boolean xx = false;
    boolean get = false;
    boolean keepTtl = false;
    String unit = null;
    String amountText = null;
    for (int i = 3; i < a.size(); i++) {
      String opt = a.get(i);
      boolean hasNext = i + 1 < a.size();
      if (eq(opt, "nx") && !xx) {
        nx = true;
      } else if (eq(opt, "xx") && !nx) {
        xx = true;
      } else if (eq(opt, "get")) {
        get = true;
      } else if (eq(opt, "keepttl") && unit == null) {
        keepTtl = true;
      } else if ((eq(opt, "ex") || eq(opt, "px") || eq(opt, "exat") || eq(opt, "pxat"))
          && !keepTtl && (unit == null || eq(opt, unit)) && hasNext) {
        unit = opt.toLowerCase(Locale.ROOT); // the same option again is allowed: the last amount counts
        amountText = a.get(++i);
      } else {
        return Reply.error(SYNTAX);
      }
    }
    long expireAt = 0;
    if (unit != null) {
      Long amount = parseLong(amountText);
      if (amount == null) {
        return Reply.error(NOT_INTEGER);
      }
      if (amount <= 0) {
        return Reply.error("ERR invalid expire time in 'set' command");
      }
      try {
        expireAt = switch (unit) {
          case "ex" -> Math.addExact(Math.multiplyExact(amount, 1000L), c.keyspace.now());
          case "px" -> Math.addExact(amount, c.keyspace.now());
          case "exat" -> Math.multiplyExact(amount, 1000L);
          default -> amount;
        };
      } catch (ArithmeticException e) {
        return Reply.error("ERR invalid expire time in 'set' command");
      }
    }
    String key = a.get(1);
    Keyspace.Entry e = c.keyspace.lookup(s.db, key);
    String old = null;
    if (get && e != null) {
      if (!(e.value instanceof String v)) {
        return Reply.error(WRONGTYPE);
      }
      old = v;
    }
    if ((nx && e != null) || (xx && e == null)) {
      return get ? Reply.bulk(old) : Reply.NULL;
    }
    if (keepTtl && e != null) {
      expireAt = e.expireAtMs;
    }
    if (unit != null && expireAt <= c.keyspace.now()) {
      c.keyspace.remove(s.db, key); // EXAT/PXAT in the past: set and gone at once
    } else {
      c.keyspace.put(s.db, key, a.get(2), expireAt);
    }
    return get ? Reply.bulk(old) : Reply.OK;
  }

  private static Reply setnx(Commands c, Session s, List<String> a) {
    if (c.keyspace.lookup(s.db, a.get(1)) != null) {
      return Reply.ZERO;
    }
    c.keyspace.put(s.db, a.get(1), a.get(2), 0);
    return Reply.ONE;
  }

  private Reply setex(Session s, List<String> a, long unitMs, String name) {
    Long amount = parseLong(a.get(2));
    if (amount == null) {
      return Reply.error(NOT_INTEGER);
    }
    if (amount <= 0) {
      return Reply.error("ERR invalid expire time in '" + name + "' command");
    }
    long when;
    try {
      when = Math.addExact(Math.multiplyExact(amount, unitMs), keyspace.now());
    } catch (ArithmeticException e) {
      return Reply.error("ERR invalid expire time in '" + name + "' command");
    }
    keyspace.put(s.db, a.get(1), a.get(3), when);
    return Reply.OK;
  }

  private static Reply getset(Commands c, Session s, List<String> a) {
    return guard(() -> {
      String old = c.string(s, a.get(1));
      c.keyspace.put(s.db, a.get(1), a.get(2), 0);
      return Reply.bulk(old);
    });
  }

  private static Reply getdel(Commands c, Session s, List<String> a) {
    return guard(() -> {
      String old = c.string(s, a.get(1));
      if (old != null) {
        c.keyspace.remove(s.db, a.get(1));
      }
      return Reply.bulk(old);
    });
  }

  private static Reply mget(Commands c, Session s, List<String> a) {
    List<Reply> out = new ArrayList<>(a.size() - 1);
    for (int i = 1; i < a.size(); i++) {
      Keyspace.Entry e = c.keyspace.lookup(s.db, a.get(i));
      out.add(e != null && e.value instanceof String v ? Reply.bulk(v) : Reply.NULL);
    }
    return new Reply.Array(out);
  }

  private static Reply mset(Commands c, Session s, List<String> a) {
    if (a.size() % 2 == 0) {
      return Reply.error(arityError("mset"));
    }
    for (int i = 1; i < a.size(); i += 2) {
      c.keyspace.put(s.db, a.get(i), a.get(i + 1), 0);
    }
    return Reply.OK;
  }

  private static Reply append(Commands c, Session s, List<String> a) {
    return guard(() -> {
      Keyspace.Entry e = c.keyspace.lookup(s.db, a.get(1));
      if (e == null) {
        c.keyspace.put(s.db, a.get(1), a.get(2), 0);
        return new Reply.Int(a.get(2).length());
      }
      if (!(e.value instanceof String v)) {
        throw new WrongType();
      }
      e.value = v + a.get(2);
      return new Reply.Int(((String) e.value).length());
    });
  }

  private static Reply strlen(Commands c, Session s, List<String> a) {
    return guard(() -> {
      String v = c.string(s, a.get(1));
      return new Reply.Int(v == null ? 0 : v.length());
    });
  }

  private static Reply incrby(Commands c, Session s, List<String> a) {
    Long by = parseLong(a.get(2));
    return by == null ? Reply.error(NOT_INTEGER) : c.incrBy(s, a.get(1), by);
  }

  private static Reply decrby(Commands c, Session s, List<String> a) {
    Long by = parseLong(a.get(2));
    if (by == null) {
      return Reply.error(NOT_INTEGER);
    }
    if (by == Long.MIN_VALUE) {
      return Reply.error("ERR decrement would overflow");
    }
    return c.incrBy(s, a.get(1), -by);
  }

  private Reply incrBy(Session s, String key, long by) {
    Keyspace.Entry e = keyspace.lookup(s.db, key);
    long current = 0;
    if (e != null) {
      if (!(e.value instanceof String v)) {
        return Reply.error(WRONGTYPE);
      }
      Long parsed = parseLong(v);
      if (parsed == null) {
        return Reply.error(NOT_INTEGER);
      }
      current = parsed;
    }
    long next;
    try {
      next = Math.addExact(current, by);
    } catch (ArithmeticException overflow) {
      return Reply.error(OVERFLOW);
    }
    if (e == null) {
      keyspace.put(s.db, key, Long.toString(next), 0);
    } else {
      e.value = Long.toString(next); // the TTL stays, as in redis-server
    }
    return new Reply.Int(next);
  }

  /** In long double, as redis-server: the key's type, then its value, then the increment are checked. */
  private static Reply incrbyfloat(Commands c, Session s, List<String> a) {
    String key = a.get(1);
    Keyspace.Entry e = c.keyspace.lookup(s.db, key);
    BigDecimal current = BigDecimal.ZERO;
    if (e != null) {
      if (!(e.value instanceof String v)) {
        return Reply.error(WRONGTYPE);
      }
      current = LongDouble.parse(v);
      if (current == null) {
        return Reply.error(NOT_FLOAT);
      }
    }
    BigDecimal by = LongDouble.parse(a.get(2));
    if (by == null) {
      return Reply.error(NOT_FLOAT);
    }
    BigDecimal next = LongDouble.add(current, by);
    if (next == LongDouble.INFINITE) {
      return Reply.error("ERR increment would produce NaN or Infinity");
    }
    String text = LongDouble.format(next);
    if (e == null) {
      c.keyspace.put(s.db, key, text, 0);
    } else {
      e.value = text;
    }
    return Reply.bulk(text);
  }

  /** As redis-server prints INCRBYFLOAT results: plain decimal, no exponent, no trailing zeros. */
  static String formatDouble(double d) {
    if (d == 0) {
      return "0";
    }
    String plain = new BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
    return plain;
  }

  // --- hashes

  /** The hash at {@code key}, null when absent; WrongType for another type. */
  @SuppressWarnings("unchecked")
  Map<String, String> hash(Session s, String key, boolean create) {
    Keyspace.Entry e = keyspace.lookup(s.db, key);
    if (e == null) {
      if (!create) {
        return null;
      }
      Map<String, String> h = new LinkedHashMap<>();
      keyspace.put(s.db, key, h, 0);
      return h;
    }
    if (!(e.value instanceof Map)) {
      throw new WrongType();
    }
    return (Map<String, String>) e.value;
  }

  private Reply hset(Session s, List<String> a, boolean hmset) {
    if (a.size() % 2 == 1) {
      return Reply.error(arityError(hmset ? "hmset" : "hset"));
    }
    return guard(() -> {
      Map<String, String> h = hash(s, a.get(1), true);
      long added = 0;
      for (int i = 2; i < a.size(); i += 2) {
        if (h.put(a.get(i), a.get(i + 1)) == null) {
          added++;
        }
      }
      return hmset ? Reply.OK : new Reply.Int(added);
    });
  }

  private static Reply hsetnx(Commands c, Session s, List<String> a) {
    return guard(() -> {
      Map<String, String> h = c.hash(s, a.get(1), true);
      return h.putIfAbsent(a.get(2), a.get(3)) == null ? Reply.ONE : Reply.ZERO;
    });
  }

  private static Reply hget(Commands c, Session s, List<String> a) {
    return guard(() -> {
      Map<String, String> h = c.hash(s, a.get(1), false);
      return Reply.bulk(h == null ? null : h.get(a.get(2)));
    });
  }

  private static Reply hmget(Commands c, Session s, List<String> a) {
    return guard(() -> {
      Map<String, String> h = c.hash(s, a.get(1), false);
      List<Reply> out = new ArrayList<>();
      for (int i = 2; i < a.size(); i++) {
        out.add(Reply.bulk(h == null ? null : h.get(a.get(i))));
      }
      return new Reply.Array(out);
    });
  }

  private static Reply hgetall(Commands c, Session s, List<String> a) {
    return c.hashView(s, a, 3);
  }

  /** HKEYS (1), HVALS (2) or HGETALL (3). */
  private Reply hashView(Session s, List<String> a, int what) {
    return guard(() -> {
      Map<String, String> h = hash(s, a.get(1), false);
      List<String> out = new ArrayList<>();
      if (h != null) {
        for (Map.Entry<String, String> f : h.entrySet()) {
          if ((what & 1) != 0) {
            out.add(f.getKey());
          }
          if ((what & 2) != 0) {
            out.add(f.getValue());
          }
        }
      }
      return what == 3 ? new Reply.Pairs(Reply.bulkList(out)) : Reply.bulks(out);
    });
  }

  private static Reply hdel(Commands c, Session s, List<String> a) {
    return guard(() -> {
      Map<String, String> h = c.hash(s, a.get(1), false);
      if (h == null) {
        return Reply.ZERO;
      }
      long n = 0;
      for (int i = 2; i < a.size(); i++) {
        if (h.remove(a.get(i)) != null) {
          n++;
        }
      }
      c.keyspace.dropIfEmpty(s.db, a.get(1), c.keyspace.lookup(s.db, a.get(1)));
      return new Reply.Int(n);
    });
  }

  private static Reply hexists(Commands c, Session s, List<String> a) {
    return guard(() -> {
      Map<String, String> h = c.hash(s, a.get(1), false);
      return h != null && h.containsKey(a.get(2)) ? Reply.ONE : Reply.ZERO;
    });
  }

  private static Reply hlen(Commands c, Session s, List<String> a) {
    return guard(() -> {
      Map<String, String> h = c.hash(s, a.get(1), false);
      return new Reply.Int(h == null ? 0 : h.size());
    });
  }

  private static Reply hincrby(Commands c, Session s, List<String> a) {
    Long by = parseLong(a.get(3));
    if (by == null) {
      return Reply.error(NOT_INTEGER);
    }
    return guard(() -> {
      Map<String, String> existing = c.hash(s, a.get(1), false);
      long current = 0;
      String old = existing == null ? null : existing.get(a.get(2));
      if (old != null) {
        Long parsed = parseLong(old);
        if (parsed == null) {
          return Reply.error("ERR hash value is not an integer");
        }
        current = parsed;
      }
      long next;
      try {
        next = Math.addExact(current, by);
      } catch (ArithmeticException overflow) {
        return Reply.error(OVERFLOW);
      }
      c.hash(s, a.get(1), true).put(a.get(2), Long.toString(next));
      return new Reply.Int(next);
    });
  }

  // --- lists

  RedisList list(Session s, String key) {
    Keyspace.Entry e = keyspace.lookup(s.db, key);
    if (e == null) {
      return null;
    }
    if (!(e.value instanceof RedisList l)) {
      throw new WrongType();
    }
    return l;
  }

  private Reply push(Session s, List<String> a, boolean left) {
    return guard(() -> {
      RedisList l = list(s, a.get(1));
      if (l == null) {
        l = new RedisList();
        keyspace.put(s.db, a.get(1), l, 0);
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

  private Reply pop(Session s, List<String> a, boolean left) {
    if (a.size() > 3) {
      return Reply.error(arityError(left ? "lpop" : "rpop"));
    }
    boolean counted = a.size() == 3;
    long count = 1;
    if (counted) {
      Long n = parseLong(a.get(2));
      if (n == null || n < 0) {
        return Reply.error(POSITIVE);
      }
      count = n;
    }
    long wanted = count;
    return guard(() -> {
      RedisList l = list(s, a.get(1));
      if (l == null) {
        return counted ? Reply.NULL_ARRAY : Reply.NULL;
      }
      if (!counted) {
        String v = left ? l.removeFirst() : l.removeLast();
        keyspace.dropIfEmpty(s.db, a.get(1), keyspace.lookup(s.db, a.get(1)));
        return Reply.bulk(v);
      }
      List<String> out = new ArrayList<>();
      for (long i = 0; i < wanted && l.size() > 0; i++) {
        out.add(left ? l.removeFirst() : l.removeLast());
      }
      keyspace.dropIfEmpty(s.db, a.get(1), keyspace.lookup(s.db, a.get(1)));
      return Reply.bulks(out);
    });
  }

  private static Reply lrange(Commands c, Session s, List<String> a) {
    Long start = parseLong(a.get(2));
    Long stop = parseLong(a.get(3));
    if (start == null || stop == null) {
      return Reply.error(NOT_INTEGER);
    }
    return guard(() -> {
      RedisList l = c.list(s, a.get(1));
      if (l == null) {
        return Reply.bulks(List.of());
      }
      long size = l.size();
      long from = start < 0 ? Math.max(0, size + start) : start;
      long to = stop < 0 ? size + stop : Math.min(stop, size - 1);
      if (from > to || from >= size) {
        return Reply.bulks(List.of());
      }
      return Reply.bulks(l.range((int) from, (int) to));
    });
  }

  private static Reply llen(Commands c, Session s, List<String> a) {
    return guard(() -> {
      RedisList l = c.list(s, a.get(1));
      return new Reply.Int(l == null ? 0 : l.size());
    });
  }

  /** The key and its type are checked before the index, as redis-server does. */
  private static Reply lindex(Commands c, Session s, List<String> a) {
    return guard(() -> {
      RedisList l = c.list(s, a.get(1));
      if (l == null) {
        return Reply.NULL;
      }
      Long index = parseLong(a.get(2));
      if (index == null) {
        return Reply.error(NOT_INTEGER);
      }
      long i = index < 0 ? l.size() + index : index;
      return i < 0 || i >= l.size() ? Reply.NULL : Reply.bulk(l.get((int) i));
    });
  }

  // --- parsing, as redis-server's string2ll and strtold accept

  private static final Pattern INTEGER = Pattern.compile("-?(0|[1-9][0-9]{0,19})");
  private static final Pattern FLOAT = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

  static Long parseLong(String s) {
    if (s == null || !INTEGER.matcher(s).matches() || s.equals("-0")) {
      return null;
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static Double parseDouble(String s) {
    if (s == null || !FLOAT.matcher(s).matches()) {
      return null;
    }
    double d = Double.parseDouble(s);
    return Double.isNaN(d) ? null : d;
  }

  static boolean eq(String s, String lower) {
    return s.equalsIgnoreCase(lower);
  }

  Keyspace keyspace() {
    return keyspace;
  }

  static boolean known(String name) {
    return TABLE.containsKey(Objects.requireNonNull(name).toLowerCase(Locale.ROOT));
  }
}
