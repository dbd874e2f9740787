package dev.faultbox.plugin.udptcp;

import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockEvent;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.spi.MockServer;
import dev.faultbox.spi.ProtocolFactory;
import dev.faultbox.spi.StepMethod;
import dev.faultbox.testkit.FreePorts;
import dev.faultbox.testkit.RecordingContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;

/** Starts mocks through the plugin and closes them after each test; plain JDK clients. */
abstract class MockTestSupport {

  static final Duration WAIT = Duration.ofSeconds(5);
  static final int SO_TIMEOUT_MS = 5000;

  final UdpTcpProtocol protocol = new UdpTcpProtocol();
  final RecordingContext context = new RecordingContext();
  private final List<MockServer> servers = new ArrayList<>();

  /** The plugin's factory for protocol {@code name}, as the kernel finds it; empty if none. */
  static Optional<ProtocolFactory> factory(MockProtocol plugin, String name) {
    return plugin.protocols().stream().filter(f -> f.name().equals(name)).findFirst();
  }

  /** A fresh plugin's factory for protocol {@code name}. */
  static ProtocolFactory factory(String name) {
    return factory(new UdpTcpProtocol(), name).orElseThrow();
  }

  /** The steps of protocol {@code name}; empty when the plugin does not serve it. */
  static Map<String, StepMethod> steps(MockProtocol plugin, String name) {
    return factory(plugin, name).map(ProtocolFactory::steps).orElse(Map.of());
  }

  /** Prepares and starts {@code definition} as the kernel does; the caller closes the server. */
  MockServer launch(MockDefinition definition) throws Exception {
    ProtocolFactory factory = factory(protocol, definition.iface().protocol()).orElseThrow();
    return factory.start(factory.prepare(definition), context);
  }

  /** Like {@link #launch}, closed after the test. */
  MockServer start(MockDefinition definition) throws Exception {
    MockServer server = launch(definition);
    servers.add(server);
    return server;
  }

  int startPort(MockDefinition definition) throws Exception {
    return start(definition).address().getPort();
  }

  @AfterEach
  void closeServers() {
    servers.forEach(MockServer::close);
  }

  /** Writes {@code request}, optionally closes the write side, reads until the server closes. */
  static byte[] tcp(int port, byte[] request, boolean halfClose) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(FreePorts.loopback(), port), SO_TIMEOUT_MS);
      socket.setSoTimeout(SO_TIMEOUT_MS);
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      if (halfClose) {
        socket.shutdownOutput();
      }
      return readToEnd(socket.getInputStream());
    }
  }

  static String tcp(int port, String request) throws IOException {
    return new String(tcp(port, utf8(request), false), StandardCharsets.UTF_8);
  }

  static byte[] readToEnd(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    for (int i = 0; i < 10_000; i++) {
      int n = in.read(buffer);
      if (n < 0) {
        return out.toByteArray();
      }
      out.write(buffer, 0, n);
    }
    throw new IOException("reply too long");
  }

  static DatagramSocket udpClient() throws IOException {
    DatagramSocket socket = new DatagramSocket(new InetSocketAddress(FreePorts.loopback(), 0));
    socket.setSoTimeout(SO_TIMEOUT_MS);
    return socket;
  }

  static void udpSend(DatagramSocket socket, int port, byte[] data) throws IOException {
    socket.send(new DatagramPacket(data, data.length, new InetSocketAddress(FreePorts.loopback(), port)));
  }

  static byte[] udpReceive(DatagramSocket socket) throws IOException {
    byte[] buffer = new byte[70_000];
    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
    socket.receive(packet);
    return Arrays.copyOf(buffer, packet.getLength());
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  MockEvent onlyEvent() {
    List<MockEvent> events = context.awaitEvents(1, WAIT);
    if (events.size() != 1) {
      throw new AssertionError("expected one event, got " + events);
    }
    return events.get(0);
  }
}
