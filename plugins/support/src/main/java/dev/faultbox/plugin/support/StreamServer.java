package dev.faultbox.plugin.support;

import dev.faultbox.spi.MockServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A running TCP mock: one listener and the connections it accepted, on the shared event loops.
 * {@link #close()} closes them all and returns once the port can be bound again.
 */
public final class StreamServer implements MockServer {

  /** Builds the whole pipeline of one accepted connection. */
  @FunctionalInterface
  public interface Pipeline {
    void build(SocketChannel ch) throws Exception;
  }

  private final Channel listener;
  private final ChannelGroup connections;
  private final AtomicBoolean closed;
  private final InetSocketAddress address;

  private StreamServer(Channel listener, ChannelGroup connections, AtomicBoolean closed) {
    this.listener = listener;
    this.connections = connections;
    this.closed = closed;
    this.address = (InetSocketAddress) listener.localAddress();
  }

  /**
   * Binds and returns once the listener accepts.
   *
   * @param name the mock, for the connection group's name
   * @param halfClosure whether connections stay open for writing after the client stops sending
   * @throws java.net.BindException unwrapped, when the port is taken
   */
  public static StreamServer start(String name, InetSocketAddress at, boolean halfClosure, Pipeline pipeline)
      throws Exception {
    ChannelGroup connections = new DefaultChannelGroup(name, EventLoops.group().next());
    AtomicBoolean closed = new AtomicBoolean();
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(EventLoops.group())
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_REUSEADDR, true)
        // Room for a burst of connects (a client pool opening at once): past the queue the kernel
        // drops SYNs and each client waits a second to retry; 128 cost 10,000 connects 35 s.
        .option(ChannelOption.SO_BACKLOG, NetUtil.SOMAXCONN)
        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, halfClosure)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) throws Exception {
            connections.add(ch);
            if (closed.get()) {
              ch.close(); // accepted while the server was closing: the group may be closed already
              return;
            }
            pipeline.build(ch);
          }
        });
    Channel listener = Ports.bind(bootstrap.bind(at), at);
    connections.add(listener);
    return new StreamServer(listener, connections, closed);
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
    listener.close().awaitUninterruptibly(Ports.CLOSE_WAIT_MS);
    connections.close().awaitUninterruptibly(Ports.CLOSE_WAIT_MS);
    Ports.awaitReleased(address, true);
  }
}
