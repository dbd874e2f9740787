package dev.faultbox.examples.memcached;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.spi.FaultDecision;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real client, libmemcached's command-line tools (Debian's libmemcached-tools), against the
 * mock: memccapable's ASCII conformance suite and the everyday tools. Skipped where they are not
 * installed.
 */
class LibmemcachedTest {

  private Running mock;
  private String servers;
  @TempDir Path dir;

  record Run(int exit, String output) {}

  @BeforeEach
  void start() throws Exception {
    Assumptions.assumeTrue(onPath("memccat"), "libmemcached-tools is not installed");
    mock = new Running(Map.of("greeting", "hello from the seed"));
    servers = "--servers=127.0.0.1:" + mock.at.getPort();
  }

  @AfterEach
  void stop() {
    if (mock != null) {
      mock.close();
    }
  }

  private static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }

  private static Run run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
    return new Run(p.exitValue(), out);
  }

  @Test
  void memcapablesAsciiSuitePasses() throws Exception {
    Run r = run("memccapable", "-a", "-t", "10", "-h", "127.0.0.1", "-p", Integer.toString(mock.at.getPort()));
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("All tests passed").doesNotContain("[FAIL]");
  }

  @Test
  void theToolsReadWriteTouchAndRemove() throws Exception {
    // memccat prints each value with a newline after it; memccp keys a file by its name.
    assertThat(run("memccat", servers, "greeting")).isEqualTo(new Run(0, "hello from the seed\n"));
    Path file = dir.resolve("note.txt");
    Files.writeString(file, "written by memccp");
    assertThat(run("memccp", servers, file.toString()).exit()).isZero();
    assertThat(run("memccat", servers, "note.txt")).isEqualTo(new Run(0, "written by memccp\n"));
    assertThat(run("memcexist", servers, "note.txt").exit()).isZero();
    assertThat(run("memctouch", servers, "--expire=600", "note.txt").exit()).isZero();
    assertThat(run("memcrm", servers, "note.txt").exit()).isZero();
    assertThat(run("memcexist", servers, "note.txt").exit()).isNotZero();
    assertThat(run("memccat", servers, "note.txt").exit()).isNotZero();

    List<String> ops = new ArrayList<>();
    mock.context.recorded().forEach(e -> ops.add(e.op()));
    assertThat(ops).contains("get", "set", "touch", "delete");
    assertThat(mock.context.recorded("set").get(0).fields()).containsEntry("key", "note.txt").containsEntry("bytes", 17);
  }

  @Test
  void memcstatShowsTheNettyOfThisPlugin() throws Exception {
    Run r = run("memcstat", servers);
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("version: 1.6.0").containsPattern("netty: 4\\.1\\.\\d+\\.Final");
  }

  @Test
  void aFaultReachesTheClient() throws Exception {
    mock.context.setFaultGate(probe -> new FaultDecision(FaultDecision.Action.ERROR, Duration.ZERO, 0, "cache down",
        Optional.of("down")));
    Run r = run("memccat", servers, "greeting");
    assertThat(r.exit()).isNotZero();
    assertThat(r.output()).doesNotContain("hello from the seed");
    assertThat(mock.context.recorded("get").get(0).fields()).containsEntry("fault", "down");
  }
}
