package dev.faultbox.plugin.udptcp;

import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultbox.spi.FaultDecision;
import dev.faultbox.spi.FaultDecision.Action;
import dev.faultbox.spi.FaultProbe;
import java.net.DatagramSocket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FaultTest extends MockTestSupport {

  private static FaultDecision decision(Action action, long delayMs, String message) {
    return new FaultDecision(
        action, Duration.ofMillis(delayMs), 0, message, Optional.of("fault_" + action.name().toLowerCase()));
  }

  private int tcpMock() throws Exception {
    return startPort(mock("db", "tcp", 0).route("PING", "PONG\n").defaultBody("ERR unknown\n").build());
  }

  private int udpMock() throws Exception {
    return startPort(mock("db", "udp", 0).route("ping", "pong").build());
  }

  @Test
  void gateIsAskedWithTheRequestPrefix() throws Exception {
    List<FaultProbe> probes = new CopyOnWriteArrayList<>();
    context.setFaultGate(
        probe -> {
          probes.add(probe);
          return FaultDecision.PASS;
        });
    int port = tcpMock();

    assertThat(tcp(port, "PING now\r\n")).isEqualTo("PONG\n");
    assertThat(probes)
        .singleElement()
        .isEqualTo(new FaultProbe("recv", Map.of("prefix", "PING now")));
    assertThat(onlyEvent().fields()).doesNotContainKey("fault");
  }

  @Test
  void tcpRespondWritesTheMessageInsteadOfTheRoute() throws Exception {
    context.setFaultGate(probe -> decision(Action.RESPOND, 0, "ERR injected\n"));
    int port = tcpMock();

    assertThat(tcp(port, "PING\n")).isEqualTo("ERR injected\n");
    assertThat(onlyEvent().fields())
        .containsEntry("fault", "fault_respond")
        .containsEntry("matched", false)
        .containsEntry("resp_size", 13)
        .doesNotContainKey("route");
  }

  @Test
  void tcpDropClosesWithoutReplying() throws Exception {
    context.setFaultGate(probe -> decision(Action.DROP, 0, ""));
    int port = tcpMock();

    assertThat(tcp(port, utf8("PING\n"), false)).isEmpty();
    assertThat(onlyEvent().fields())
        .containsEntry("fault", "fault_drop")
        .containsEntry("resp_size", 0);
  }

  @Test
  void tcpDelayHoldsTheReply() throws Exception {
    context.setFaultGate(
        probe ->
            probe.attributes().get("prefix").startsWith("PING")
                ? decision(Action.PASS, 300, "")
                : FaultDecision.PASS);
    int port = tcpMock();

    long started = System.nanoTime();
    assertThat(tcp(port, "PING\n")).isEqualTo("PONG\n");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(300);
    assertThat(onlyEvent().fields())
        .containsEntry("fault", "fault_pass")
        .containsEntry("matched", true)
        .containsEntry("route", "PING");

    // A delayed connection does not hold up the others.
    started = System.nanoTime();
    assertThat(tcp(port, "OTHER\n")).isEqualTo("ERR unknown\n");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(250);
  }

  @Test
  void delayThenRespondAndDuplicateIsServedOnce() throws Exception {
    int port = tcpMock();

    context.setFaultGate(probe -> decision(Action.RESPOND, 200, "slow error"));
    long started = System.nanoTime();
    assertThat(tcp(port, "PING\n")).isEqualTo("slow error");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(200);

    context.setFaultGate(probe -> decision(Action.DUPLICATE, 0, ""));
    assertThat(tcp(port, "PING\n")).isEqualTo("PONG\n");
    assertThat(context.awaitEvents(2, WAIT).get(1).fields())
        .containsEntry("fault", "fault_duplicate")
        .containsEntry("route", "PING");
  }

  @Test
  void failingGateServesNormally() throws Exception {
    context.setFaultGate(
        probe -> {
          throw new IllegalStateException("gate bug");
        });
    int port = tcpMock();

    assertThat(tcp(port, "PING\n")).isEqualTo("PONG\n");
  }

  @Test
  void udpRespondDropAndDelay() throws Exception {
    int port = udpMock();

    try (DatagramSocket client = udpClient()) {
      context.setFaultGate(probe -> decision(Action.RESPOND, 0, "injected"));
      udpSend(client, port, utf8("ping"));
      assertThat(udpReceive(client)).isEqualTo(utf8("injected"));

      context.setFaultGate(probe -> decision(Action.PASS, 250, ""));
      long started = System.nanoTime();
      udpSend(client, port, utf8("ping"));
      assertThat(udpReceive(client)).isEqualTo(utf8("pong"));
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(250);

      context.setFaultGate(probe -> decision(Action.DROP, 0, ""));
      udpSend(client, port, utf8("ping"));
      client.setSoTimeout(300);
      assertThatThrownBy(() -> udpReceive(client)).isInstanceOf(SocketTimeoutException.class);
    }
    assertThat(context.awaitEvents(3, WAIT))
        .extracting(e -> e.fields().get("fault"))
        .containsExactly("fault_respond", "fault_pass", "fault_drop");
  }
}
