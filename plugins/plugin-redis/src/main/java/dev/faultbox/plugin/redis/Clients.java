package dev.faultbox.plugin.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The connections of one mock, for CLIENT LIST, INFO and KILL; sessions join when their channel
 * opens and leave when it closes. Also the CLIENT subcommands beyond those {@link Commands}
 * answers (SETNAME GETNAME ID SETINFO): INFO LIST KILL PAUSE UNPAUSE NO-EVICT REPLY.
 */
final class Clients {

  private final Map<Long, Session> sessions = new ConcurrentSkipListMap<>();

  void join(Session s) {
    sessions.put(s.id, s);
  }

  void leave(Session s) {
    sessions.remove(s.id);
  }

  int size() {
    return sessions.size();
  }

  /** Commands whose reply names them with their subcommand, as CLIENT LIST's cmd= does. */
  private static final Set<String> CONTAINERS = Set.of("client", "config", "object", "command", "function",
      "script", "cluster", "memory", "xinfo", "acl", "pubsub", "latency", "slowlog", "module", "debug");

  /** What CLIENT LIST shows as cmd=: "get", "client|list", "NULL" before any command. */
  static String commandName(List<String> argv) {
    Commands.Spec spec = Commands.spec(argv.get(0));
    if (spec == null) {
      return "NULL";
    }
    if (CONTAINERS.contains(spec.name()) && argv.size() > 1) {
      return spec.name() + "|" + argv.get(1).toLowerCase(Locale.ROOT);
    }
    return spec.name();
  }

  static void define() {
    Commands.Spec base = Commands.spec("client");
    Commands.define("client", -2, 0, (c, s, a) -> {
      String sub = a.get(1).toLowerCase(Locale.ROOT);
      return switch (sub) {
        case "info" -> a.size() == 2 ? new Reply.Verbatim(line(s)) : Reply.error(Commands.arityError("client|info"));
        case "list" -> list(c, s, a);
        case "kill" -> kill(c, s, a);
        case "pause" -> pause(a);
        case "unpause" -> a.size() == 2 ? Reply.OK : Reply.error(Commands.arityError("client|unpause"));
        case "no-evict" -> a.size() != 3 ? Reply.error(Commands.arityError("client|no-evict"))
            : Commands.eq(a.get(2), "on") || Commands.eq(a.get(2), "off") ? Reply.OK : Reply.error(Commands.SYNTAX);
        case "reply" -> reply(s, a);
        default -> base.handler().run(c, s, a);
      };
    });
  }

  /** One connection as redis-server 7.0 describes it (buffer figures are plausible constants). */
  static String line(Session s) {
    long now = System.currentTimeMillis();
    String flags = s.queued != null ? "x" : !s.channels.isEmpty() || !s.patterns.isEmpty() ? "P" : "N";
    return "id=" + s.id + " addr=" + s.addr + " laddr=" + s.laddr + " fd=" + (7 + s.id % 1000) + " name=" + s.name
        + " age=" + (now - s.createdMs) / 1000 + " idle=" + (now - s.lastMs) / 1000 + " flags=" + flags
        + " db=" + s.db + " sub=" + s.channels.size() + " psub=" + s.patterns.size() + " ssub=0 multi=" + (s.queued == null ? -1 : s.queued.size())
        + " qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=16384 rbp=16384 obl=0 oll=0 omem=0 tot-mem=37658"
        + " events=r cmd=" + (s.lastArgv == null ? "NULL" : commandName(s.lastArgv)) + " user=default redir=-1 resp=" + (s.resp3 ? 3 : 2) + "\n";
  }

  private static Reply list(Commands c, Session s, List<String> a) {
    List<Long> ids = null;
    boolean none = false;
    if (a.size() == 4 && Commands.eq(a.get(2), "type")) {
      String type = a.get(3).toLowerCase(Locale.ROOT);
      if (!List.of("normal", "master", "replica", "slave", "pubsub").contains(type)) {
        return Reply.error("ERR Unknown client type '" + a.get(3) + "'");
      }
      none = !type.equals("normal"); // the mock has no replicas; pub/sub clients are listed as normal
    } else if (a.size() > 3 && Commands.eq(a.get(2), "id")) {
      ids = new ArrayList<>();
      for (int i = 3; i < a.size(); i++) {
        Long id = Commands.parseLong(a.get(i));
        if (id == null || id <= 0) {
          return Reply.error("ERR Invalid client ID");
        }
        ids.add(id);
      }
    } else if (a.size() != 2) {
      return Reply.error(Commands.SYNTAX);
    }
    StringBuilder b = new StringBuilder();
    for (Session other : c.clients.sessions.values()) {
      if (!none && (ids == null || ids.contains(other.id))) {
        b.append(line(other));
      }
    }
    return new Reply.Verbatim(b.toString());
  }

  /** CLIENT KILL addr (old form: OK or "No such client") or filters (ID TYPE ADDR LADDR USER SKIPME): a count. */
  private static Reply kill(Commands c, Session s, List<String> a) {
    if (a.size() == 3) {
      for (Session other : c.clients.sessions.values()) {
        if (other.addr.equals(a.get(2))) {
          return close(c.clients, s, other, Reply.OK);
        }
      }
      return Reply.error("ERR No such client");
    }
    if (a.size() % 2 != 0) {
      return Reply.error(Commands.SYNTAX);
    }
    Long id = null;
    String addr = null;
    String laddr = null;
    boolean skipMe = true;
    boolean none = false;
    for (int i = 2; i < a.size(); i += 2) {
      String opt = a.get(i).toLowerCase(Locale.ROOT);
      String v = a.get(i + 1);
      switch (opt) {
        case "id" -> {
          id = Commands.parseLong(v);
          if (id == null || id <= 0) {
            return Reply.error("ERR client-id should be greater than 0");
          }
        }
        case "type" -> {
          String type = v.toLowerCase(Locale.ROOT);
          if (!List.of("normal", "master", "replica", "slave", "pubsub").contains(type)) {
            return Reply.error("ERR Unknown client type '" + v + "'");
          }
          none |= !type.equals("normal");
        }
        case "addr" -> addr = v;
        case "laddr" -> laddr = v;
        case "user" -> {
          if (!v.equals("default")) {
            return Reply.error("ERR No such user '" + v + "'");
          }
        }
        case "skipme" -> {
          if (Commands.eq(v, "yes")) {
            skipMe = true;
          } else if (Commands.eq(v, "no")) {
            skipMe = false;
          } else {
            return Reply.error(Commands.SYNTAX);
          }
        }
        default -> {
          return Reply.error(Commands.SYNTAX);
        }
      }
    }
    long killed = 0;
    boolean self = false;
    for (Session other : c.clients.sessions.values()) {
      if (none || (id != null && other.id != id) || (addr != null && !other.addr.equals(addr))
          || (laddr != null && !other.laddr.equals(laddr)) || (skipMe && other == s)) {
        continue;
      }
      killed++;
      if (other == s) {
        self = true;
      } else {
        close(c.clients, s, other, null);
      }
    }
    Reply count = new Reply.Int(killed);
    return self ? new Reply.ThenClose(count) : count;
  }

  /**
   * Closes {@code other}'s connection; the caller's own closes after its reply. A killed client
   * leaves the list at once, as in redis-server, not when its channel's close lands.
   */
  private static Reply close(Clients clients, Session s, Session other, Reply reply) {
    if (other == s) {
      return new Reply.ThenClose(reply);
    }
    other.killed = true;
    clients.leave(other);
    Runnable closer = other.closer;
    if (closer != null) {
      closer.run();
    }
    return reply;
  }

  private static Reply pause(List<String> a) {
    if (a.size() != 3 && a.size() != 4) {
      return Reply.error(Commands.arityError("client|pause"));
    }
    Long ms = Commands.parseLong(a.get(2));
    if (ms == null) {
      return Reply.error("ERR timeout is not an integer or out of range");
    }
    if (ms < 0) {
      return Reply.error("ERR timeout is negative");
    }
    if (a.size() == 4 && !Commands.eq(a.get(3), "write") && !Commands.eq(a.get(3), "all")) {
      return Reply.error("ERR CLIENT PAUSE mode must be WRITE or ALL");
    }
    return Reply.OK; // accepted; the mock does not pause its clients
  }

  /** CLIENT REPLY ON|OFF|SKIP: OFF silences replies until ON; SKIP silences the next command's. */
  private static Reply reply(Session s, List<String> a) {
    if (a.size() != 3) {
      return Reply.error(Commands.arityError("client|reply"));
    }
    switch (a.get(2).toLowerCase(Locale.ROOT)) {
      case "on" -> {
        s.replyOff = false;
        s.skipReplies = 0;
      }
      case "off" -> s.replyOff = true;
      case "skip" -> s.skipReplies = s.replyOff ? 0 : 2; // this command's reply and the next one's
      default -> {
        return Reply.error(Commands.SYNTAX);
      }
    }
    return Reply.OK;
  }
}
