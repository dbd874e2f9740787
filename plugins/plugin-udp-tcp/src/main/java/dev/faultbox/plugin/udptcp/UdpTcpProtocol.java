package dev.faultbox.plugin.udptcp;

import dev.faultbox.plugin.support.StreamServer;
import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockContext;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.spi.MockServer;
import dev.faultbox.spi.SpiVersion;
import dev.faultbox.spi.StepMethod;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;

/**
 * The {@code udp-tcp} plugin: a TCP line mock ({@code interface("main", "tcp", 9000)}) and a UDP
 * datagram mock ({@code interface("main", "udp", 8125)}), plus their {@code send} steps.
 *
 * <p>Both match a request (a line, or a datagram) against route patterns taken as byte prefixes,
 * in declaration order, then the default response. Every server of the plugin shares one small
 * event-loop group of daemon threads, created on first use.
 */
public final class UdpTcpProtocol implements MockProtocol {

  static final String TCP = "tcp";
  static final String UDP = "udp";

  @Override
  public int spiVersion() {
    return SpiVersion.CURRENT;
  }

  @Override
  public String id() {
    return "udp-tcp";
  }

  @Override
  public Set<String> protocols() {
    return Set.of(TCP, UDP);
  }

  @Override
  public void validate(MockDefinition definition) throws InvalidMockException {
    MockSettings.of(definition);
  }

  @Override
  public MockServer start(MockDefinition definition, MockContext context) throws Exception {
    MockSettings settings = MockSettings.of(definition);
    if (definition.tls()) {
      context
          .logger()
          .warn(
              "{}.{}: tls=True is ignored, a {} mock serves plain {}",
              definition.service(),
              definition.iface().name(),
              settings.protocol(),
              settings.protocol());
    }
    Exchange exchange = new Exchange(definition, context, settings);
    if (settings.protocol().equals(UDP)) {
      return UdpServer.start(definition, context, exchange);
    }
    InetSocketAddress at = new InetSocketAddress(context.bindAddress(), definition.iface().port());
    return StreamServer.start(definition.service() + "." + definition.iface().name(), at, true,
        ch -> TcpMockHandler.pipeline(ch, settings, exchange));
  }

  @Override
  public Transport transport(String protocol) {
    return UDP.equals(protocol) ? Transport.DATAGRAM : Transport.STREAM;
  }

  @Override
  public Map<String, StepMethod> steps(String protocol) {
    if (TCP.equals(protocol)) {
      return Map.of("send", new TcpSendStep());
    }
    if (UDP.equals(protocol)) {
      return Map.of("send", new UdpSendStep(true), "send_no_reply", new UdpSendStep(false));
    }
    return Map.of();
  }
}
