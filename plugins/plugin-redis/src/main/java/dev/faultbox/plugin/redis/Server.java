package dev.faultbox.plugin.redis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What clients and harnesses call at start: INFO, CONFIG, COMMAND, FUNCTION, RESET, and the clear
 * refusals for scripts and cluster commands. CONFIG keeps what CONFIG SET stored, per mock; none of
 * it changes how the mock behaves.
 */
final class Server {
  private Server() {}

  /** The redis-server release the mock answers as (its behaviour is checked against it). */
  static final String VERSION = "7.0.15";

  static final String NO_SCRIPTS = "ERR the Faultbox Redis mock does not run scripts";
  /** redis-server's own answer when cluster mode is off. */
  static final String NO_CLUSTER = "ERR This instance has cluster support disabled";

  static Map<String, String> defaultConfig(int databases) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("maxmemory", "0");
    c.put("maxmemory-policy", "noeviction");
    c.put("databases", Integer.toString(databases));
    c.put("timeout", "0");
    c.put("save", "");
    c.put("appendonly", "no");
    c.put("notify-keyspace-events", "");
    c.put("maxclients", "10000");
    c.put("port", "6379");
    c.put("bind", "* -::*");
    c.put("protected-mode", "no");
    c.put("slowlog-log-slower-than", "10000");
    c.put("lua-time-limit", "5000");
    c.put("cluster-enabled", "no");
    return c;
  }

  static void define() {
    for (String name : List.of("eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro")) {
      Commands.define(name, -3, 0, (c, s, a) -> Reply.error(NO_SCRIPTS));
    }
    Commands.define("script", -2, 0, (c, s, a) -> Reply.error(NO_SCRIPTS));
    Commands.define("cluster", -2, 0, (c, s, a) -> Reply.error(NO_CLUSTER));
    Commands.define("readonly", 1, 0, (c, s, a) -> Reply.error(NO_CLUSTER));
    Commands.define("readwrite", 1, 0, (c, s, a) -> Reply.error(NO_CLUSTER));
    Commands.define("asking", 1, 0, (c, s, a) -> Reply.error(NO_CLUSTER));
    Commands.define("function", -2, 0, Server::function);
    Commands.define("command", -1, 0, Server::command);
    Commands.define("config", -2, 0, Server::config);
    Commands.define("info", -1, 0, Server::info);
    Commands.define("reset", 1, 0, (c, s, a) -> {
      s.db = 0;
      s.queued = null;
      s.dirty = false;
      s.watched.clear();
      s.name = "";
      s.resp3 = false;
      s.replyOff = false;
      s.skipReplies = 0;
      s.authenticated = c.password == null;
      return new Reply.Simple("RESET");
    });
  }

  private static Reply function(Commands c, Session s, List<String> a) {
    String sub = a.get(1).toLowerCase(Locale.ROOT);
    return switch (sub) {
      case "flush" -> Reply.OK;
      case "list" -> new Reply.Array(List.of());
      case "stats" -> new Reply.Array(List.of(
          Reply.bulk("running_script"), Reply.NULL,
          Reply.bulk("engines"), new Reply.Array(List.of(Reply.bulk("LUA"), new Reply.Array(List.of(
              Reply.bulk("libraries_count"), Reply.ZERO, Reply.bulk("functions_count"), Reply.ZERO))))));
      case "load", "delete", "restore", "dump", "kill" -> Reply.error(NO_SCRIPTS);
      default -> Reply.error("ERR unknown subcommand '" + a.get(1) + "'. Try FUNCTION HELP.");
    };
  }

  private static Reply command(Commands c, Session s, List<String> a) {
    if (a.size() == 1) {
      return new Reply.Array(List.of());
    }
    String sub = a.get(1).toLowerCase(Locale.ROOT);
    return switch (sub) {
      case "count" -> a.size() == 2 ? new Reply.Int(Commands.count()) : Reply.error(Commands.arityError("command|count"));
      case "docs" -> new Reply.Pairs(List.of());
      case "info" -> {
        List<Reply> out = new ArrayList<>();
        for (int i = 2; i < a.size(); i++) {
          Commands.Spec spec = Commands.spec(a.get(i));
          out.add(spec == null ? Reply.NULL_ARRAY : new Reply.Array(List.of(Reply.bulk(spec.name()),
              new Reply.Int(spec.arity()), new Reply.Array(List.of()), new Reply.Int(spec.firstKey()),
              new Reply.Int(spec.firstKey()), new Reply.Int(spec.firstKey() == 0 ? 0 : 1))));
        }
        yield new Reply.Array(out);
      }
      default -> Reply.error("ERR unknown subcommand '" + a.get(1) + "'. Try COMMAND HELP.");
    };
  }

  private static Reply config(Commands c, Session s, List<String> a) {
    String sub = a.get(1).toLowerCase(Locale.ROOT);
    switch (sub) {
      case "get" -> {
        if (a.size() < 3) {
          return Reply.error(Commands.arityError("config|get"));
        }
        Map<String, String> found = new LinkedHashMap<>();
        java.util.Set<String> seen = new java.util.HashSet<>(); // parameters are caseless: each once
        for (int i = 2; i < a.size(); i++) {
          String pattern = a.get(i).toLowerCase(Locale.ROOT);
          if (!pattern.contains("[") && !pattern.contains("*") && !pattern.contains("?")) {
            // Not a glob: redis-server answers with the name as the client wrote it.
            if (c.config.containsKey(pattern) && seen.add(pattern)) {
              found.put(a.get(i), c.config.get(pattern));
            }
            continue;
          }
          c.config.forEach((k, v) -> {
            if (Glob.matches(pattern, k) && seen.add(k)) {
              found.put(k, v);
            }
          });
        }
        List<String> flat = new ArrayList<>();
        found.forEach((k, v) -> {
          flat.add(k);
          flat.add(v);
        });
        return new Reply.Pairs(Reply.bulkList(flat));
      }
      case "set" -> {
        if (a.size() < 4 || a.size() % 2 == 1) {
          return Reply.error(Commands.arityError("config|set"));
        }
        for (int i = 2; i < a.size(); i += 2) {
          if (!c.config.containsKey(a.get(i).toLowerCase(Locale.ROOT))) {
            return Reply.error("ERR Unknown option or number of arguments for CONFIG SET - '" + a.get(i) + "'");
          }
        }
        for (int i = 2; i < a.size(); i += 2) {
          c.config.put(a.get(i).toLowerCase(Locale.ROOT), a.get(i + 1));
        }
        return Reply.OK;
      }
      case "resetstat" -> {
        return a.size() == 2 ? Reply.OK : Reply.error(Commands.arityError("config|resetstat"));
      }
      default -> {
        return Reply.error("ERR unknown subcommand '" + a.get(1) + "'. Try CONFIG HELP.");
      }
    }
  }

  private static Reply info(Commands c, Session s, List<String> a) {
    StringBuilder b = new StringBuilder();
    b.append("# Server\r\nredis_version:" + VERSION + "\r\nredis_mode:standalone\r\nos:Faultbox mock\r\n")
        .append("tcp_port:6379\r\n\r\n");
    b.append("# Clients\r\nconnected_clients:").append(c.clients.size()).append("\r\n\r\n");
    b.append("# Memory\r\nused_memory:1048576\r\nmaxmemory:").append(c.config.get("maxmemory"))
        .append("\r\nmaxmemory_policy:").append(c.config.get("maxmemory-policy")).append("\r\n\r\n");
    b.append("# Persistence\r\nloading:0\r\n\r\n");
    b.append("# Replication\r\nrole:master\r\nconnected_slaves:0\r\n\r\n");
    b.append("# Keyspace\r\n");
    for (int db = 0; db < c.keyspace.databases(); db++) {
      int keys = c.keyspace.size(db);
      if (keys > 0) {
        b.append("db").append(db).append(":keys=").append(keys).append(",expires=")
            .append(c.keyspace.expiring(db)).append(",avg_ttl=0\r\n");
      }
    }
    return new Reply.Verbatim(b.toString());
  }
}
