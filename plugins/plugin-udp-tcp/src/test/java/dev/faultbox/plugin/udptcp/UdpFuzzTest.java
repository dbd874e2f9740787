package dev.faultbox.plugin.udptcp;

import static dev.faultbox.testkit.MockDefinitionBuilder.body;
import static dev.faultbox.testkit.MockDefinitionBuilder.mock;

import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.testkit.reliability.Delivery;
import dev.faultbox.testkit.reliability.ProtocolFuzz;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The reliability suite's fuzzing of udp: generated datagrams. Every one is an event, whatever its bytes. */
class UdpFuzzTest extends ProtocolFuzz {

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Override
  protected MockProtocol plugin() {
    return new UdpTcpProtocol();
  }

  @Override
  protected String protocol() {
    return "udp";
  }

  @Override
  protected MockDefinition definition(int port) {
    return mock("beacon", "udp", port).route("PING", body("PONG")).build();
  }

  @Override
  protected List<byte[]> validRequests() {
    return List.of(ascii("PING"), ascii("orders.created:1|c"), ascii("latency:320|ms|@0.1|#region:eu"));
  }

  @Override
  protected boolean probe(InetSocketAddress at) throws Exception {
    return new ContractTest().new Udp().exchange(at).ok();
  }

  @Override
  protected boolean expectsEvent(byte[] input, Delivery delivery) {
    return true;
  }
}