package dev.faultbox.plugin.http;

import dev.faultbox.spi.MockContext;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/** A running HTTP mock: one listener and the connections it accepted. */
final class HttpServer implements MockServer {

  private final Channel listener;
  private final ChannelGroup connections;
  private final AtomicBoolean closed;
  private final InetSocketAddress address;

  private HttpServer(Channel listener, ChannelGroup connections, AtomicBoolean closed) {
    this.listener = listener;
    this.connections = connections;
    this.closed = closed;
    this.address = (InetSocketAddress) listener.localAddress();
  }

  /**
   * Binds and returns once the listener accepts.
   *
   * @param ssl the TLS context, or null for plaintext
   * @throws java.net.BindException when the port is taken
   */
  static HttpServer start(
      MockDefinition definition,
      MockContext context,
      HttpSettings settings,
      Exchange exchange,
      SslContext ssl)
      throws Exception {
    String name = exchange.name();
    ChannelGroup connections = new DefaultChannelGroup(name, EventLoops.group().next());
    AtomicBoolean closed = new AtomicBoolean();
    ChannelInitializer<SocketChannel> initializer;
    if (ssl != null) {
      initializer = new TlsChannelInitializer(exchange, settings, ssl, connections, closed::get);
    } else if (HttpProtocol.HTTP2.equals(settings.protocol())) {
      initializer = new H2cChannelInitializer(exchange, settings, connections, closed::get);
    } else {
      initializer = new HttpChannelInitializer(exchange, settings, connections, closed::get);
    }
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(EventLoops.group())
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_REUSEADDR, true)
            .option(ChannelOption.SO_BACKLOG, 128)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(initializer);
    InetSocketAddress at = new InetSocketAddress(context.bindAddress(), definition.iface().port());
    Channel listener = Binding.bind(bootstrap.bind(at), at);
    connections.add(listener);
    context
        .logger()
        .debug("{}: {} mock listening on {}{}", name, settings.protocol(), listener.localAddress(),
            ssl != null ? " (TLS)" : "");
    return new HttpServer(listener, connections, closed);
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
    Binding.awaitReleased(address);
  }
}
