package dev.faultbox.examples.memcached;

import dev.faultbox.spi.Endpoint;
import dev.faultbox.spi.StepException;
import dev.faultbox.spi.StepMethod;
import dev.faultbox.spi.StepResult;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a test calls on a memcached interface, each over a connection of its own:
 * {@code get(key)}, {@code set(key, value, flags = 0, exptime = 0)}, {@code delete(key)} (each
 * with {@code timeout_ms = 5000}) return a response whose {@code .result} is the reply's word
 * ({@code HIT} or {@code MISS} for a get; {@code STORED}, {@code DELETED}, {@code SERVER_ERROR}...)
 * and {@code .message} the rest of its line; {@code .body} is the value got. {@code .ok} is false
 * only when no reply came (a dropped connection, a timeout). {@code stats()} returns the general
 * statistics as a dict.
 */
final class Steps {

  static final long DEFAULT_TIMEOUT_MS = 5000;

  static final Map<String, StepMethod> ALL = Map.of(
      "get", step(List.of("key", "timeout_ms"), Steps::get),
      "set", step(List.of("key", "value", "flags", "exptime", "timeout_ms"), Steps::set),
      "delete", step(List.of("key", "timeout_ms"), Steps::delete),
      "stats", step(List.of("timeout_ms"), Steps::stats));

  private Steps() {}

  private interface Body {
    StepResult call(Conversation c, Map<String, Object> kwargs) throws IOException;
  }

  private static StepMethod step(List<String> parameters, Body body) {
    return new StepMethod() {
      @Override
      public List<String> parameters() {
        return parameters;
      }

      @Override
      public StepResult call(Endpoint target, Map<String, Object> kwargs) {
        long timeout = integer(kwargs, "timeout_ms", DEFAULT_TIMEOUT_MS);
        if (timeout <= 0) {
          throw new StepException("timeout_ms must be positive, got " + timeout);
        }
        long started = System.nanoTime();
        try (Conversation c = new Conversation(target, timeout)) {
          return body.call(c, kwargs);
        } catch (ConnectException e) {
          return failed("connection refused by " + target.host() + ":" + target.port(), started);
        } catch (SocketTimeoutException e) {
          return failed("no reply within " + timeout + "ms", started);
        } catch (EOFException e) {
          return failed("connection closed before a reply", started);
        } catch (IOException e) {
          return failed(String.valueOf(e.getMessage()), started);
        }
      }
    };
  }

  private static StepResult get(Conversation c, Map<String, Object> kwargs) throws IOException {
    c.send(("get " + key(kwargs) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    String line = c.line();
    if (line.equals("END")) {
      return c.response(new byte[0], Map.of("result", "MISS", "message", ""));
    }
    List<String> words = CommandDecoder.words(line);
    if (words.size() >= 4 && words.get(0).equals("VALUE")) {
      byte[] value = c.block(length(words.get(3)));
      String end = c.line();
      if (!end.equals("END")) {
        throw new IOException("a get's reply ended with \"" + end + "\", not END");
      }
      return c.response(value, Map.of("result", "HIT", "message", "", "flags", words.get(2)));
    }
    return c.reply(line);
  }

  private static StepResult set(Conversation c, Map<String, Object> kwargs) throws IOException {
    String key = key(kwargs);
    Object v = kwargs.get("value");
    byte[] value = v instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : v instanceof byte[] b ? b : null;
    if (value == null) {
      throw new StepException("set() value= must be a str or bytes, got " + MemcachedFactory.typeOf(v));
    }
    String header = "set " + key + " " + integer(kwargs, "flags", 0) + " " + integer(kwargs, "exptime", 0) + " "
        + value.length + "\r\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(value);
    out.writeBytes(new byte[] {'\r', '\n'});
    c.send(out.toByteArray());
    return c.reply(c.line());
  }

  private static StepResult delete(Conversation c, Map<String, Object> kwargs) throws IOException {
    c.send(("delete " + key(kwargs) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    return c.reply(c.line());
  }

  private static StepResult stats(Conversation c, Map<String, Object> kwargs) throws IOException {
    c.send("stats\r\n".getBytes(StandardCharsets.ISO_8859_1));
    Map<String, Object> stats = new LinkedHashMap<>();
    for (String line = c.line(); !line.equals("END"); line = c.line()) {
      List<String> words = CommandDecoder.words(line);
      if (words.size() < 3 || !words.get(0).equals("STAT")) {
        throw new StepException("stats() got \"" + Keys.text(line) + "\" from " + c.where());
      }
      stats.put(Keys.text(words.get(1)), Keys.text(String.join(" ", words.subList(2, words.size()))));
    }
    return new StepResult.Value(stats);
  }

  private static int length(String text) throws IOException {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IOException("a get's reply has a length of \"" + text + "\"");
    }
  }

  /** {@code key=} in wire form, refused as memcached would refuse it. */
  private static String key(Map<String, Object> kwargs) {
    if (!(kwargs.get("key") instanceof String text)) {
      throw new StepException("key= must be a str, got " + MemcachedFactory.typeOf(kwargs.get("key")));
    }
    String problem = Keys.problem(Keys.wire(text));
    if (problem != null) {
      throw new StepException("key= \"" + text + "\": " + problem);
    }
    return Keys.wire(text);
  }

  private static long integer(Map<String, Object> kwargs, String name, long otherwise) {
    Object v = kwargs.get(name);
    if (v == null) {
      return otherwise;
    }
    if (!(v instanceof Long || v instanceof Integer)) {
      throw new StepException(name + "= must be an int, got " + MemcachedFactory.typeOf(v));
    }
    return ((Number) v).longValue();
  }

  private static StepResult failed(String error, long startedNanos) {
    return StepResult.Response.failed(error, (System.nanoTime() - startedNanos) / 1_000_000);
  }

  /** One connection to the mock, every read bounded by one deadline. */
  private static final class Conversation implements AutoCloseable {
    private final Socket socket = new Socket();
    private final Endpoint target;
    private final long deadline;
    private final long started = System.nanoTime();
    private final InputStream in;

    Conversation(Endpoint target, long timeoutMs) throws IOException {
      this.target = target;
      this.deadline = started + timeoutMs * 1_000_000;
      try {
        socket.connect(new InetSocketAddress(target.host(), target.port()), (int) Math.min(Integer.MAX_VALUE, timeoutMs));
        in = new BufferedInputStream(socket.getInputStream());
      } catch (IOException e) {
        socket.close();
        throw e;
      }
    }

    String where() {
      return target.host() + ":" + target.port();
    }

    void send(byte[] bytes) throws IOException {
      socket.getOutputStream().write(bytes);
      socket.getOutputStream().flush();
    }

    /** A reply line without its line end, in wire form. */
    String line() throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      for (int b = read(); b != '\n'; b = read()) {
        line.write(b);
      }
      String text = line.toString(StandardCharsets.ISO_8859_1);
      return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    /** A data block of {@code length} bytes and its {@code \r\n}. */
    byte[] block(int length) throws IOException {
      byte[] data = new byte[length];
      for (int i = 0; i < length; i++) {
        data[i] = (byte) read();
      }
      line();
      return data;
    }

    private int read() throws IOException {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        throw new SocketTimeoutException();
      }
      socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
      int b = in.read();
      if (b < 0) {
        throw new EOFException();
      }
      return b;
    }

    /** A one-line reply: its first word is the result, the rest the message. */
    StepResult reply(String line) {
      int space = line.indexOf(' ');
      String result = space < 0 ? line : line.substring(0, space);
      String message = space < 0 ? "" : line.substring(space + 1);
      return response(line.getBytes(StandardCharsets.ISO_8859_1), Map.of("result", Keys.text(result), "message", Keys.text(message)));
    }

    StepResult response(byte[] body, Map<String, String> attributes) {
      return new StepResult.Response(true, 0, body, Map.of(), "", (System.nanoTime() - started) / 1_000_000, attributes);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
