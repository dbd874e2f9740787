package dev.faultbox.plugin.udptcp;

import static dev.faultbox.testkit.MockDefinitionBuilder.body;
import static dev.faultbox.testkit.MockDefinitionBuilder.dynamic;
import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultbox.spi.DynamicHandlerException;
import dev.faultbox.spi.MockEvent;
import java.net.DatagramSocket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class UdpMockTest extends MockTestSupport {

  @Test
  void withoutRoutesOrDefaultEveryDatagramIsSwallowedAndRecorded() throws Exception {
    int port = startPort(mock("statsd", "udp", 0).build());

    try (DatagramSocket client = udpClient()) {
      for (int i = 0; i < 20; i++) {
        udpSend(client, port, utf8("app.requests:" + i + "|c\n"));
      }
      List<MockEvent> events = context.awaitEvents(20, WAIT);
      assertThat(events).hasSize(20).extracting(MockEvent::op).containsOnly("recv");
      String src = "127.0.0.1:" + client.getLocalPort();
      assertThat(events)
          .allSatisfy(
              e ->
                  assertThat(e.fields())
                      .containsEntry("src", src)
                      .containsEntry("matched", false)
                      .containsEntry("resp_size", 0));
      assertThat(events)
          .extracting(e -> e.fields().get("body"))
          .contains("app.requests:0|c", "app.requests:19|c");

      client.setSoTimeout(300);
      assertThatThrownBy(() -> udpReceive(client)).isInstanceOf(SocketTimeoutException.class);
    }
  }

  @Test
  void routedAndDefaultRepliesGoBackToTheSource() throws Exception {
    int port =
        startPort(
            mock("svc", "udp", 0)
                .route("ping", "pong\n")
                .route("p", "never\n")
                .route("quiet", "")
                .defaultBody("unknown\n")
                .build());

    try (DatagramSocket a = udpClient();
        DatagramSocket b = udpClient()) {
      udpSend(a, port, utf8("ping 1"));
      udpSend(b, port, utf8("what?"));
      assertThat(udpReceive(a)).isEqualTo(utf8("pong\n"));
      assertThat(udpReceive(b)).isEqualTo(utf8("unknown\n"));

      udpSend(a, port, utf8("quiet please"));
      a.setSoTimeout(300);
      assertThatThrownBy(() -> udpReceive(a)).isInstanceOf(SocketTimeoutException.class);
    }
    List<MockEvent> events = context.awaitEvents(3, WAIT);
    assertThat(events)
        .filteredOn(e -> e.fields().get("body").equals("ping 1"))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.fields())
                    .containsEntry("matched", true)
                    .containsEntry("route", "ping")
                    .containsEntry("resp_size", 5)
                    .containsEntry("req_size", 6));
    assertThat(events.get(2).fields()).containsEntry("route", "quiet").containsEntry("resp_size", 0);
  }

  @Test
  void bigDatagramIsNotTruncated() throws Exception {
    int port = startPort(mock("svc", "udp", 0).route("", dynamic(r -> CompletableFuture.completedFuture(body(r.body())))).build());
    byte[] big = new byte[60 * 1024];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) ('a' + i % 26);
    }

    try (DatagramSocket client = udpClient()) {
      udpSend(client, port, big);
      assertThat(udpReceive(client)).isEqualTo(big);
    }
    MockEvent event = onlyEvent();
    assertThat(event.fields())
        .containsEntry("req_size", 61440)
        .containsEntry("resp_size", 61440);
    assertThat((String) event.fields().get("body")).hasSize(1024);
  }

  @Test
  void largestDatagramIsNotTruncated() throws Exception {
    int port = startPort(mock("svc", "udp", 0).build());

    try (DatagramSocket client = udpClient()) {
      udpSend(client, port, new byte[UdpServer.MAX_DATAGRAM]);
    }
    assertThat(onlyEvent().fields()).containsEntry("req_size", 65507);
  }

  @Test
  void garbageBytesAreJustBytes() throws Exception {
    int port = startPort(mock("svc", "udp", 0).route("\u0000\u0001", "zero-one").defaultBody("?").build());

    try (DatagramSocket client = udpClient()) {
      udpSend(client, port, new byte[] {0, 1, (byte) 0xff, (byte) 0xfe});
      assertThat(udpReceive(client)).isEqualTo(utf8("zero-one"));
      udpSend(client, port, new byte[] {(byte) 0xc0, (byte) 0x80, 0, '\n'});
      assertThat(udpReceive(client)).isEqualTo(utf8("?"));
      udpSend(client, port, new byte[0]);
      assertThat(udpReceive(client)).isEqualTo(utf8("?"));
    }
    List<MockEvent> events = context.awaitEvents(3, WAIT);
    assertThat(events.get(0).fields()).containsEntry("req_size", 4).containsEntry("matched", true);
    assertThat(events.get(2).fields()).containsEntry("req_size", 0).containsEntry("body", "");
  }

  @Test
  void dynamicHandlersAnswerLaterOrWithErr() throws Exception {
    int port =
        startPort(
            mock("svc", "udp", 0)
                .route("slow", dynamic(r -> TcpMockTest.later(200, body("done"))))
                .route(
                    "bad",
                    dynamic(r -> CompletableFuture.failedFuture(new DynamicHandlerException("spec.star:9:1: nope"))))
                .build());

    try (DatagramSocket client = udpClient()) {
      long started = System.nanoTime();
      udpSend(client, port, utf8("slow"));
      assertThat(udpReceive(client)).isEqualTo(utf8("done"));
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(190);

      udpSend(client, port, utf8("bad"));
      assertThat(udpReceive(client)).isEqualTo(utf8("ERR spec.star:9:1: nope\n"));
    }
    assertThat(context.awaitEvents(2, WAIT).get(1).fields())
        .containsEntry("error", "spec.star:9:1: nope")
        .containsEntry("route", "bad");
  }

  @Test
  void eventIsRecordedBeforeTheReplyIsSent() throws Exception {
    int port = startPort(mock("svc", "udp", 0).route("ping", "pong").build());

    try (DatagramSocket client = udpClient()) {
      for (int i = 0; i < 300; i++) {
        udpSend(client, port, utf8("ping " + i));
        assertThat(udpReceive(client)).isEqualTo(utf8("pong"));
        assertThat(context.recorded()).hasSize(i + 1);
      }
    }
  }
}
