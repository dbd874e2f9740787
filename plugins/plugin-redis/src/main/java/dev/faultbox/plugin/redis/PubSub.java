package dev.faultbox.plugin.redis;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One mock's pub/sub hub: channel → subscribed sessions and pattern ({@link Glob}) → sessions.
 * PUBLISH hands each receiver a {@link Reply.Push} through its session's {@code push} sink, which
 * writes it on that connection's own loop in its protocol (RESP2 array, RESP3 {@code >}). A RESP2
 * connection with subscriptions accepts only the pub/sub commands, PING, QUIT and RESET, as
 * redis-server 7. Used with the keyspace monitor held, like every command.
 */
final class PubSub {

  private final Keyspace keyspace;
  private final Map<String, Set<Session>> channels = new HashMap<>();
  private final Map<String, Set<Session>> patterns = new LinkedHashMap<>();

  PubSub(Keyspace keyspace) {
    this.keyspace = keyspace;
  }

  /** What a subscribed RESP2 connection may run. */
  private static final Set<String> ALLOWED = Set.of("subscribe", "unsubscribe", "psubscribe", "punsubscribe",
      "ssubscribe", "sunsubscribe", "ping", "quit", "reset");
  /** Commands with subcommands, named {@code container|sub} in errors as redis-server does. */
  private static final Set<String> CONTAINERS = Set.of("client", "config", "command", "function", "script",
      "pubsub", "object", "memory", "xinfo", "xgroup", "cluster", "acl", "slowlog", "latency", "module");

  static void define() {
    Commands.define("subscribe", -2, 1, (c, s, a) -> c.pubsub.subscribe(s, a, false));
    Commands.define("psubscribe", -2, 1, (c, s, a) -> c.pubsub.subscribe(s, a, true));
    Commands.define("unsubscribe", -1, 1, (c, s, a) -> c.pubsub.unsubscribe(s, a, false));
    Commands.define("punsubscribe", -1, 1, (c, s, a) -> c.pubsub.unsubscribe(s, a, true));
    Commands.define("publish", 3, 1, (c, s, a) -> new Reply.Int(c.pubsub.publish(a.get(1), a.get(2))));
    Commands.define("pubsub", -2, 0, (c, s, a) -> c.pubsub.pubsub(a));
    Commands.Spec ping = Commands.spec("ping");
    Commands.define("ping", -1, 0, (c, s, a) -> {
      if (!s.resp3 && subscribed(s) && a.size() <= 2) {
        return Reply.bulks(List.of("pong", a.size() == 2 ? a.get(1) : ""));
      }
      return ping.handler().run(c, s, a);
    });
    Commands.Spec reset = Commands.spec("reset");
    Commands.define("reset", 1, 0, (c, s, a) -> {
      c.pubsub.forget(s);
      return reset.handler().run(c, s, a);
    });
  }

  static boolean subscribed(Session s) {
    return !s.channels.isEmpty() || !s.patterns.isEmpty();
  }

  /** redis-server's refusal of a command a subscribed RESP2 connection may not run; null to run it. */
  static Reply denied(Session s, Commands.Spec spec, List<String> argv) {
    if (s.resp3 || !subscribed(s) || ALLOWED.contains(spec.name())) {
      return null;
    }
    String name = spec.name();
    if (CONTAINERS.contains(name) && argv.size() > 1) {
      name += "|" + argv.get(1).toLowerCase(Locale.ROOT);
    }
    return Reply.error("ERR Can't execute '" + name
        + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
  }

  private Reply subscribe(Session s, List<String> a, boolean pattern) {
    Set<String> mine = pattern ? s.patterns : s.channels;
    Map<String, Set<Session>> hub = pattern ? patterns : channels;
    List<Reply> replies = new ArrayList<>();
    for (int i = 1; i < a.size(); i++) {
      String name = a.get(i);
      if (mine.add(name)) {
        hub.computeIfAbsent(name, k -> new LinkedHashSet<>()).add(s);
      }
      replies.add(confirm(pattern ? "psubscribe" : "subscribe", name, s));
    }
    s.closers.putIfAbsent("pubsub", () -> {
      synchronized (keyspace) {
        forget(s);
      }
    });
    return new Reply.Many(replies);
  }

  private Reply unsubscribe(Session s, List<String> a, boolean pattern) {
    Set<String> mine = pattern ? s.patterns : s.channels;
    String kind = pattern ? "punsubscribe" : "unsubscribe";
    List<String> names = a.size() > 1 ? a.subList(1, a.size()) : new ArrayList<>(mine);
    if (names.isEmpty()) {
      return new Reply.Push(List.of(Reply.bulk(kind), Reply.NULL, new Reply.Int(count(s))));
    }
    List<Reply> replies = new ArrayList<>();
    for (String name : names) {
      remove(s, name, pattern);
      replies.add(confirm(kind, name, s));
    }
    return new Reply.Many(replies);
  }

  private void remove(Session s, String name, boolean pattern) {
    Set<String> mine = pattern ? s.patterns : s.channels;
    Map<String, Set<Session>> hub = pattern ? patterns : channels;
    if (mine.remove(name)) {
      Set<Session> sessions = hub.get(name);
      if (sessions != null) {
        sessions.remove(s);
        if (sessions.isEmpty()) {
          hub.remove(name);
        }
      }
    }
  }

  /** Drops every subscription of {@code s} without replies: RESET, or its connection closed. */
  void forget(Session s) {
    for (String name : new ArrayList<>(s.channels)) {
      remove(s, name, false);
    }
    for (String name : new ArrayList<>(s.patterns)) {
      remove(s, name, true);
    }
  }

  private static Reply confirm(String kind, String name, Session s) {
    return new Reply.Push(List.of(Reply.bulk(kind), Reply.bulk(name), new Reply.Int(count(s))));
  }

  private static int count(Session s) {
    return s.channels.size() + s.patterns.size();
  }

  /** Delivers {@code message}; the number of receivers, counting a session once per match as redis-server. */
  int publish(String channel, String message) {
    int receivers = 0;
    Set<Session> direct = channels.get(channel);
    if (direct != null) {
      Reply push = new Reply.Push(List.of(Reply.bulk("message"), Reply.bulk(channel), Reply.bulk(message)));
      for (Session s : direct) {
        deliver(s, push);
        receivers++;
      }
    }
    for (Map.Entry<String, Set<Session>> e : patterns.entrySet()) {
      if (!Glob.matches(e.getKey(), channel)) {
        continue;
      }
      Reply push = new Reply.Push(List.of(Reply.bulk("pmessage"), Reply.bulk(e.getKey()), Reply.bulk(channel),
          Reply.bulk(message)));
      for (Session s : e.getValue()) {
        deliver(s, push);
        receivers++;
      }
    }
    return receivers;
  }

  private static void deliver(Session s, Reply push) {
    if (s.push != null) {
      s.push.accept(push);
    }
  }

  private Reply pubsub(List<String> a) {
    String sub = a.get(1).toLowerCase(Locale.ROOT);
    int argc = a.size();
    switch (sub) {
      case "channels", "shardchannels" -> {
        if (argc > 3) {
          return Reply.error(Commands.arityError("pubsub|" + sub));
        }
        List<String> out = new ArrayList<>();
        if (sub.equals("channels")) {
          for (String ch : channels.keySet()) {
            if (argc == 2 || Glob.matches(a.get(2), ch)) {
              out.add(ch);
            }
          }
        }
        return Reply.bulks(out);
      }
      case "numsub", "shardnumsub" -> {
        List<Reply> out = new ArrayList<>();
        for (int i = 2; i < argc; i++) {
          Set<Session> sessions = sub.equals("numsub") ? channels.get(a.get(i)) : null;
          out.add(Reply.bulk(a.get(i)));
          out.add(new Reply.Int(sessions == null ? 0 : sessions.size()));
        }
        return new Reply.Array(out);
      }
      case "numpat" -> {
        if (argc != 2) {
          return Reply.error(Commands.arityError("pubsub|numpat"));
        }
        return new Reply.Int(patterns.size());
      }
      default -> {
        return Reply.error("ERR unknown subcommand '" + a.get(1) + "'. Try PUBSUB HELP.");
      }
    }
  }
}
