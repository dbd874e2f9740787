package dev.faultbox.plugin.udptcp;

import dev.faultbox.plugin.support.Ports;
import dev.faultbox.plugin.support.EventLoops;
import dev.faultbox.plugin.support.MockExchange;
import dev.faultbox.spi.MockContext;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockServer;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/** A running UDP datagram mock. */
final class UdpServer implements MockServer {

  /** The largest UDP payload over IPv4. */
  static final int MAX_DATAGRAM = 65507;

  private final Channel channel;
  private final InetSocketAddress address;
  private final AtomicBoolean closed = new AtomicBoolean();

  private UdpServer(Channel channel) {
    this.channel = channel;
    this.address = (InetSocketAddress) channel.localAddress();
  }

  static UdpServer start(MockDefinition definition, MockContext context, MockExchange<TcpUdpAnswers.Request, byte[]> exchange)
      throws Exception {
    String name = definition.service() + "." + definition.iface().name();
    Bootstrap bootstrap =
        new Bootstrap()
            .group(EventLoops.group())
            .channel(NioDatagramChannel.class)
            // No SO_REUSEADDR here: on Linux it lets two UDP sockets share a port, which would
            // hide a taken port instead of failing with BindException. UDP has no TIME_WAIT, so a
            // closed mock's port can be bound again at once without it.
            // One buffer big enough for any datagram, so none is truncated.
            .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM + 1))
            .option(ChannelOption.SO_RCVBUF, 1 << 20)
            .handler(new UdpChannelInitializer(exchange));
    InetSocketAddress at = new InetSocketAddress(context.bindAddress(), definition.iface().port());
    Channel channel = Ports.bind(bootstrap.bind(at), at);
    context.logger().debug("{}: udp mock bound to {}", name, channel.localAddress());
    return new UdpServer(channel);
  }

  @Override
  public InetSocketAddress address() {
    return address;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      if (EventLoops.inAnyLoop()) {
        // Called from a handler: waiting here would deadlock, so close without waiting.
        channel.close();
        return;
      }
      channel.close().awaitUninterruptibly(Ports.CLOSE_WAIT_MS);
      Ports.awaitReleased(address, false);
    }
  }
}
