package dev.faultbox.plugin.redis;

import dev.faultbox.plugin.support.Config;
import dev.faultbox.plugin.support.Failures;
import dev.faultbox.plugin.support.Json;
import dev.faultbox.plugin.support.StepArgs;
import dev.faultbox.plugin.support.Trust;
import dev.faultbox.spi.Endpoint;
import dev.faultbox.spi.StepException;
import dev.faultbox.spi.StepMethod;
import dev.faultbox.spi.StepResult;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.net.ssl.SSLSocket;

/**
 * The steps of a redis interface, in the original's shapes: each opens a connection (AUTH first
 * when {@code password=} is given), sends one command and returns {@code .body} as JSON
 * {@code {"value": ...}} with status 0; a RESP error reply gives {@code ok=False} and its text as
 * {@code .error}, as does a connection that fails or closes.
 */
final class RedisSteps {
  private RedisSteps() {}

  static final long DEFAULT_TIMEOUT_MS = 5000;
  private static final List<String> COMMON = List.of("user", "password", "timeout_ms");

  static Map<String, StepMethod> all() {
    Map<String, StepMethod> steps = new LinkedHashMap<>();
    steps.put("get", step("get", List.of("key"), a -> List.of("GET", a.required("key"))));
    steps.put("set", step("set", List.of("key", "value", "ttl"), a -> {
      List<String> argv = new ArrayList<>(List.of("SET", a.required("key"), a.required("value")));
      Object ttl = a.args.get("ttl");
      if (ttl != null) {
        argv.add("PX");
        argv.add(Long.toString(ttlMs(a, ttl)));
      }
      return argv;
    }));
    steps.put("del", step("del", List.of("key"), a -> List.of("DEL", a.required("key"))));
    steps.put("ping", step("ping", List.of(), a -> List.of("PING")));
    steps.put("incr", step("incr", List.of("key"), a -> List.of("INCR", a.required("key"))));
    steps.put("keys", step("keys", List.of("pattern"), a -> List.of("KEYS", a.optional("pattern", "*"))));
    steps.put("lpush", step("lpush", List.of("key", "value"), a -> List.of("LPUSH", a.required("key"), a.required("value"))));
    steps.put("rpush", step("rpush", List.of("key", "value"), a -> List.of("RPUSH", a.required("key"), a.required("value"))));
    steps.put("lrange", step("lrange", List.of("key", "start", "stop"),
        a -> List.of("LRANGE", a.required("key"), a.optional("start", "0"), a.optional("stop", "-1"))));
    steps.put("hget", step("hget", List.of("key", "field"), a -> List.of("HGET", a.required("key"), a.required("field"))));
    steps.put("hset", step("hset", List.of("key", "field", "value"),
        a -> List.of("HSET", a.required("key"), a.required("field"), a.required("value"))));
    steps.put("publish", step("publish", List.of("channel", "message"),
        a -> List.of("PUBLISH", a.required("channel"), a.required("message"))));
    steps.put("command", step("command", List.of("cmd", "args"), a -> {
      List<String> argv = new ArrayList<>();
      argv.add(a.required("cmd"));
      Object args = a.args.get("args");
      if (args != null) {
        if (!(args instanceof List<?> list)) {
          throw a.step.error("args", "must be a list, got " + Config.starlarkType(args));
        }
        for (Object item : list) {
          argv.add(scalar(a.step, item));
        }
      }
      return argv;
    }));
    return Map.copyOf(steps);
  }

  /** A step's arguments: what it was called with, checked. */
  private record Args(String name, StepArgs step, Map<String, Object> args) {
    String required(String key) {
      Object v = args.get(key);
      if (v == null) {
        throw new StepException(name + "() requires " + key + "=");
      }
      return scalar(step, v, key);
    }

    String optional(String key, String fallback) {
      Object v = args.get(key);
      return v == null ? fallback : scalar(step, v, key);
    }
  }

  private static String scalar(StepArgs step, Object v) {
    return scalar(step, v, "args");
  }

  private static String scalar(StepArgs step, Object v, String key) {
    if (v instanceof String s) {
      return s;
    } else if (v instanceof Long || v instanceof Integer || v instanceof Boolean) {
      return v.toString().toLowerCase(java.util.Locale.ROOT);
    } else if (v instanceof Double d) {
      return Commands.formatDouble(d);
    }
    throw step.error(key, "must be a str or a number, got " + Config.starlarkType(v));
  }

  private static long ttlMs(Args a, Object ttl) {
    if ((ttl instanceof Long || ttl instanceof Integer) && ((Number) ttl).longValue() > 0) {
      return ((Number) ttl).longValue() * 1000;
    }
    if (ttl instanceof String s) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)").matcher(s);
      if (m.matches() && Long.parseLong(m.group(1)) > 0) {
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
          case "ms" -> n;
          case "s" -> n * 1000;
          case "m" -> n * 60_000;
          default -> n * 3_600_000;
        };
      }
    }
    throw a.step.error("ttl", "must be a positive duration such as \"30s\", got " + ttl);
  }

  private static StepMethod step(String name, List<String> params, Function<Args, List<String>> build) {
    List<String> accepted = new ArrayList<>(params);
    accepted.addAll(COMMON);
    List<String> parameters = List.copyOf(accepted);
    return new StepMethod() {
      @Override
      public List<String> parameters() {
        return parameters;
      }

      @Override
      public StepResult call(Endpoint target, Map<String, Object> kwargs) {
        StepArgs args = StepArgs.of(name, kwargs).only(parameters);
        List<String> argv = build.apply(new Args(name, args, kwargs));
        long timeoutMs = args.timeoutMs(DEFAULT_TIMEOUT_MS);
        String user = args.string("user");
        String password = args.string("password");
        return run(target, argv, user, password, timeoutMs);
      }
    };
  }

  private static StepResult run(Endpoint target, List<String> argv, String user, String password, long timeoutMs) {
    long started = System.nanoTime();
    try (Socket socket = connect(target, (int) timeoutMs)) {
      OutputStream out = socket.getOutputStream();
      InputStream in = new BufferedInputStream(socket.getInputStream());
      if (password != null) {
        write(out, user == null ? List.of("AUTH", password) : List.of("AUTH", user, password));
        Object auth = read(in);
        if (auth instanceof RespError e) {
          return new StepResult.Response(false, 0, new byte[0], Map.of(), e.text(), millis(started));
        }
      }
      write(out, argv);
      Object reply = read(in);
      long ms = millis(started);
      if (reply instanceof RespError e) {
        return new StepResult.Response(false, 0, new byte[0], Map.of(), e.text(), ms);
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("value", reply);
      return new StepResult.Response(true, 0, Json.write(body).getBytes(StandardCharsets.UTF_8), Map.of(), "", ms);
    } catch (IOException e) {
      return StepResult.Response.failed("redis " + argv.get(0) + " to " + target.host() + ":" + target.port()
          + " failed: " + Failures.messageOf(e), millis(started));
    }
  }

  /** A connection to the target, over TLS trusting the run's mock CA when the interface is {@code tls=True}. */
  private static Socket connect(Endpoint target, int timeoutMs) throws IOException {
    Socket plain = new Socket();
    try {
      plain.connect(new InetSocketAddress(target.host(), target.port()), timeoutMs);
      plain.setSoTimeout(timeoutMs);
      if (!target.tls()) {
        return plain;
      }
      SSLSocket tls = (SSLSocket) Trust.sslContext(target.mockCa()).getSocketFactory()
          .createSocket(plain, target.host(), target.port(), true);
      tls.startHandshake();
      return tls;
    } catch (IOException | RuntimeException e) {
      plain.close();
      throw e;
    }
  }

  private static long millis(long started) {
    return (System.nanoTime() - started) / 1_000_000;
  }

  private record RespError(String text) {}

  private static void write(OutputStream out, List<String> argv) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    buf.writeBytes(("*" + argv.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
    for (String arg : argv) {
      byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
      buf.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      buf.writeBytes(bytes);
      buf.writeBytes(new byte[] {'\r', '\n'});
    }
    out.write(buf.toByteArray());
    out.flush();
  }

  /** One RESP2 reply: String, Long, null, List, or a RespError. */
  /** One RESP2 or RESP3 reply as JSON-ready values: maps become objects, sets and pushes lists. */
  private static Object read(InputStream in) throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException("connection closed before the reply");
    }
    String line = line(in);
    switch (type) {
      case '+':
        return line;
      case '-':
      case '!':
        return new RespError(type == '!' ? new String(blob(in, line), StandardCharsets.UTF_8) : line);
      case ':':
        return Long.parseLong(line);
      case '(':
        return new java.math.BigInteger(line);
      case ',':
        return line.equals("inf") || line.equals("-inf") || line.equals("nan") ? line : Double.parseDouble(line);
      case '#':
        return line.equals("t");
      case '_':
        return null;
      case '$':
      case '=': {
        byte[] bytes = blob(in, line);
        if (bytes == null) {
          return null;
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        return type == '=' && text.length() >= 4 ? text.substring(4) : text; // "txt:" or "mkd:"
      }
      case '*':
      case '~':
      case '>': {
        int n = Integer.parseInt(line);
        if (n < 0) {
          return null;
        }
        List<Object> items = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
          Object item = read(in);
          items.add(item instanceof RespError e ? e.text() : item);
        }
        return items;
      }
      case '%': {
        int n = Integer.parseInt(line);
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
          Object key = read(in);
          Object value = read(in);
          map.put(String.valueOf(key instanceof RespError e ? e.text() : key),
              value instanceof RespError e ? e.text() : value);
        }
        return map;
      }
      default:
        throw new IOException("not a RESP reply: type byte " + type);
    }
  }

  /** A bulk's bytes after its length line; null for the null bulk. */
  private static byte[] blob(InputStream in, String lengthLine) throws IOException {
    int n = Integer.parseInt(lengthLine);
    if (n < 0) {
      return null;
    }
    byte[] bytes = in.readNBytes(n);
    if (bytes.length < n) {
      throw new EOFException("connection closed inside a bulk string");
    }
    line(in);
    return bytes;
  }


  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\r') {
        in.read();
        break;
      }
      buf.write(b);
      if (buf.size() > 1 << 20) {
        throw new IOException("reply line too long");
      }
    }
    return buf.toString(StandardCharsets.UTF_8);
  }
}
