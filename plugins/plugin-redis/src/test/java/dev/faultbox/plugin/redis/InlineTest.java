package dev.faultbox.plugin.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Raw bytes as telnet users and broken clients send them. */
class InlineTest extends MockTestSupport {

  /** Sends {@code request}, then reads until {@code expected} bytes came or the mock closed. */
  private static String exchange(int port, String request, int expected) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(3000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = s.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      try {
        while (got.size() < expected) {
          int n = in.read(buf);
          if (n < 0) {
            break;
          }
          got.write(buf, 0, n);
        }
      } catch (SocketTimeoutException e) {
        // what came is the answer
      }
      return got.toString(StandardCharsets.ISO_8859_1);
    }
  }

  private static boolean closedAfter(int port, String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(3000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getInputStream().readAllBytes();
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    }
  }

  @Test
  void inlineCommandsWithQuotesAndEmptyLines() throws Exception {
    int port = start(Map.of());
    String expected = "+PONG\r\n+OK\r\n$11\r\nhello world\r\n$3\r\na\nb\r\n:1\r\n";
    assertThat(exchange(port, "PING\r\n\r\nSET k \"hello world\"\r\nGET k\r\nECHO \"a\\nb\"\r\nEXISTS 'k'\r\n",
        expected.length())).isEqualTo(expected);
  }

  @Test
  void mixedInlineAndRespPipelineAnswersInOrder() throws Exception {
    int port = start(Map.of());
    String expected = ":1\r\n:2\r\n:3\r\n";
    assertThat(exchange(port, "INCR n\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\nINCR n\r\n", expected.length()))
        .isEqualTo(expected);
  }

  @Test
  void unbalancedQuotesAreAProtocolErrorThenClose() throws Exception {
    int port = start(Map.of());
    assertThat(exchange(port, "PING\r\nSET k \"oops\r\n", 100))
        .isEqualTo("+PONG\r\n-ERR Protocol error: unbalanced quotes in request\r\n");
    assertThat(context.recorded(RedisHandler.OP_PROTOCOL_ERROR)).hasSize(1);
  }

  @Test
  void aBadMultibulkLengthIsAProtocolErrorThenCloseAndOthersAreServed() throws Exception {
    int port = start(Map.of());
    assertThat(closedAfter(port, "*abc\r\n")).isTrue();
    assertThat(context.awaitOp(RedisHandler.OP_PROTOCOL_ERROR, WAIT)).isNotNull();
    assertThat(exchange(port, "PING\r\n", 7)).isEqualTo("+PONG\r\n");
  }

  @Test
  void quitAnswersOkThenCloses() throws Exception {
    int port = start(Map.of());
    assertThat(closedAfter(port, "QUIT\r\n")).isTrue();
    assertThat(exchange(port, "QUIT\r\nPING\r\n", 100)).isEqualTo("+OK\r\n");
  }

  @Test
  void argumentsAreBinarySafe() throws Exception {
    int port = start(Map.of());
    String value = "\u00ff\u0000\r\n\u0080";
    String set = "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$" + value.length() + "\r\n" + value + "\r\n";
    String expected = "+OK\r\n$5\r\n" + value + "\r\n";
    assertThat(exchange(port, set + "*2\r\n$3\r\nGET\r\n$1\r\nb\r\n", expected.length())).isEqualTo(expected);
  }

  @Test
  void splitArgsFollowsRedisServer() {
    assertThat(InlineArgs.split("  set  a   b ")).containsExactly("set", "a", "b");
    assertThat(InlineArgs.split("set \"a b\" 'c d'")).containsExactly("set", "a b", "c d");
    assertThat(InlineArgs.split("echo \"\\x41\\t\"")).containsExactly("echo", "A\t");
    assertThat(InlineArgs.split("echo 'it\\'s'")).containsExactly("echo", "it's");
    assertThat(InlineArgs.split("echo \"abc")).isNull();
    assertThat(InlineArgs.split("echo \"a\"b")).isNull();
    assertThat(InlineArgs.split("")).isEqualTo(List.of());
  }

  @Test
  void globsFollowRedisServer() {
    assertThat(Glob.matches("user:*", "user:1")).isTrue();
    assertThat(Glob.matches("h?llo", "hello")).isTrue();
    assertThat(Glob.matches("h[ae]llo", "hallo")).isTrue();
    assertThat(Glob.matches("h[^e]llo", "hello")).isFalse();
    assertThat(Glob.matches("h[a-b]llo", "hbllo")).isTrue();
    assertThat(Glob.matches("a\\*", "a*")).isTrue();
    assertThat(Glob.matches("a\\*", "ab")).isFalse();
    assertThat(Glob.matches("*", "")).isTrue();
  }

  @Test
  void anUnknownCommandQuotesTheClientsBytesAsSent() throws Exception {
    int port = start(Map.of());
    byte[] name = "CAFÉ".getBytes(StandardCharsets.UTF_8);
    String wire = new String(name, StandardCharsets.ISO_8859_1);
    String request = "*2\r\n$" + name.length + "\r\n" + wire + "\r\n$1\r\nx\r\n";
    String expected = "-ERR unknown command '" + wire + "', with args beginning with: 'x' \r\n";
    assertThat(exchange(port, request, expected.length())).isEqualTo(expected);
    assertThat(context.awaitOp("CAFÉ", WAIT).fields().get("error"))
        .isEqualTo("ERR unknown command 'CAFÉ', with args beginning with: 'x' ");
  }
}
