package dev.faultbox.plugin.kafka;

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

/** The mock against kcat (librdkafka), a client that is not Java, when it is installed. */
class KcatTest extends MockTestSupport {

  @BeforeAll
  static void kcatInstalled() throws Exception {
    assumeTrue(run(null, "sh", "-c", "command -v kcat").exitCode == 0, "kcat is not installed");
  }

  private record Result(int exitCode, String stdout) {}

  private static Result run(String stdin, String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      if (stdin != null) {
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      process.getOutputStream().close();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        throw new AssertionError("timed out: " + String.join(" ", command));
      }
      return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    } finally {
      process.destroyForcibly();
    }
  }

  private static Result kcat(int port, String stdin, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("kcat", "-b", "127.0.0.1:" + port));
    command.addAll(List.of(args));
    return run(stdin, command.toArray(String[]::new));
  }

  @Test
  void listsMetadata() throws Exception {
    int port = start(Map.of("topics", Map.of("orders", Map.of("partitions", 3L), "payments", List.of())));
    Result r = kcat(port, null, "-L");
    assertThat(r.exitCode).isZero();
    assertThat(r.stdout).contains("1 brokers:", "broker 1 at 127.0.0.1:" + port, "topic \"orders\" with 3 partitions",
        "topic \"payments\" with 1 partitions");
  }

  @Test
  void producesWithEveryCompressionAndConsumesToTheEnd() throws Exception {
    int port = start(Map.of("topics", Map.of("logs", List.of())));
    for (String codec : List.of("none", "gzip", "snappy", "lz4", "zstd")) {
      Result p = kcat(port, codec + "-1\n" + codec + "-2\n", "-P", "-t", "logs", "-z", codec);
      assertThat(p.exitCode).as(codec).isZero();
    }
    Result c = kcat(port, null, "-C", "-t", "logs", "-e", "-f", "%o %s\\n");
    assertThat(c.exitCode).isZero();
    assertThat(c.stdout.lines().toList()).containsExactly("0 none-1", "1 none-2", "2 gzip-1", "3 gzip-2",
        "4 snappy-1", "5 snappy-2", "6 lz4-1", "7 lz4-2", "8 zstd-1", "9 zstd-2");
    assertThat(context.recorded("produce")).hasSize(10)
        .extracting(e -> e.fields().get("value")).contains("zstd-2", "lz4-1");
  }

  @Test
  void consumesInAGroupAndQueriesOffsets() throws Exception {
    int port = start(Map.of("topics", Map.of("jobs", List.of("a", "b", "c"))));
    Result g = kcat(port, null, "-G", "kcat-group", "-o", "beginning", "-e", "-f", "%s\\n", "jobs");
    assertThat(g.exitCode).isZero();
    assertThat(g.stdout.lines().toList()).containsExactly("a", "b", "c");
    assertThat(context.recorded("join")).isNotEmpty();
    Result q = kcat(port, null, "-Q", "-t", "jobs:0:-1");
    assertThat(q.exitCode).isZero();
    assertThat(q.stdout).contains("jobs [0] offset 3");
  }
}
