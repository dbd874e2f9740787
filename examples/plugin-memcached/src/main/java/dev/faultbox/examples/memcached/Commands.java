package dev.faultbox.examples.memcached;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * What the commands of the text protocol do to one running mock's {@link Store}: each
 * {@link Request} becomes an {@link Outcome}, the reply bytes and the fields of its event.
 * Thread-safe.
 */
final class Commands {

  /** What {@code version} answers: memcached's numbering, so clients that parse it are content. */
  static final String VERSION = "1.6.0";

  static final Set<String> KNOWN = Set.of("get", "gets", "set", "add", "replace", "append", "prepend", "cas",
      "delete", "incr", "decr", "touch", "flush_all", "version", "stats", "verbosity", "quit");

  private static final String BAD_FORMAT = "CLIENT_ERROR bad command line format";

  /**
   * A command's result.
   *
   * @param reply the bytes to send (nothing for {@code quit} or an unanswered command)
   * @param fields the event's fields, in a mutable map the caller may add to
   * @param close whether the connection closes after the reply
   */
  record Outcome(byte[] reply, Map<String, Object> fields, boolean close) {}

  private final Store store;
  private final LongSupplier clock;
  private final long startedAt;
  private final AtomicLong gets = new AtomicLong();
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong sets = new AtomicLong();
  final AtomicLong connections = new AtomicLong();
  final AtomicLong totalConnections = new AtomicLong();

  Commands(Store store, LongSupplier clock) {
    this.store = store;
    this.clock = clock;
    this.startedAt = clock.getAsLong();
  }

  /** The event op of a request: its command, or {@code unknown}. */
  static String op(Request r) {
    return KNOWN.contains(r.command()) ? r.command() : "unknown";
  }

  /** The keys a request names, as wire strings: every argument of a get, else the first. */
  static List<String> keys(Request r) {
    if (!KNOWN.contains(r.command()) || r.args().isEmpty()) {
      return List.of();
    }
    return switch (r.command()) {
      case "get", "gets" -> r.args();
      case "flush_all", "version", "stats", "verbosity", "quit" -> List.of();
      default -> List.of(r.args().get(0));
    };
  }

  /** The fields every event of {@code r} has: {@code command}, and {@code key} when it names any. */
  static Map<String, Object> describe(Request r) {
    Map<String, Object> fields = new LinkedHashMap<>();
    String command = r.command();
    fields.put("command", Keys.text(command.length() > 64 ? command.substring(0, 64) : command));
    List<String> keys = keys(r);
    if (!keys.isEmpty()) {
      fields.put("key", Keys.text(String.join(" ", keys)));
    }
    if (r.noreply()) {
      fields.put("noreply", true);
    }
    return fields;
  }

  /** A one-line (or, for a fault's answer, any) reply to {@code r}, in wire form, with its event fields. */
  static Outcome answer(Request r, String reply) {
    Map<String, Object> fields = describe(r);
    fields.put("result", Keys.text(reply));
    if (reply.startsWith("SERVER_ERROR ") || reply.startsWith("CLIENT_ERROR ")) {
      fields.put("error", Keys.text(reply.substring(reply.indexOf(' ') + 1)));
    } else if (reply.equals("ERROR")) {
      fields.put("error", KNOWN.contains(r.command()) ? "bad arguments" : "unknown command");
    }
    String text = reply.endsWith("\n") ? reply : reply + "\r\n";
    return new Outcome(text.getBytes(StandardCharsets.ISO_8859_1), fields, false);
  }

  Outcome run(Request r) {
    if (r.refusal() != null) {
      Outcome o = answer(r, r.refusal());
      return new Outcome(o.reply(), o.fields(), r.close());
    }
    List<String> a = r.args();
    return switch (r.command()) {
      case "get", "gets" -> retrieve(r, r.command().equals("gets"));
      case "set", "add", "replace", "append", "prepend", "cas" -> storage(r);
      case "delete" -> {
        // "delete <key> 0" is the old form of "delete <key>"; any other time is refused, as by memcached.
        boolean shaped = given(r) == 1 || given(r) == 2 && a.get(1).equals("0");
        yield shaped ? keyed(r, store.delete(a.get(0)), "DELETED") : answer(r, BAD_FORMAT);
      }
      case "incr", "decr" -> count(r);
      case "touch" -> {
        Long exptime = given(r) == 2 ? number(a.get(1), true) : null;
        yield exptime == null ? answer(r, BAD_FORMAT) : keyed(r, store.touch(a.get(0), exptime), "TOUCHED");
      }
      case "flush_all" -> {
        Long delay = given(r) == 0 ? Long.valueOf(0) : given(r) == 1 ? number(a.get(0), false) : null;
        if (delay == null) {
          yield answer(r, BAD_FORMAT);
        }
        store.flushAll(delay);
        yield answer(r, "OK");
      }
      // As memcached 1.6 does: version and quit ignore arguments, verbosity takes a level.
      case "version" -> answer(r, "VERSION " + VERSION);
      case "verbosity" -> a.isEmpty() || a.size() > 2 ? answer(r, "ERROR") : answer(r, "OK");
      case "stats" -> a.isEmpty() ? stats(r) : answer(r, "ERROR"); // only the general group is kept
      case "quit" -> new Outcome(new byte[0], describe(r), true);
      default -> answer(r, "ERROR");
    };
  }

  private Outcome retrieve(Request r, boolean withCas) {
    if (r.args().isEmpty()) {
      return answer(r, "ERROR");
    }
    if (r.args().stream().anyMatch(k -> k.length() > Keys.MAX_BYTES)) {
      return answer(r, BAD_FORMAT);
    }
    ByteArrayOutputStream reply = new ByteArrayOutputStream();
    int found = 0;
    int bytes = 0;
    for (String key : r.args()) {
      Store.Item item = store.get(key);
      gets.incrementAndGet();
      if (item == null) {
        continue;
      }
      found++;
      hits.incrementAndGet();
      bytes += item.value().length;
      String header = "VALUE " + key + " " + item.flags() + " " + item.value().length
          + (withCas ? " " + item.cas() : "") + "\r\n";
      reply.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
      reply.writeBytes(item.value());
      reply.writeBytes(new byte[] {'\r', '\n'});
    }
    reply.writeBytes("END\r\n".getBytes(StandardCharsets.ISO_8859_1));
    Map<String, Object> fields = describe(r);
    fields.put("hit", found == r.args().size());
    fields.put("hits", found);
    fields.put("bytes", bytes);
    return new Outcome(reply.toByteArray(), fields, false);
  }

  private Outcome storage(Request r) {
    List<String> a = r.args();
    boolean cas = r.command().equals("cas");
    int fixed = cas ? 5 : 4;
    Long flags = number(a.get(1), false);
    Long exptime = number(a.get(2), true);
    Long unique = cas ? number(a.get(4), false) : Long.valueOf(0);
    if (given(r) != fixed || Keys.problem(a.get(0)) != null || flags == null || flags > 0xFFFF_FFFFL || exptime == null
        || unique == null) {
      return answer(r, BAD_FORMAT);
    }
    sets.incrementAndGet();
    Store.Mode mode = Store.Mode.valueOf(r.command().toUpperCase(java.util.Locale.ROOT));
    Store.Stored result = store.store(mode, a.get(0), flags, exptime, r.data(), unique);
    Outcome o = answer(r, result.name());
    o.fields().put("bytes", r.data().length);
    o.fields().put("flags", flags);
    o.fields().put("exptime", exptime);
    return o;
  }

  private Outcome count(Request r) {
    List<String> a = r.args();
    if (given(r) != 2) {
      return answer(r, BAD_FORMAT);
    }
    long delta;
    try {
      // Digits only: parseUnsignedLong alone would take a leading '+'.
      if (!a.get(1).chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new NumberFormatException();
      }
      delta = Long.parseUnsignedLong(a.get(1));
    } catch (NumberFormatException e) {
      return answer(r, "CLIENT_ERROR invalid numeric delta argument");
    }
    Store.Counted counted = store.count(a.get(0), delta, r.command().equals("incr"));
    if (!counted.found()) {
      return keyed(r, false, "");
    }
    if (!counted.numeric()) {
      Outcome o = answer(r, "CLIENT_ERROR cannot increment or decrement non-numeric value");
      o.fields().put("hit", true);
      return o;
    }
    Outcome o = answer(r, Long.toUnsignedString(counted.value()));
    o.fields().put("hit", true);
    o.fields().put("value", counted.value());
    return o;
  }

  /** How many arguments a request has besides a trailing {@code noreply}. */
  private static int given(Request r) {
    return r.args().size() - (r.noreply() ? 1 : 0);
  }

  /** The reply of a command on one key: {@code ok} when it was there, else {@code NOT_FOUND}. */
  private static Outcome keyed(Request r, boolean found, String ok) {
    Outcome o = answer(r, found ? ok : "NOT_FOUND");
    o.fields().put("hit", found);
    return o;
  }

  private Outcome stats(Request r) {
    StringBuilder reply = new StringBuilder();
    statistics().forEach((name, value) -> reply.append("STAT ").append(name).append(' ').append(value).append("\r\n"));
    reply.append("END\r\n");
    return new Outcome(reply.toString().getBytes(StandardCharsets.ISO_8859_1), describe(r), false);
  }

  /**
   * The general statistics. Where memcached names the libevent it runs on, the mock names its
   * Netty: the version this plugin's own class loader sees, whatever other plugins carry.
   */
  Map<String, String> statistics() {
    long now = clock.getAsLong();
    Map<String, String> s = new LinkedHashMap<>();
    s.put("pid", Long.toString(ProcessHandle.current().pid()));
    s.put("uptime", Long.toString((now - startedAt) / 1000));
    s.put("time", Long.toString(now / 1000));
    s.put("version", VERSION);
    s.put("netty", NettyVersion.VALUE);
    s.put("curr_connections", Long.toString(connections.get()));
    s.put("total_connections", Long.toString(totalConnections.get()));
    s.put("cmd_get", Long.toString(gets.get()));
    s.put("get_hits", Long.toString(hits.get()));
    s.put("get_misses", Long.toString(gets.get() - hits.get()));
    s.put("cmd_set", Long.toString(sets.get()));
    s.put("curr_items", Integer.toString(store.size()));
    return s;
  }

  /** A decimal argument; negative ones only where {@code signed}. Null when it is not a number. */
  private static Long number(String text, boolean signed) {
    String digits = signed && text.startsWith("-") ? text.substring(1) : text;
    if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return null;
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Read once: the Netty this class loader has, as its own jars' version files say. */
  private static final class NettyVersion {
    static final String VALUE = io.netty.util.Version.identify(Commands.class.getClassLoader())
        .values().stream().map(io.netty.util.Version::artifactVersion).distinct().sorted()
        .reduce((x, y) -> x + "," + y).orElse("unknown");
  }
}
