package dev.faultbox.plugin.http;

import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockServer;
import dev.faultbox.spi.PreparedMock;
import dev.faultbox.spi.ProtocolFactory;
import dev.faultbox.testkit.FreePorts;
import dev.faultbox.testkit.RecordingContext;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

class LifecycleTest {

  private final RecordingContext context = new RecordingContext();

  private static MockDefinition definition(String protocol, int port) {
    return mock("svc", protocol, port).route("GET /a", Http1ServerTest.text(200, "a")).build();
  }

  @Test
  void portCanBeBoundAgainAfterCloseTwice() throws Exception {
    int port = FreePorts.tcp();
    for (String protocol : new String[] {"http", "http2", "http"}) {
      MockServer server = TestSupport.start(definition(protocol, port), context);
      assertThat(server.address().getPort()).isEqualTo(port);
      // an open keep-alive connection must not hold the port
      Socket open = TestSupport.connect(server.address());
      TestSupport.send(open, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(TestSupport.read(open.getInputStream()).bodyText()).isEqualTo("a");
      server.close();
      assertThat(TestSupport.closedByPeer(open)).isTrue();
      open.close();
      try (ServerSocket probe = new ServerSocket()) {
        probe.setReuseAddress(true);
        probe.bind(new InetSocketAddress("127.0.0.1", port));
      }
    }
  }

  @Test
  void closeIsIdempotent() throws Exception {
    MockServer server = TestSupport.start(definition("http", 0), context);
    server.close();
    server.close();
  }

  @Test
  void takenPortIsABindException() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      assertThatThrownBy(() -> TestSupport.start(definition("http", taken.getLocalPort()), context))
          .isExactlyInstanceOf(BindException.class);
      assertThatThrownBy(() -> TestSupport.start(definition("http2", taken.getLocalPort()), context))
          .isExactlyInstanceOf(BindException.class);
    }
  }

  @Test
  void secondMockOnTheSamePortIsABindException() throws Exception {
    MockServer first = TestSupport.start(definition("http", 0), context);
    try {
      assertThatThrownBy(() -> TestSupport.start(definition("http", first.address().getPort()), context))
          .isInstanceOf(BindException.class);
    } finally {
      first.close();
    }
  }

  @Test
  void startReturnsOnlyOnceBound() throws Exception {
    MockServer server = TestSupport.start(definition("http", 0), context);
    try (Socket socket = new Socket("127.0.0.1", server.address().getPort())) {
      assertThat(socket.isConnected()).isTrue();
      assertThat(server.address().getAddress().isLoopbackAddress()).isTrue();
    } finally {
      server.close();
    }
  }

  @Test
  void onePreparedMockStartsOncePerTest() throws Exception {
    MockDefinition definition = definition("http", FreePorts.tcp());
    ProtocolFactory factory = TestSupport.factory("http");
    PreparedMock prepared = factory.prepare(definition);
    for (int test = 0; test < 2; test++) {
      MockServer server = factory.start(prepared, context);
      try {
        assertThat(TestSupport.get(server.address(), "/a").bodyText()).isEqualTo("a");
      } finally {
        server.close();
      }
    }
    assertThat(context.recorded("GET /a")).hasSize(2);
  }

  @Test
  void startTakesOnlyWhatThePluginPrepared() {
    PreparedMock foreign = PreparedMock.of(definition("http", 0));
    assertThatThrownBy(() -> TestSupport.factory("http").start(foreign, context))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("the http plugin did not prepare ");
  }

  @Test
  void startValidatesToo() {
    assertThatThrownBy(
            () -> TestSupport.start(mock("svc", "http", 0).route("GET", "x").build(), context))
        .isInstanceOf(InvalidMockException.class);
  }

  @Test
  void tlsWithoutAnIdentityIsRefused() {
    assertThatThrownBy(() -> TestSupport.start(mock("svc", "http", 0).tls(true).build(), context))
        .isInstanceOf(InvalidMockException.class)
        .hasMessageContaining("no TLS identity");
  }
}
