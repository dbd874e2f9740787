package dev.faultbox.plugin.udptcp;

import dev.faultbox.plugin.support.EventLoops;
import dev.faultbox.plugin.support.MockExchange;
import dev.faultbox.plugin.support.StreamServer;
import dev.faultbox.spi.FaultModel;
import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockContext;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockServer;
import dev.faultbox.spi.PreparedMock;
import dev.faultbox.spi.ProtocolFactory;
import dev.faultbox.spi.StepMethod;
import java.net.InetSocketAddress;
import java.util.Map;

/**
 * The {@code tcp} or the {@code udp} protocol. Both read routes and take fault rules alike; they
 * differ in transport, config keys and steps. Immutable.
 */
final class UdpTcpFactory implements ProtocolFactory {

  /**
   * Rules match the event op (a glob) and the request text ({@code prefix}, as written); statuses
   * and their defaults are those the kernel applied to these protocols before SPI v2.
   */
  static final FaultModel FAULT_MODEL =
      new FaultModel(
          Map.of("op", FaultModel.Match.GLOB, TcpUdpAnswers.MATCH_PREFIX, FaultModel.Match.PREFIX),
          Map.of(),
          100,
          999,
          500,
          200);

  /** What {@link #prepare} made of a definition, which every start of it reuses. */
  record Prepared(MockDefinition definition, MockSettings settings, RouteTable routes)
      implements PreparedMock {}

  private final String name;
  private final Transport transport;
  private final Map<String, StepMethod> steps;

  UdpTcpFactory(String name, Transport transport, Map<String, StepMethod> steps) {
    this.name = name;
    this.transport = transport;
    this.steps = Map.copyOf(steps);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Transport transport() {
    return transport;
  }

  @Override
  public FaultModel faultModel() {
    return FAULT_MODEL;
  }

  @Override
  public Prepared prepare(MockDefinition definition) throws InvalidMockException {
    return new Prepared(definition, MockSettings.of(definition), new RouteTable(definition));
  }

  @Override
  public MockServer start(PreparedMock prepared, MockContext context) throws Exception {
    if (!(prepared instanceof Prepared mock)) {
      throw new IllegalArgumentException("a " + name + " mock starts only from what prepare() returned");
    }
    MockDefinition definition = mock.definition();
    EventLoops.group(context.threads()); // the plugin's loops run on the threads the kernel lends
    MockExchange<TcpUdpAnswers.Request, byte[]> exchange =
        new MockExchange<>(definition, context, new TcpUdpAnswers(mock));
    // Serve the protocol the settings were checked for.
    if (mock.settings().protocol().equals(UdpTcpProtocol.UDP)) {
      return UdpServer.start(definition, context, exchange);
    }
    InetSocketAddress at = new InetSocketAddress(context.bindAddress(), definition.iface().port());
    return StreamServer.start(definition.service() + "." + definition.iface().name(), at, true,
        ch -> TcpMockHandler.pipeline(ch, mock.settings(), exchange));
  }

  @Override
  public Map<String, StepMethod> steps() {
    return steps;
  }
}
