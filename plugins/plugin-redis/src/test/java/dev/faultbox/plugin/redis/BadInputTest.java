package dev.faultbox.plugin.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Broken and hostile input, differential: the same bytes go to a real redis-server and to the
 * mock, and what comes back, and whether the connection is closed, must be the same. After each,
 * a new connection to the mock is still served, and refused input is a PROTOCOL_ERROR event.
 */
class BadInputTest extends MockTestSupport {

  /** How long a connection that says nothing more counts as left open. */
  static final int IDLE_MS = 400;
  static final int BIG_INPUT_IDLE_MS = 10_000;

  private static RealRedis redis;

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RealRedis.start();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (redis != null) {
      redis.close();
    }
  }

  /** What a server answered to some input: the bytes, and whether it then closed the connection. */
  record Answer(String bytes, boolean closed) {
    @Override
    public String toString() {
      return (closed ? "closed after: " : "open after: ") + Resp.escape(bytes.getBytes(StandardCharsets.ISO_8859_1));
    }
  }

  /** Writes {@code input} (a write refused by a server that closed is fine), then reads until close or idle. */
  static Answer send(int port, Writer input) throws IOException {
    return send(port, input, IDLE_MS, Integer.MAX_VALUE);
  }

  /**
   * As above, waiting up to {@code idleMs} for each read (big inputs take the servers a while to
   * answer on a loaded machine) but no longer than the first {@code lines} CRLF-ended lines.
   */
  static Answer send(int port, Writer input, int idleMs, int lines) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(idleMs);
      try {
        OutputStream out = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
        input.write(out);
        out.flush();
      } catch (IOException closedWhileWriting) {
        // the server refused and closed mid-way: what it said is read below
      }
      return readAll(s, lines);
    }
  }

  static Answer readAll(Socket s, int lines) throws IOException {
    InputStream in = s.getInputStream();
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      while (got.size() < 1 << 20) {
        int n = in.read(buf);
        if (n < 0) {
          return new Answer(got.toString(StandardCharsets.ISO_8859_1), true);
        }
        got.write(buf, 0, n);
        if (got.toString(StandardCharsets.ISO_8859_1).split("\r\n", -1).length > lines) {
          return new Answer(got.toString(StandardCharsets.ISO_8859_1), false);
        }
      }
    } catch (SocketTimeoutException idle) {
      return new Answer(got.toString(StandardCharsets.ISO_8859_1), false);
    } catch (IOException reset) {
      return new Answer(got.toString(StandardCharsets.ISO_8859_1), true);
    }
    throw new AssertionError("more than 1 MiB of answer: " + got.size());
  }

  @FunctionalInterface
  interface Writer {
    void write(OutputStream out) throws IOException;
  }

  static Writer bytes(String binary) {
    return out -> out.write(binary.getBytes(StandardCharsets.ISO_8859_1));
  }

  static Stream<Arguments> inputs() {
    char[] longLine = new char[70 * 1024];
    Arrays.fill(longLine, 'a');
    return Stream.of(
        Arguments.of("garbage bytes", "\u0001\u0002\u00ffgarbage\r\n"),
        Arguments.of("a NUL before the end of an inline line", "\u0000\u0001\u0002garbage\r\nPING\r\n"),
        Arguments.of("a NUL, then 70 KB", "PING\r\nGET \u0000" + new String(longLine) + "\r\n"),
        Arguments.of("a bad type byte in a multibulk", "*1\r\n+x\r\n"),
        Arguments.of("an integer in a multibulk", "*2\r\n$3\r\nGET\r\n:1\r\n"),
        Arguments.of("a null multibulk, then PING", "*-1\r\nPING\r\n"),
        Arguments.of("a negative multibulk count, then PING", "*-5\r\nPING\r\n"),
        Arguments.of("an empty multibulk, then PING", "*0\r\nPING\r\n"),
        Arguments.of("a multibulk count that is not a number", "*abc\r\n"),
        Arguments.of("an absurd multibulk count", "*99999999999\r\n"),
        Arguments.of("a multibulk count with a plus", "*+1\r\n$4\r\nPING\r\n"),
        Arguments.of("a negative bulk length", "*1\r\n$-5\r\n"),
        Arguments.of("a null bulk in a request", "*1\r\n$-1\r\n"),
        Arguments.of("a bulk length that is not a number", "*1\r\n$abc\r\n"),
        Arguments.of("an absurd bulk length", "*1\r\n$99999999999\r\n"),
        Arguments.of("two bytes after a bulk are not checked", "*1\r\n$4\r\nPINGab*1\r\n$4\r\nPING\r\n"),
        Arguments.of("a bulk outside a multibulk is inline", "$5\r\nhallo\r\n"),
        Arguments.of("inline with unbalanced double quotes", "PING\r\nSET k \"abc\r\n"),
        Arguments.of("inline with unbalanced single quotes", "SET k 'abc\r\n"),
        Arguments.of("inline with a quote followed by a letter", "SET k \"a\"b\r\n"),
        Arguments.of("inline lines ending in a bare LF", "PING\nSET a b\nGET a\n"),
        Arguments.of("inline with escapes", "ECHO \"\\x41\\n\\t\\\\\" 'it\\'s'\r\n"),
        Arguments.of("a 70 KB inline line without newline", new String(longLine)),
        Arguments.of("a multibulk count line of 70 KB", "*" + new String(longLine)),
        Arguments.of("a bulk count line of 70 KB", "*1\r\n$" + new String(longLine)),
        Arguments.of("pipelined commands, then garbage", "PING\r\n*1\r\n$4\r\nPING\r\n*1\r\n+x\r\nPING\r\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  void badInputIsAnsweredAsRedisServerDoes(String name, String input) throws Exception {
    int mockPort = start(Map.of());
    flushAll(redis.port);
    Answer expected = send(redis.port, bytes(input));
    Answer actual = send(mockPort, bytes(input));
    assertThat(actual).as(name).isEqualTo(expected);
    if (expected.bytes.contains("Protocol error")) {
      assertThat(context.awaitOp(RedisHandler.OP_PROTOCOL_ERROR, WAIT).fields().get("error").toString())
          .startsWith("ERR Protocol error");
    }
    assertPingServed(mockPort);
  }

  @Test
  void beforeAuthOnlySmallRequestsAreRead() throws Exception {
    try (RealRedis secured = RealRedis.start("--requirepass", "pw")) {
      int mockPort = start(Map.of("password", "pw"));
      String bigBulk = "*2\r\n$4\r\nAUTH\r\n$20000\r\n" + "x".repeat(20000) + "\r\n";
      for (String input : List.of("*20\r\n", bigBulk, "PING\r\n", "*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\nPING\r\n",
          "AUTH wrong\r\nMULTI\r\nEXEC\r\n", "*11\r\n$4\r\nPING\r\n")) {
        Answer expected = send(secured.port, bytes(input));
        Answer actual = send(mockPort, bytes(input));
        assertThat(actual).as(Resp.escape(input.getBytes(StandardCharsets.ISO_8859_1))).isEqualTo(expected);
      }
      assertThat(context.recorded(RedisHandler.OP_PROTOCOL_ERROR)).hasSize(3);
      assertPingServedAfterAuth(mockPort);
    }
  }

  @Test
  void aCommandOfAMillionArguments() throws Exception {
    int mockPort = start(Map.of());
    int args = 1_000_000;
    Writer del = out -> {
      out.write(("*" + args + "\r\n$3\r\nDEL\r\n").getBytes(StandardCharsets.US_ASCII));
      for (int i = 1; i < args; i++) {
        String key = "k" + i;
        out.write(("$" + key.length() + "\r\n" + key + "\r\n").getBytes(StandardCharsets.US_ASCII));
      }
    };
    Answer expected = send(redis.port, del, BIG_INPUT_IDLE_MS, 1);
    Answer actual = send(mockPort, del, BIG_INPUT_IDLE_MS, 1);
    assertThat(expected.bytes).isEqualTo(":0\r\n");
    assertThat(actual).isEqualTo(expected);
    assertPingServed(mockPort);
  }

  @Test
  void aHundredMegabyteValue() throws Exception {
    int mockPort = start(Map.of());
    int size = 100 * 1024 * 1024;
    Writer set = out -> {
      out.write(("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + size + "\r\n").getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[1 << 20];
      Arrays.fill(chunk, (byte) 'v');
      for (int sent = 0; sent < size; sent += chunk.length) {
        out.write(chunk, 0, Math.min(chunk.length, size - sent));
      }
      out.write("\r\n*2\r\n$6\r\nSTRLEN\r\n$3\r\nbig\r\n".getBytes(StandardCharsets.US_ASCII));
    };
    Answer expected = send(redis.port, set, BIG_INPUT_IDLE_MS, 2);
    Answer actual = send(mockPort, set, BIG_INPUT_IDLE_MS, 2);
    assertThat(expected.bytes).isEqualTo("+OK\r\n:" + size + "\r\n");
    assertThat(actual).isEqualTo(expected);
    flushAll(mockPort); // let the value go before the next test
    flushAll(redis.port);
    assertPingServed(mockPort);
  }

  private static void flushAll(int port) throws IOException {
    try (Socket s = DifferentialTest.connect(port)) {
      assertThat(DifferentialTest.exchange(s, List.of("FLUSHALL"))).isEqualTo("+OK\r\n".getBytes(StandardCharsets.US_ASCII));
    }
  }

  private static void assertPingServed(int port) throws IOException {
    try (Socket s = DifferentialTest.connect(port)) {
      assertThat(new String(DifferentialTest.exchange(s, List.of("PING")), StandardCharsets.ISO_8859_1))
          .isEqualTo("+PONG\r\n");
    }
  }

  private static void assertPingServedAfterAuth(int port) throws IOException {
    try (Socket s = DifferentialTest.connect(port)) {
      assertThat(new String(DifferentialTest.exchange(s, List.of("AUTH", "pw")), StandardCharsets.ISO_8859_1))
          .isEqualTo("+OK\r\n");
      assertThat(new String(DifferentialTest.exchange(s, List.of("PING")), StandardCharsets.ISO_8859_1))
          .isEqualTo("+PONG\r\n");
    }
  }
}
