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

/**
 * The reliability suite's fuzzing of tcp: generated lines. Every non-empty input is one line (or
 * a too-long one), so exactly one event each.
 */
class TcpFuzzTest extends ProtocolFuzz {

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Override
  protected MockProtocol plugin() {
    return new UdpTcpProtocol();
  }

  @Override
  protected String protocol() {
    return "tcp";
  }

  @Override
  protected MockDefinition definition(int port) {
    return mock("legacy", "tcp", port).route("PING", body("PONG\n")).route("GET ", body("VALUE\n"))
        .config("max_line_bytes", 4096L).build();
  }

  @Override
  protected List<byte[]> validRequests() {
    return List.of(ascii("PING\n"), ascii("GET key-1\n"), ascii("SET key-1 some value\r\n"));
  }

  @Override
  protected boolean probe(InetSocketAddress at) throws Exception {
    return new ContractTest().new Tcp().exchange(at).ok();
  }

  @Override
  protected boolean expectsEvent(byte[] input, Delivery delivery) {
    return input.length > 0;
  }
}