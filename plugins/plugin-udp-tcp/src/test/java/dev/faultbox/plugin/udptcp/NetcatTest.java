package dev.faultbox.plugin.udptcp;

import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.faultbox.spi.MockEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The mocks against the real netcat (netcat-openbsd), when it is installed. */
class NetcatTest extends MockTestSupport {

  @BeforeAll
  static void netcatInstalled() throws Exception {
    // The -q flag used below is OpenBSD netcat's; .ci/run installs netcat-openbsd.
    assumeTrue(run("nc -h 2>&1 | grep -q 'OpenBSD netcat'").exitCode == 0, "OpenBSD netcat is not installed");
  }

  private record Result(int exitCode, String stdout) {}

  private static Result run(String script) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder("sh", "-c", script).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        throw new AssertionError("timed out: " + script);
      }
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return new Result(process.exitValue(), out);
    } finally {
      process.destroyForcibly();
    }
  }

  @Test
  void tcpRoutesAnswerNetcat() throws Exception {
    int port =
        startPort(
            mock("legacy", "tcp", 0)
                .route("PING", "PONG\n")
                .route("VERSION", "2.0.0\n")
                .defaultBody("ERR unknown\n")
                .build());

    assertThat(run("printf 'PING\\n' | nc -q1 127.0.0.1 " + port).stdout).isEqualTo("PONG\n");
    assertThat(run("printf 'VERSION 2\\n' | nc -q1 127.0.0.1 " + port).stdout).isEqualTo("2.0.0\n");
    assertThat(run("printf 'nope\\n' | nc -q1 127.0.0.1 " + port).stdout).isEqualTo("ERR unknown\n");
    assertThat(context.awaitEvents(3, WAIT)).extracting(MockEvent::op).containsOnly("recv");
  }

  @Test
  void udpAnswersAndSwallowsNetcat() throws Exception {
    int echo = startPort(mock("svc", "udp", 0).route("ping", "pong\n").build());
    int sink = startPort(mock("statsd", "udp", 0).build());

    assertThat(run("printf 'ping\\n' | nc -u -w1 127.0.0.1 " + echo).stdout).isEqualTo("pong\n");
    assertThat(run("printf 'app.hits:1|c' | nc -u -w1 127.0.0.1 " + sink).stdout).isEmpty();
    List<MockEvent> events = context.awaitEvents(2, WAIT);
    assertThat(events)
        .extracting(e -> e.fields().get("body"))
        .containsExactlyInAnyOrder("ping", "app.hits:1|c");
  }
}
