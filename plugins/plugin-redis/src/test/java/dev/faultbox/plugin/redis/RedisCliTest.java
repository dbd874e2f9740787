package dev.faultbox.plugin.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The mock against the real redis-cli (Debian's redis-tools), when it is installed. */
class RedisCliTest extends MockTestSupport {

  @BeforeAll
  static void redisCliInstalled() throws Exception {
    assumeTrue(run(null, "sh", "-c", "command -v redis-cli").exitCode == 0, "redis-cli is not installed");
  }

  private record Result(int exitCode, String stdout) {}

  private static Result run(String stdin, String... command) throws IOException, InterruptedException {
    return run(stdin, 10, command);
  }

  private static Result run(String stdin, int timeoutSeconds, String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      if (stdin != null) {
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      process.getOutputStream().close();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        throw new AssertionError("timed out: " + String.join(" ", command));
      }
      return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    } finally {
      process.destroyForcibly();
    }
  }

  private static String cli(int port, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
    command.addAll(List.of(args));
    return run(null, command.toArray(String[]::new)).stdout;
  }

  @Test
  void redisCliCommands() throws Exception {
    int port = start(Map.of("state", Map.of("greeting", "hello")));
    assertThat(cli(port, "PING")).isEqualTo("PONG\n");
    assertThat(cli(port, "GET", "greeting")).isEqualTo("hello\n");
    assertThat(cli(port, "SET", "phrase", "hello world")).isEqualTo("OK\n");
    assertThat(cli(port, "--no-raw", "GET", "phrase")).isEqualTo("\"hello world\"\n");
    assertThat(cli(port, "--no-raw", "INCR", "n")).isEqualTo("(integer) 1\n");
    assertThat(cli(port, "--no-raw", "GET", "nope")).isEqualTo("(nil)\n");
    assertThat(cli(port, "--no-raw", "RPUSH", "l", "a", "b")).isEqualTo("(integer) 2\n");
    assertThat(cli(port, "--no-raw", "LRANGE", "l", "0", "-1")).isEqualTo("1) \"a\"\n2) \"b\"\n");
    assertThat(cli(port, "--no-raw", "FOO", "bar"))
        .isEqualTo("(error) ERR unknown command 'FOO', with args beginning with: 'bar' \n");
  }

  @Test
  void redisCliReadsCommandsFromStdin() throws Exception {
    int port = start(Map.of());
    Result r = run("SET a 1\nINCRBY a 41\nGET a\n",
        "redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port));
    assertThat(r.stdout).isEqualTo("OK\n42\n42\n");
  }

  @Test
  void redisCliPipeMode() throws Exception {
    int port = start(Map.of());
    StringBuilder commands = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      commands.append("*3\r\n$3\r\nSET\r\n$").append(("k" + i).length()).append("\r\nk").append(i)
          .append("\r\n$1\r\nv\r\n");
    }
    Result r = run(commands.toString(), "redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port), "--pipe");
    assertThat(r.stdout).contains("errors: 0, replies: 100");
    assertThat(cli(port, "DBSIZE")).isEqualTo("100\n");
  }

  @Test
  void redisCliInResp3ShowsMapsAndSets() throws Exception {
    int port = start(Map.of());
    cli(port, "HSET", "h", "a", "1", "b", "2");
    // redis-cli 7.0 spells --resp3 as -3
    assertThat(cli(port, "-3", "--no-raw", "HGETALL", "h")).isEqualTo("1# \"a\" => \"1\"\n2# \"b\" => \"2\"\n");
    assertThat(cli(port, "-3", "--no-raw", "SMEMBERS", "nope")).isEqualTo("(empty set)\n");
    assertThat(cli(port, "-3", "--no-raw", "GET", "nope")).isEqualTo("(nil)\n");
    assertThat(cli(port, "-3", "--no-raw", "INCRBYFLOAT", "f", "1.5")).isEqualTo("\"1.5\"\n");
  }

  @Test
  void redisCliPipeModeWithManyMixedCommands() throws Exception {
    int port = start(Map.of());
    StringBuilder commands = new StringBuilder();
    int n = 0;
    for (int i = 0; i < 5000; i++, n += 4) {
      commands.append(resp("SET", "k" + i, "v" + i)).append(resp("INCR", "counter"))
          .append(resp("RPUSH", "list", Integer.toString(i))).append(resp("HSET", "h" + (i % 10), "f" + i, "v"));
    }
    Result r = run(commands.toString(), "redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port), "--pipe");
    assertThat(r.stdout).contains("errors: 0, replies: " + n);
    assertThat(cli(port, "GET", "counter")).isEqualTo("5000\n");
    assertThat(cli(port, "LLEN", "list")).isEqualTo("5000\n");
    assertThat(cli(port, "DBSIZE")).isEqualTo("5012\n");
  }

  private static String resp(String... argv) {
    StringBuilder b = new StringBuilder("*").append(argv.length).append("\r\n");
    for (String a : argv) {
      b.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
    }
    return b.toString();
  }

  @Test
  void redisBenchmarkRunsEveryTest() throws Exception {
    assumeTrue(run(null, "sh", "-c", "command -v redis-benchmark").exitCode == 0, "redis-benchmark is not installed");
    int port = start(Map.of());
    Result r = run(null, 60, "redis-benchmark", "-h", "127.0.0.1", "-p", Integer.toString(port), "-q", "-n", "2000",
        "-c", "5", "-t", "set,get,incr,lpush,lrange_100");
    assertThat(r.exitCode).isZero();
    // -q prints each test's final figure after a carriage return
    List<String> finals = r.stdout.lines().map(l -> l.substring(l.lastIndexOf('\r') + 1).strip())
        .filter(l -> l.contains("requests per second")).toList();
    assertThat(finals).extracting(l -> l.substring(0, l.indexOf(':')))
        .containsExactly("SET", "GET", "INCR", "LPUSH", "LPUSH (needed to benchmark LRANGE)", "LRANGE_100 (first 100 elements)");
  }
}
