package dev.faultbox.plugin.udptcp;

import dev.faultbox.plugin.support.EventLoops;
import dev.faultbox.plugin.support.StarFiles;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.spi.ProtocolFactory;
import dev.faultbox.spi.ProtocolFactory.Transport;
import dev.faultbox.spi.SpiVersion;
import dev.faultbox.spi.StarlarkLibrary;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The {@code udp-tcp} plugin: a TCP line mock ({@code interface("main", "tcp", 9000)}) and a UDP
 * datagram mock ({@code interface("main", "udp", 8125)}), plus their {@code send} steps, and the
 * {@code @faultbox/} files for them: {@code recipes/tcp.star}, {@code recipes/udp.star} and
 * {@code mocks/statsd.star}.
 *
 * <p>Both match a request (a line, or a datagram) against route patterns taken as byte prefixes,
 * in declaration order, then the default response. Every server of the plugin runs on the shared
 * event loops of {@code plugins/support}.
 */
public final class UdpTcpProtocol implements MockProtocol {

  static final String TCP = "tcp";
  static final String UDP = "udp";

  private final List<ProtocolFactory> protocols =
      List.of(
          new UdpTcpFactory(TCP, Transport.STREAM, Map.of("send", new TcpSendStep())),
          new UdpTcpFactory(
              UDP,
              Transport.DATAGRAM,
              Map.of("send", new UdpSendStep(true), "send_no_reply", new UdpSendStep(false))));

  @Override
  public int spiVersion() {
    return SpiVersion.CURRENT;
  }

  @Override
  public String id() {
    return "udp-tcp";
  }

  @Override
  public List<String> protocolNames() {
    return List.of(TCP, UDP);
  }

  @Override
  public List<ProtocolFactory> protocols() {
    return protocols;
  }

  @Override
  public List<StarlarkLibrary> libraries() {
    return Libraries.ALL;
  }

  /**
   * Stops the event loops the mocks ran on (the kernel closed every server first; steps open one
   * socket per call and keep nothing), so no thread of the plugin outlives the run.
   */
  @Override
  public void close() {
    EventLoops.shutdown();
  }

  /** Read on first use, once: the kernel asks for libraries more than once per run. */
  private static final class Libraries {
    static final List<StarlarkLibrary> ALL =
        Stream.of("recipes/tcp.star", "recipes/udp.star", "mocks/statsd.star").map(path -> StarFiles.library(UdpTcpProtocol.class, path)).toList();
  }
}
