package dev.faultbox.plugin.udptcp;

import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultbox.plugin.support.EventLoops;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.spi.MockServer;
import dev.faultbox.spi.PreparedMock;
import dev.faultbox.spi.ProtocolFactory;
import dev.faultbox.spi.SpiVersion;
import dev.faultbox.testkit.FreePorts;
import dev.faultbox.testkit.RecordingContext;
import java.io.InputStream;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class LifecycleTest extends MockTestSupport {

  @Test
  void serviceLoaderFindsThePlugin() {
    assertThat(ServiceLoader.load(MockProtocol.class).stream().map(ServiceLoader.Provider::get))
        .singleElement()
        .isInstanceOfSatisfying(
            UdpTcpProtocol.class,
            p -> {
              assertThat(p.id()).isEqualTo("udp-tcp");
              assertThat(p.protocols()).extracting(ProtocolFactory::name).containsExactlyInAnyOrder("tcp", "udp");
              assertThat(p.spiVersion()).isEqualTo(SpiVersion.CURRENT);
              assertThat(steps(p, "tcp")).containsOnlyKeys("send");
              assertThat(steps(p, "udp")).containsOnlyKeys("send", "send_no_reply");
              assertThat(steps(p, "http")).isEmpty();
              assertThat(steps(p, "tcp").get("send").parameters()).containsExactly("data", "timeout_ms");
              assertThat(steps(p, "udp").get("send_no_reply").parameters()).containsExactly("data");
            });
  }

  @Test
  void tcpPortCanBeBoundAgainRightAfterClose() throws Exception {
    int port = FreePorts.tcp();
    for (int round = 0; round < 3; round++) {
      MockServer server =
          launch(mock("svc", "tcp", port).route("PING", "PONG" + round + "\n").build());
      assertThat(server.address()).isEqualTo(new InetSocketAddress(FreePorts.loopback(), port));
      assertThat(tcp(port, "PING\n")).isEqualTo("PONG" + round + "\n");
      try (Socket open = new Socket()) {
        // A connection still open at close time is closed too.
        open.connect(new InetSocketAddress(FreePorts.loopback(), port), SO_TIMEOUT_MS);
        open.setSoTimeout(SO_TIMEOUT_MS);
        InputStream in = open.getInputStream();
        open.getOutputStream().write(utf8("PI"));
        Thread.sleep(50);
        server.close();
        server.close();
        assertThat(in.read()).isEqualTo(-1);
      }
    }
  }

  @Test
  void udpPortCanBeBoundAgainRightAfterClose() throws Exception {
    int port = FreePorts.udp();
    for (int round = 0; round < 3; round++) {
      MockServer server =
          launch(mock("svc", "udp", port).defaultBody("r" + round).build());
      try (DatagramSocket client = udpClient()) {
        udpSend(client, port, utf8("x"));
        assertThat(udpReceive(client)).isEqualTo(utf8("r" + round));
      }
      server.close();
      server.close();
    }
  }

  @Test
  void closeReleasesThePortEveryTime() throws Exception {
    int tcpPort = FreePorts.tcp();
    int udpPort = FreePorts.udp();
    for (int round = 0; round < 100; round++) {
      launch(mock("svc", "tcp", tcpPort).build()).close();
      launch(mock("svc", "udp", udpPort).build()).close();
    }
  }

  @Test
  void onePreparedMockStartsOncePerTest() throws Exception {
    ProtocolFactory tcp = factory(protocol, "tcp").orElseThrow();
    PreparedMock prepared = tcp.prepare(mock("svc", "tcp", FreePorts.tcp()).route("PING", "PONG\n").build());
    for (int round = 0; round < 3; round++) {
      try (MockServer server = tcp.start(prepared, context)) {
        assertThat(tcp(server.address().getPort(), "PING\n")).isEqualTo("PONG\n");
      }
    }
    assertThat(context.awaitEvents(3, WAIT)).extracting(e -> e.fields().get("route")).containsOnly("PING");
    assertThatThrownBy(() -> tcp.start(PreparedMock.of(prepared.definition()), context))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("a tcp mock starts only from what prepare() returned");
  }

  @Test
  void takenTcpPortFailsWithBindException() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(FreePorts.loopback(), 0));
      int port = taken.getLocalPort();
      assertThatThrownBy(() -> start(mock("svc", "tcp", port).build()))
          .isExactlyInstanceOf(BindException.class);
    }
    int port = startPort(mock("svc", "tcp", 0).build());
    assertThatThrownBy(() -> start(mock("other", "tcp", port).build()))
        .isExactlyInstanceOf(BindException.class);
  }

  @Test
  void takenUdpPortFailsWithBindException() throws Exception {
    try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(FreePorts.loopback(), 0))) {
      int port = taken.getLocalPort();
      assertThatThrownBy(() -> start(mock("svc", "udp", port).build()))
          .isExactlyInstanceOf(BindException.class);
    }
    int port = startPort(mock("svc", "udp", 0).build());
    assertThatThrownBy(() -> start(mock("other", "udp", port).build()))
        .isExactlyInstanceOf(BindException.class);
  }

  @Test
  void tlsIsIgnored() throws Exception {
    int port = startPort(mock("svc", "tcp", 0).tls(true).route("PING", "PONG\n").build());
    assertThat(tcp(port, "PING\n")).isEqualTo("PONG\n");
  }

  @Test
  void serversShareOneSmallEventLoopGroup() throws Exception {
    for (int i = 0; i < 4; i++) {
      int tcp = startPort(mock("t" + i, "tcp", 0).route("PING", "PONG\n").build());
      startPort(mock("u" + i, "udp", 0).build());
      assertThat(tcp(tcp, "PING\n")).isEqualTo("PONG\n");
    }
    long loops = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith(RecordingContext.THREAD_PREFIX) && !t.getName().endsWith("timer"))
        .count();
    assertThat(loops).as("the loops run on the lent threads, few of them").isBetween(1L, (long) EventLoops.THREADS);
  }
}
