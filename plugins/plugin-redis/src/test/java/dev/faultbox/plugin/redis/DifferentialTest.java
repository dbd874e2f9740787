package dev.faultbox.plugin.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract: every script in {@code src/test/resources/differential/} (format in its README)
 * runs against a real redis-server 7 and the mock, and the raw reply bytes must be equal.
 */
class DifferentialTest extends MockTestSupport {

  static final int READ_TIMEOUT_MS = 5000;

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

  static Path scripts() throws URISyntaxException {
    URL url = DifferentialTest.class.getResource("/differential");
    if (url == null) {
      throw new AssertionError("no differential/ scripts on the test classpath");
    }
    return Path.of(url.toURI());
  }

  static Stream<String> scriptNames() throws IOException, URISyntaxException {
    try (Stream<Path> files = Files.list(scripts())) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".redis")).sorted().toList().stream();
    }
  }

  /** How a line's replies are compared. */
  enum Compare { BYTES, TYPE_AND_COUNT, TYPE }

  /** One script line: where it is, how to compare, the arguments. */
  record Line(int number, String text, Compare compare, List<String> argv) {}

  /** The commands of a script; a line InlineArgs cannot split fails the test. */
  static List<Line> parse(String file, List<String> lines) {
    List<Line> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String text = lines.get(i).strip();
      if (text.isEmpty() || text.startsWith("#")) {
        continue;
      }
      Compare compare = Compare.BYTES;
      String command = text;
      if (text.startsWith("~~ ")) {
        compare = Compare.TYPE;
        command = text.substring(3);
      } else if (text.startsWith("~ ")) {
        compare = Compare.TYPE_AND_COUNT;
        command = text.substring(2);
      }
      // Scripts are UTF-8 text; arguments go out as their UTF-8 bytes (\xHH escapes give any byte).
      String binary = new String(command.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
      List<String> argv = InlineArgs.split(binary);
      if (argv == null || argv.isEmpty()) {
        throw new AssertionError(file + ":" + (i + 1) + ": cannot split: " + text);
      }
      out.add(new Line(i + 1, text, compare, argv));
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scriptNames")
  void scriptAnswersAsRedisServer(String file) throws Exception {
    List<Line> lines = parse(file, Files.readAllLines(scripts().resolve(file), StandardCharsets.UTF_8));
    int mockPort = start(Map.of());
    flushAll(redis.port);
    flushAll(mockPort);
    List<String> differences = new ArrayList<>();
    try (Socket real = connect(redis.port); Socket mock = connect(mockPort)) {
      for (Line line : lines) {
        byte[] expected;
        byte[] actual;
        try {
          expected = exchange(real, line.argv);
        } catch (IOException e) {
          throw new AssertionError(file + ":" + line.number + ": " + line.text + ": redis-server: " + e, e);
        }
        try {
          actual = exchange(mock, line.argv);
        } catch (IOException e) {
          differences.add(describe(file, line, expected, ("(no reply: " + e + ")").getBytes(StandardCharsets.UTF_8)));
          break; // the connection is out of step now
        }
        if (!same(line.compare, expected, actual)) {
          differences.add(describe(file, line, expected, actual));
        }
      }
    }
    assertThat(differences).as(differences.size() + " difference(s) from redis-server:\n" + String.join("\n", differences))
        .isEmpty();
  }

  @Test
  void thereAreEnoughCommandsToCountAsAContract() throws Exception {
    int total = 0;
    for (String file : scriptNames().toList()) {
      total += parse(file, Files.readAllLines(scripts().resolve(file), StandardCharsets.UTF_8)).size();
    }
    assertThat(total).isGreaterThanOrEqualTo(400);
  }

  @Test
  void theComparisonSeesADifference() {
    assertThat(same(Compare.BYTES, "+OK\r\n".getBytes(), "+OK \r\n".getBytes())).isFalse();
    assertThat(same(Compare.TYPE_AND_COUNT, "*2\r\n:1\r\n:2\r\n".getBytes(), "*1\r\n:1\r\n".getBytes())).isFalse();
    assertThat(same(Compare.TYPE_AND_COUNT, ":1\r\n".getBytes(), ":7\r\n".getBytes())).isTrue();
    assertThat(same(Compare.TYPE, "*2\r\n:1\r\n:2\r\n".getBytes(), "*1\r\n:1\r\n".getBytes())).isTrue();
    assertThat(same(Compare.TYPE, "$1\r\n1\r\n".getBytes(), ":1\r\n".getBytes())).isFalse();
  }

  static boolean same(Compare compare, byte[] expected, byte[] actual) {
    return switch (compare) {
      case BYTES -> Arrays.equals(expected, actual);
      case TYPE -> expected.length > 0 && actual.length > 0 && expected[0] == actual[0];
      case TYPE_AND_COUNT -> {
        if (expected.length == 0 || actual.length == 0 || expected[0] != actual[0]) {
          yield false;
        }
        yield "*%~>".indexOf(expected[0]) < 0 || Resp.header(expected).equals(Resp.header(actual));
      }
    };
  }

  private static String describe(String file, Line line, byte[] expected, byte[] actual) {
    return file + ":" + line.number + ": " + line.text + "\n    redis-server: " + Resp.escape(expected)
        + "\n    mock:         " + Resp.escape(actual);
  }

  static Socket connect(int port) throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(READ_TIMEOUT_MS);
    s.setTcpNoDelay(true);
    return s;
  }

  static byte[] exchange(Socket s, List<String> argv) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(Resp.command(argv));
    out.flush();
    InputStream in = s.getInputStream();
    return Resp.read(in);
  }

  private static void flushAll(int port) throws IOException {
    try (Socket s = connect(port)) {
      assertThat(new String(exchange(s, List.of("FLUSHALL")), StandardCharsets.ISO_8859_1)).isEqualTo("+OK\r\n");
    }
  }
}
