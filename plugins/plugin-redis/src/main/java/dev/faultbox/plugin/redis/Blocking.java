package dev.faultbox.plugin.redis;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Clients blocked on keys (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, XREAD BLOCK, XREADGROUP BLOCK), and
 * LMOVE/RPOPLPUSH. A command that cannot be served at once registers a {@link Waiter} per key, in
 * FIFO order, and answers {@link Reply.Blocked}; after every command (EXEC included) the waiters
 * on keys that exist are retried under the keyspace monitor, the longest-waiting first, so a
 * pushed element goes to the client that waited longest, as in redis-server. Retrying every
 * waited key, rather than tracking which commands write which key, keeps every writing command
 * (RENAME, COPY, the ones still to come) correct without knowing about blocking. Not thread-safe:
 * used with the keyspace monitor held.
 */
final class Blocking {

  static final String NOT_FLOAT = "ERR timeout is not a float or out of range";
  static final String NEGATIVE = "ERR timeout is negative";

  /** Tries to serve a blocked client when {@code key} may be ready: its reply, or null to keep waiting. */
  @FunctionalInterface
  interface Attempt {
    Reply serve(String key);
  }

  private record DbKey(int db, String key) {}

  private static final class Waiter {
    final Session session;
    final List<String> keys;
    final Attempt attempt;
    final CompletableFuture<Reply> reply = new CompletableFuture<>();
    ScheduledFuture<?> timer;
    boolean done;

    Waiter(Session session, List<String> keys, Attempt attempt) {
      this.session = session;
      this.keys = keys;
      this.attempt = attempt;
    }
  }

  private final Commands commands;
  private final Map<DbKey, ArrayDeque<Waiter>> byKey = new LinkedHashMap<>();
  private final Map<Session, Waiter> bySession = new java.util.HashMap<>();

  Blocking(Commands commands) {
    this.commands = commands;
  }

  /** How many clients are blocked (for INFO and tests). */
  int blocked() {
    return bySession.size();
  }

  /**
   * Blocks {@code s} on {@code keys} for {@code timeoutMs} (0: forever), answering {@code onTimeout}
   * when it expires. Inside EXEC a client never blocks: {@code onTimeout} is the answer at once.
   */
  Reply block(Session s, List<String> keys, long timeoutMs, Reply onTimeout, Attempt attempt) {
    if (commands.inExec) {
      return onTimeout;
    }
    Waiter w = new Waiter(s, List.copyOf(keys), attempt);
    for (String key : w.keys) {
      byKey.computeIfAbsent(new DbKey(s.db, key), k -> new ArrayDeque<>()).add(w);
    }
    bySession.put(s, w);
    s.closers.putIfAbsent("blocking", () -> {
      synchronized (commands.keyspace) {
        Waiter gone = bySession.get(s);
        if (gone != null) {
          forget(gone);
        }
      }
    });
    if (timeoutMs > 0 && s.loop != null) {
      w.timer = s.loop.schedule(() -> {
        synchronized (commands.keyspace) {
          if (w.done) {
            return;
          }
          forget(w);
        }
        w.reply.complete(onTimeout);
      }, timeoutMs, TimeUnit.MILLISECONDS);
    }
    return new Reply.Blocked(w.reply);
  }

  /** Retries the waiters on every existing waited key until none can be served; after each command. */
  void wake() {
    boolean progress = !byKey.isEmpty();
    while (progress) {
      progress = false;
      for (DbKey k : new ArrayList<>(byKey.keySet())) {
        ArrayDeque<Waiter> queue = byKey.get(k);
        if (queue == null || commands.keyspace.lookup(k.db(), k.key()) == null) {
          continue;
        }
        for (Waiter w : new ArrayList<>(queue)) {
          if (w.done) {
            continue;
          }
          Reply r = w.attempt.serve(k.key()); // a blocked session runs nothing else: its db is k's
          if (r != null) {
            forget(w);
            complete(w, r);
            progress = true;
          }
        }
      }
    }
  }

  private void forget(Waiter w) {
    w.done = true;
    bySession.remove(w.session, w);
    for (String key : w.keys) {
      DbKey k = new DbKey(w.session.db, key);
      ArrayDeque<Waiter> queue = byKey.get(k);
      if (queue != null) {
        queue.remove(w);
        if (queue.isEmpty()) {
          byKey.remove(k);
        }
      }
    }
    if (w.timer != null) {
      w.timer.cancel(false);
    }
  }

  /** Completes on the waiter's own loop, never inside the monitor: its reply is written from there. */
  private static void complete(Waiter w, Reply r) {
    if (w.session.loop == null) {
      w.reply.complete(r);
      return;
    }
    try {
      w.session.loop.execute(() -> w.reply.complete(r));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // the loop is gone with its connection: nobody reads this reply
    }
  }

  /** A BLPOP-style timeout in seconds (fractions allowed) as milliseconds, or null after an error reply. */
  static Long seconds(String text, Reply[] error) {
    Double d = Commands.parseDouble(text);
    if (d == null) {
      error[0] = Reply.error(NOT_FLOAT);
      return null;
    }
    double ms = Math.ceil(d * 1000);
    if (ms < 0 || ms >= 9.2e18) { // redis-server 7.0 casts an out-of-range timeout to a negative one
      error[0] = Reply.error(NEGATIVE);
      return null;
    }
    return (long) ms;
  }

  // --- the list commands

  static void define() {
    Commands.define("blpop", -3, 1, (c, s, a) -> bpop(c, s, a, true));
    Commands.define("brpop", -3, 1, (c, s, a) -> bpop(c, s, a, false));
    Commands.define("lmove", 5, 1, (c, s, a) -> lmove(c, s, a, a.get(3), a.get(4), null));
    Commands.define("rpoplpush", 3, 1, (c, s, a) -> lmove(c, s, a, "right", "left", null));
    Commands.define("blmove", 6, 1, (c, s, a) -> lmove(c, s, a, a.get(3), a.get(4), a.get(5)));
    Commands.define("brpoplpush", 4, 1, (c, s, a) -> lmove(c, s, a, "right", "left", a.get(3)));
  }

  private static Reply bpop(Commands c, Session s, List<String> a, boolean left) {
    Reply[] error = new Reply[1];
    Long timeout = seconds(a.get(a.size() - 1), error);
    if (timeout == null) {
      return error[0];
    }
    List<String> keys = a.subList(1, a.size() - 1);
    try {
      for (String key : keys) {
        RedisList l = c.list(s, key);
        if (l != null) {
          return popFrom(c, s, key, l, left);
        }
      }
    } catch (Commands.WrongType e) {
      return Reply.error(Commands.WRONGTYPE);
    }
    return c.blocking.block(s, keys, timeout, Reply.NULL_ARRAY, key -> {
      Keyspace.Entry e = c.keyspace.lookup(s.db, key);
      return e != null && e.value instanceof RedisList l ? popFrom(c, s, key, l, left) : null;
    });
  }

  private static Reply popFrom(Commands c, Session s, String key, RedisList l, boolean left) {
    String v = left ? l.removeFirst() : l.removeLast();
    c.keyspace.dropIfEmpty(s.db, key, c.keyspace.lookup(s.db, key));
    return Reply.bulks(List.of(key, v));
  }

  /** LMOVE and its forms; {@code timeoutText} null for the non-blocking ones. */
  private static Reply lmove(Commands c, Session s, List<String> a, String from, String to, String timeoutText) {
    Boolean fromLeft = side(from);
    Boolean toLeft = side(to);
    if (fromLeft == null || toLeft == null) {
      return Reply.error(Commands.SYNTAX);
    }
    Long timeout = 0L;
    if (timeoutText != null) {
      Reply[] error = new Reply[1];
      timeout = seconds(timeoutText, error);
      if (timeout == null) {
        return error[0];
      }
    }
    String source = a.get(1);
    String destination = a.get(2);
    Reply now = Commands.guard(() -> move(c, s, source, destination, fromLeft, toLeft));
    if (now != null) {
      return now;
    }
    if (timeoutText == null || c.inExec) {
      return Reply.NULL;
    }
    return c.blocking.block(s, List.of(source), timeout, Reply.NULL_ARRAY, key -> {
      Keyspace.Entry e = c.keyspace.lookup(s.db, key);
      if (e == null || !(e.value instanceof RedisList)) {
        return null;
      }
      return Commands.guard(() -> move(c, s, source, destination, fromLeft, toLeft));
    });
  }

  /** Moves one element; null when the source is empty. Throws WrongType as redis-server checks. */
  private static Reply move(Commands c, Session s, String source, String destination, boolean fromLeft, boolean toLeft) {
    RedisList l = c.list(s, source);
    if (l == null) {
      return null;
    }
    RedisList target = c.list(s, destination);
    String v = fromLeft ? l.removeFirst() : l.removeLast();
    if (target == null) {
      target = new RedisList();
      c.keyspace.put(s.db, destination, target, 0);
    }
    if (toLeft) {
      target.addFirst(v);
    } else {
      target.addLast(v);
    }
    Keyspace.Entry e = c.keyspace.lookup(s.db, source);
    if (e != null) {
      c.keyspace.dropIfEmpty(s.db, source, e);
    }
    return Reply.bulk(v);
  }

  private static Boolean side(String text) {
    return Commands.eq(text, "left") ? Boolean.TRUE : Commands.eq(text, "right") ? Boolean.FALSE : null;
  }
}
