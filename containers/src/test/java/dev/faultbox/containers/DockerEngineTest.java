package dev.faultbox.containers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.kernel.runtime.ContainerEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parts of the engine that need no engine: the build cache key and the orphan rule. */
class DockerEngineTest {
  @TempDir Path dir;

  @Test
  void theBuildTagFollowsTheContextsContentOnly() throws Exception {
    Files.writeString(dir.resolve("Dockerfile"), "FROM scratch\n");
    Files.createDirectories(dir.resolve("www"));
    Files.writeString(dir.resolve("www/index.html"), "hi");
    String first = DockerEngine.hash(dir);
    assertThat(first).hasSize(12).matches("[0-9a-f]+");
    dir.resolve("www/index.html").toFile().setLastModified(0);
    assertThat(DockerEngine.hash(dir)).as("a touched file builds nothing new").isEqualTo(first);
    Files.writeString(dir.resolve("www/index.html"), "ho");
    assertThat(DockerEngine.hash(dir)).isNotEqualTo(first);
    Files.writeString(dir.resolve("www/index.html"), "hi");
    Files.move(dir.resolve("www/index.html"), dir.resolve("www/other.html"));
    assertThat(DockerEngine.hash(dir)).as("a renamed file is a new context").isNotEqualTo(first);
  }

  @Test
  void aContainerIsOrphanedOnceItsRunsProcessIsGone() throws Exception {
    ProcessHandle me = ProcessHandle.current();
    String started = me.info().startInstant().map(Instant::toString).orElseThrow();
    assertThat(ContainerEngine.orphaned(Map.of(ContainerEngine.LABEL_PID, Long.toString(me.pid()),
        ContainerEngine.LABEL_STARTED, started, ContainerEngine.LABEL_HOST, ContainerEngine.hostId()))).isFalse();
    assertThat(ContainerEngine.orphaned(Map.of(ContainerEngine.LABEL_PID, Long.toString(me.pid()),
        ContainerEngine.LABEL_STARTED, "2001-01-01T00:00:00Z", ContainerEngine.LABEL_HOST, ContainerEngine.hostId()))).as("the pid now belongs to another process").isTrue();
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    assertThat(ContainerEngine.orphaned(Map.of(ContainerEngine.LABEL_PID, Long.toString(p.pid()),
        ContainerEngine.LABEL_HOST, ContainerEngine.hostId()))).isTrue();
    assertThat(ContainerEngine.orphaned(Map.of(ContainerEngine.LABEL_PID, Long.toString(p.pid()),
        ContainerEngine.LABEL_HOST, "another machine"))).as("another host's pids are not ours to judge").isFalse();
    assertThat(ContainerEngine.orphaned(Map.of(ContainerEngine.LABEL_RUN, "x"))).as("no pid: not ours to judge").isFalse();
  }
}
