package dev.faultbox.examples.memcached;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.spi.FaultDecision;
import dev.faultbox.spi.FaultDecision.Action;
import dev.faultbox.spi.FaultProbe;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Fault decisions as the mock renders them, with the probes it asks the gate with. */
class FaultTest {

  private Running mock;
  private final List<FaultProbe> probes = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    mock = new Running(Map.of("user:1", "alice", "session:9", "s"));
  }

  @AfterEach
  void stop() {
    mock.close();
  }

  /** Lays {@code decision} on commands whose key starts with {@code prefix}, recording every probe. */
  private void onKeys(String prefix, Action action, Duration delay, String message) {
    FaultDecision decision = new FaultDecision(action, delay, 0, message, Optional.of("cache_fault"));
    mock.context.setFaultGate(probe -> {
      probes.add(probe);
      String key = probe.attributes().get("key");
      return key != null && key.startsWith(prefix) ? decision : FaultDecision.PASS;
    });
  }

  @Test
  void anErrorAnswersServerErrorForTheMatchingKeysOnly() throws Exception {
    onKeys("session:", Action.ERROR, Duration.ZERO, "cache down");
    try (TextClient c = mock.client()) {
      assertThat(c.call("get session:9\r\n")).isEqualTo("SERVER_ERROR cache down\r\n");
      assertThat(c.call("set session:1 0 0 1\r\nx\r\n")).isEqualTo("SERVER_ERROR cache down\r\n");
      c.send("get user:1\r\n");
      assertThat(c.readUntil("END\r\n")).startsWith("VALUE user:1");
      assertThat(c.call("get user:1 session:9\r\n")).as("any faulted key faults the get").isEqualTo("SERVER_ERROR cache down\r\n");
    }
    assertThat(mock.context.recorded().get(0).fields()).containsEntry("fault", "cache_fault")
        .containsEntry("result", "SERVER_ERROR cache down").containsEntry("error", "cache down");
    assertThat(probes.get(0)).isEqualTo(new FaultProbe("get", Map.of("command", "get", "key", "session:9")));
    assertThat(mock.context.recorded("set")).as("a faulted set stores nothing").hasSize(1);
    try (TextClient c = mock.client()) {
      mock.context.setFaultGate(probe -> FaultDecision.PASS);
      assertThat(c.call("get session:1\r\n")).isEqualTo("END\r\n");
    }
  }

  @Test
  void commandsWithoutAKeyAreProbedWithoutOne() throws Exception {
    onKeys("", Action.ERROR, Duration.ZERO, "x");
    try (TextClient c = mock.client()) {
      assertThat(c.call("version\r\n")).isEqualTo("VERSION 1.6.0\r\n");
    }
    assertThat(probes).containsExactly(new FaultProbe("version", Map.of("command", "version")));
  }

  @Test
  void aDelayHoldsTheCommandAndThosePipelinedBehindIt() throws Exception {
    onKeys("session:", Action.PASS, Duration.ofMillis(400), "");
    try (TextClient c = mock.client()) {
      long started = System.nanoTime();
      c.send("get session:9\r\nget user:1\r\n");
      String replies = c.readUntil("VALUE user:1 0 5\r\nalice\r\nEND\r\n");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
      assertThat(replies).isEqualTo("VALUE session:9 0 1\r\ns\r\nEND\r\nVALUE user:1 0 5\r\nalice\r\nEND\r\n");
    }
    assertThat(mock.context.recorded()).extracting(e -> e.fields().get("key")).containsExactly("session:9", "user:1");
    assertThat(mock.context.recorded().get(0).fields()).containsEntry("fault", "cache_fault");
  }

  @Test
  void aDropClosesTheConnectionAndTheNextOneIsServed() throws Exception {
    onKeys("session:", Action.DROP, Duration.ZERO, "");
    try (TextClient c = mock.client()) {
      c.send("get session:9\r\nget user:1\r\n");
      assertThat(c.closedByPeer()).isTrue();
    }
    assertThat(mock.context.recorded()).hasSize(1);
    assertThat(mock.context.recorded().get(0).fields()).containsEntry("result", "DROPPED").containsEntry("fault", "cache_fault");
    try (TextClient c = mock.client()) {
      c.send("get user:1\r\n");
      assertThat(c.readUntil("END\r\n")).startsWith("VALUE user:1");
    }
  }

  @Test
  void aResponseIsSentAsWrittenSoAMissCanBeForced() throws Exception {
    onKeys("user:", Action.RESPOND, Duration.ZERO, "END");
    try (TextClient c = mock.client()) {
      assertThat(c.call("get user:1\r\n")).isEqualTo("END\r\n");
    }
    assertThat(mock.context.recorded().get(0).fields()).containsEntry("result", "END");
  }

  @Test
  void noreplyCommandsGetNoFaultReplyEither() throws Exception {
    onKeys("session:", Action.ERROR, Duration.ZERO, "down");
    try (TextClient c = mock.client()) {
      c.send("set session:2 0 0 1 noreply\r\nx\r\n");
      assertThat(c.call("version\r\n")).isEqualTo("VERSION 1.6.0\r\n");
    }
    assertThat(mock.context.recorded("set").get(0).fields()).containsEntry("result", "SERVER_ERROR down");
  }
}
