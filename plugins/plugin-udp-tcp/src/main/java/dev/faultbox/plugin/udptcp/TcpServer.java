package dev.faultbox.plugin.udptcp;

import dev.faultbox.spi.MockContext;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/** A running TCP line mock: one listener and the connections it accepted. */
final class TcpServer implements MockServer {

  private final Channel listener;
  private final ChannelGroup connections;
  private final AtomicBoolean closed;
  private final InetSocketAddress address;

  private TcpServer(
      Channel listener, ChannelGroup connections, AtomicBoolean closed) {
    this.listener = listener;
    this.connections = connections;
    this.closed = closed;
    this.address = (InetSocketAddress) listener.localAddress();
  }

  static TcpServer start(
      MockDefinition definition, MockContext context, MockSettings settings, Exchange exchange)
      throws Exception {
    String name = definition.service() + "." + definition.iface().name();
    ChannelGroup connections = new DefaultChannelGroup(name, EventLoops.group().next());
    AtomicBoolean closed = new AtomicBoolean();
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(EventLoops.group())
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_REUSEADDR, true)
            .option(ChannelOption.SO_BACKLOG, 128)
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new TcpChannelInitializer(settings, exchange, connections, closed::get));
    InetSocketAddress at = new InetSocketAddress(context.bindAddress(), definition.iface().port());
    Channel listener = Binding.bind(bootstrap.bind(at), at);
    connections.add(listener);
    context.logger().debug("{}: tcp mock listening on {}", name, listener.localAddress());
    return new TcpServer(listener, connections, closed);
  }

  @Override
  public InetSocketAddress address() {
    return address;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (EventLoops.inAnyLoop()) {
      // Called from a handler: waiting here would deadlock, so close without waiting.
      listener.close();
      connections.close();
      return;
    }
    listener.close().awaitUninterruptibly(Binding.CLOSE_WAIT_MS);
    connections.close().awaitUninterruptibly(Binding.CLOSE_WAIT_MS);
    Binding.awaitReleased(address, true);
  }

}
